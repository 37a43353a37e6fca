"""Command line: `briefgen build|check|serve|init|new|import|resident`. Exit 0 ok, 1 content
errors, 2 usage."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import __version__
from briefgen.console import Console, plural
from briefgen.diagnostics import ContentError, Diagnostic, SearchIndexError, UsageError

if TYPE_CHECKING:
    from briefgen.build.inputs import BuildOptions
    from briefgen.build.pipeline import BuildResult

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
# A build run by a long-lived caller (the resident build process): options -> result.
Rebuild = Callable[["BuildOptions"], "BuildResult"]


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535 (0: any free port), not {port}")
    return port


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if jobs < 0:
        raise argparse.ArgumentTypeError("--jobs must be 0 (one per core) or more")
    return jobs


def _date(value: str) -> dt.date:
    from briefgen.scaffold.article import parse_date

    date = parse_date(value)
    if date is None:
        raise argparse.ArgumentTypeError(f"not a valid date: {value!r} (write YYYY-MM-DD)")
    return date


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefgen", description=__doc__)
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = sub.add_parser("build", help="build the site into OUT (default DIR/site)")
    build.add_argument("dir", nargs="?", default=".", type=Path, metavar="DIR")
    build.add_argument("-o", "--output", type=Path, metavar="OUT")
    build.add_argument("--base-url", metavar="URL", help="override site.yaml's base_url")
    build.add_argument("--drafts", action="store_true", help="include draft briefings")
    build.add_argument("--no-search", action="store_true", help="skip the search index")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--quiet", "-q", action="store_true", help="print only diagnostics")
    build.add_argument(
        "--jobs", "-j", type=_jobs, default=0, metavar="N", help="workers (0: one per core)"
    )
    build.add_argument(
        "--no-resident",
        action="store_true",
        help="build in this process, not in the site's resident build process (which keeps "
        "the last build in memory; also off with BRIEFGEN_RESIDENT=0, and under CI)",
    )

    check = sub.add_parser("check", help="validate everything a build would, write nothing")
    check.add_argument("dir", nargs="?", default=".", type=Path, metavar="DIR")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--drafts", action="store_true", help="check draft briefings too")
    check.add_argument("--format", choices=("text", "json", "github"), default="text")
    check.add_argument("--quiet", "-q", action="store_true", help="print only diagnostics")

    serve = sub.add_parser(
        "serve", help="build, serve, watch content/ and themes/, reload open pages on change"
    )
    serve.add_argument("dir", nargs="?", default=".", type=Path, metavar="DIR")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000; 0: any)")
    serve.add_argument(
        "--production",
        action="store_true",
        help="serve what `build` would publish (site.yaml's base_url, no drafts, no live reload)",
    )

    init = sub.add_parser("init", help="start a new site in DIR (default: .)")
    init.add_argument("dir", nargs="?", default=".", type=Path, metavar="DIR")
    init.add_argument(
        "--force", action="store_true", help="accept a non-empty DIR (existing files are kept)"
    )

    new = sub.add_parser("new", help="create content/briefings/<date>-<slug>.md")
    new.add_argument("title", metavar="TITLE")
    new.add_argument("dir", nargs="?", default=".", type=Path, metavar="DIR")
    new.add_argument(
        "--from", dest="seed", type=Path, metavar="ARTICLE", help="take the text from an article"
    )
    new.add_argument(
        "--date", type=_date, metavar="YYYY-MM-DD", help="default: the article's date, or today"
    )

    imp = sub.add_parser("import", help="turn articles (text or Markdown) into briefing skeletons")
    imp.add_argument("paths", nargs="+", type=Path, metavar="ARTICLE... [DIR]")
    imp.add_argument("--title", help="the briefing's title (default: front-matter, first line)")
    imp.add_argument(
        "--date", type=_date, metavar="YYYY-MM-DD", help="default: front-matter, first line"
    )
    _resident_parser(sub)
    return parser


def _resident_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    resident = sub.add_parser(
        "resident",
        help="show or stop the site's resident build process (see `build`)",
        description="`briefgen build` runs in a long-lived process per site folder, which keeps "
        "the last build in memory; it exits after BRIEFGEN_RESIDENT_IDLE seconds (default 900) "
        "without a build. Off with --no-resident, BRIEFGEN_RESIDENT=0, and when CI is set.",
    )
    actions = resident.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser("status", help="pid, site, idle time and memory of the process")
    status.add_argument("dir", nargs="?", default=".", type=Path, metavar="DIR")
    status.add_argument("--format", choices=("text", "json"), default="text")
    stop = actions.add_parser("stop", help="stop it (after the build it is running, if any)")
    stop.add_argument("dir", nargs="?", default=".", type=Path, metavar="DIR")


def run() -> None:
    """The `briefgen` command: main(), then exit without tearing the interpreter down.

    Teardown frees a big site's objects one by one for nothing (a third of a second at 4,000
    briefings). Every file briefgen writes is closed by then; only the console needs a flush.
    """
    try:
        code = main()
    except KeyboardInterrupt:  # Ctrl-C: the output is whole (atomic publish), say no more
        print("briefgen: interrupted", file=sys.stderr)
        code = 130
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    console = Console.from_env(quiet=getattr(args, "quiet", False))
    if args.command == "build":
        from briefgen.resident import client

        if client.wanted(args.no_resident):
            given = list(argv) if argv is not None else sys.argv[1:]
            output = args.output if args.output is not None else args.dir / "site"
            code = client.build(given, args.dir, output, console)
            if code is not None:
                return code
        gc.disable()  # one build, then exit: the collector would only walk the model again
    return execute(args, console)


def execute(args: argparse.Namespace, console: Console, rebuild: Rebuild | None = None) -> int:
    """Run a parsed command; its exit code. The one path of every command, in-process or, for
    a build, in the resident build process (`rebuild`: its long-lived builder)."""
    try:
        if args.command == "build":
            return _build(args, console, rebuild)
        if args.command == "check":
            return _check(args, console)
        if args.command == "serve":
            from briefgen.serve.server import serve

            site = _site_dir(args)
            return serve(site, args.host, args.port, console, production=args.production)
        if args.command == "init":
            return _init(args, console)
        if args.command == "new":
            return _new(args, console)
        if args.command == "import":
            return _import(args, console)
        if args.command == "resident":
            from briefgen.resident.commands import resident

            return resident(args, console)
    except UsageError as exc:
        console.error(str(exc))
        return EXIT_USAGE
    except SearchIndexError as exc:
        console.error(f"{exc}; the previous site is untouched")
        return EXIT_USAGE
    except ContentError as exc:
        strict = getattr(args, "strict", False)
        _report(exc.diagnostics.sorted(), getattr(args, "format", "text"), strict, console)
        errors = plural(len(exc.diagnostics.errors(strict=strict)), "error")
        console.failure(errors if args.command == "check" else f"{errors}; nothing was written")
        return EXIT_CONTENT
    except Exception as exc:
        # A theme template that raises, an OS error, input nested past the recursion limit:
        # one line (a diagnostic with a place when there is one), never a traceback.
        return _failed(exc, args, console)
    return EXIT_USAGE


def _failed(exc: BaseException, args: argparse.Namespace, console: Console) -> int:
    import traceback

    from briefgen.failures import debug, explain

    if debug():
        traceback.print_exception(exc, file=console.err)
    site_dir = getattr(args, "dir", None)
    failure = explain(exc, site_dir if isinstance(site_dir, Path) else None)
    if failure.diagnostic is not None:
        console.diagnostics([failure.diagnostic])
        console.failure("the theme has an error; nothing was written")
    elif args.command == "build":
        console.error(f"{failure.line}; the previous site is untouched")
    else:
        console.error(failure.line)
    return failure.exit_code


def _report(items: list[Diagnostic], fmt: str, strict: bool, console: Console) -> None:
    if strict:
        items = [replace(d, severity="error") for d in items]
    console.diagnostics(items, fmt)


def _site_dir(args: argparse.Namespace) -> Path:
    site_dir: Path = args.dir
    if not (site_dir / "content").is_dir():
        raise UsageError(
            f"{site_dir} has no content/ directory; is it a briefgen site? "
            "(`briefgen init` starts one)"
        )
    return site_dir


def _check(args: argparse.Namespace, console: Console) -> int:
    import time

    from briefgen.build.pipeline import BuildOptions, prepare

    started = time.perf_counter()
    options = BuildOptions(_site_dir(args), drafts=args.drafts, strict=args.strict)
    with console.progress("checking"):
        prepared = prepare(options)
    site, diags = prepared.site, prepared.diagnostics
    _report(diags.sorted(), args.format, args.strict, console)
    if args.format == "text":
        _skipped_drafts(prepared.skipped_drafts, console)
        annotations = sum(len(b.annotations) for b in site.briefings)
        warnings = plural(len(diags.items), "warning") if diags.items else "no problems"
        console.summary(
            f"checked {plural(len(site.briefings), 'briefing')}, "
            f"{plural(annotations, 'annotation')}: {warnings} "
            f"({time.perf_counter() - started:.2f} s)"
        )
    return EXIT_OK


def _skipped_drafts(paths: Sequence[str], console: Console) -> None:
    """Say which drafts were left out: "1 draft skipped: content/briefings/x.md"."""
    if paths:
        shown = ", ".join(paths[:5]) + (", ..." if len(paths) > 5 else "")
        console.info(f"{plural(len(paths), 'draft')} skipped: {shown} (--drafts includes them)")


def _build(args: argparse.Namespace, console: Console, rebuild: Rebuild | None = None) -> int:
    from briefgen.build.inputs import BuildOptions, state

    site_dir = _site_dir(args)
    options = BuildOptions(
        site_dir=site_dir,
        out_dir=args.output,
        base_url=args.base_url,
        drafts=args.drafts,
        search=not args.no_search,
        strict=args.strict,
        jobs=args.jobs,
    )
    if rebuild is None:
        start = state(options)
        if start.unchanged and start.previous is not None:  # without loading the pipeline
            done = _totals(start.previous.pages, start.previous.annotations)
            console.summary(f"nothing changed: {options.output} is up to date ({done})")
            return EXIT_OK
        from briefgen.build.pipeline import build

        def once(options: BuildOptions) -> BuildResult:
            return build(options, start=start)

        rebuild = once

    with console.progress("building"):
        result = rebuild(options)
    _report(result.diagnostics.sorted(), "text", args.strict, console)
    _skipped_drafts(result.skipped_drafts, console)
    totals = _totals(result.pages, result.annotations)
    if result.unchanged:
        console.summary(f"nothing changed: {result.out_dir} is up to date ({totals})")
    else:
        console.summary(
            f"built {totals} into {result.out_dir} in {result.seconds:.2f} s "
            f"({result.rendered} rendered, {plural(result.written, 'file')} written)"
        )
    return EXIT_OK


def _totals(pages: int, annotations: int) -> str:
    return f"{plural(pages, 'page')}, {plural(annotations, 'annotation')}"


def _init(args: argparse.Namespace, console: Console) -> int:
    from briefgen.scaffold.init import init

    site_dir: Path = args.dir
    written, kept = init(site_dir, args.force)
    for path in kept:
        console.info(f"kept {path} (it exists)")
    console.summary(
        f"created a site in {site_dir} ({plural(len(written), 'file')}); next: "
        f"cd {site_dir} && briefgen serve"
    )
    return EXIT_OK


def _new(args: argparse.Namespace, console: Console) -> int:
    from briefgen.scaffold.skeleton import new

    site_dir: Path = args.dir
    path = new(site_dir, args.title, args.seed, args.date)
    console.summary(f"created {path}")
    return EXIT_OK


def _import(args: argparse.Namespace, console: Console) -> int:
    from briefgen.scaffold.skeleton import import_seeds

    paths: list[Path] = list(args.paths)
    site_dir = Path(".")
    if len(paths) > 1 and paths[-1].is_dir():
        site_dir = paths.pop()
    elif paths[-1].is_dir():
        raise UsageError(f"{paths[-1]} is a directory; give at least one seed file before DIR")
    for path in import_seeds(site_dir, [(p, str(p)) for p in paths], args.title, args.date):
        console.summary(f"created {path}")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Command line: `briefgen build|check|serve|new|import`. Exit 0 ok, 1 content errors, 2 usage."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from briefgen import __version__
from briefgen.diagnostics import ContentError, Diagnostic, UsageError, format_diagnostics

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
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

    check = sub.add_parser("check", help="validate everything a build would, write nothing")
    check.add_argument("dir", nargs="?", default=".", type=Path, metavar="DIR")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--drafts", action="store_true", help="check draft briefings too")
    check.add_argument("--format", choices=("text", "json", "github"), default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "check":
            return _check(args)
    except UsageError as exc:
        print(f"briefgen: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ContentError as exc:
        _report(exc.diagnostics.sorted(), getattr(args, "format", "text"), args)
        errors = len(exc.diagnostics.errors(strict=getattr(args, "strict", False)))
        print(f"briefgen: {errors} error(s); nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    return EXIT_USAGE


def _report(items: list[Diagnostic], fmt: str, args: argparse.Namespace) -> None:
    if getattr(args, "strict", False):
        from dataclasses import replace

        items = [replace(d, severity="error") for d in items]
    if fmt == "json":
        print(format_diagnostics(items, fmt))
    elif items:
        print(format_diagnostics(items, fmt), file=sys.stderr)


def _site_dir(args: argparse.Namespace) -> Path:
    site_dir: Path = args.dir
    if not (site_dir / "content").is_dir():
        raise UsageError(f"{site_dir} has no content/ directory; is it a briefgen site?")
    return site_dir


def _check(args: argparse.Namespace) -> int:
    from briefgen.build import BuildOptions, prepare

    options = BuildOptions(_site_dir(args), drafts=args.drafts, strict=args.strict)
    _site, diags = prepare(options)
    items = diags.sorted()
    if args.format == "json":
        print(format_diagnostics(items, "json"))  # stdout: a document for tools to read
    else:
        _report(items, args.format, args)
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from briefgen.build import BuildOptions, build

    site_dir = _site_dir(args)
    options = BuildOptions(
        site_dir=site_dir,
        out_dir=args.output,
        base_url=args.base_url,
        drafts=args.drafts,
        search=not args.no_search,
        strict=args.strict,
    )
    result = build(options)
    _report(result.diagnostics.sorted(), "text", args)
    if not args.quiet:
        print(
            f"built {result.pages} pages, {result.annotations} annotations "
            f"into {result.out_dir} in {result.seconds:.2f}s",
            file=sys.stderr if os.environ.get("CI") else sys.stdout,
        )
    return EXIT_OK

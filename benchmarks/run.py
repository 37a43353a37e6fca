"""Benchmark briefgen against Hugo (and Hugo + Pagefind) on the same synthetic texts.

    python -m benchmarks.run [--sizes 1000,4000] [--repeat 3] [--memory 10000]
                             [--growth 1000,4000,16000] [--skip PARTS] [--json OUT]

For each size N the corpus is generated once (cached in benchmarks/out/corpus-N/), then each
round runs, alternating the tools: briefgen cold without search, Hugo cold, briefgen cold with
search, Hugo + Pagefind (briefgen in fresh processes: --no-resident), then briefgen rebuilds:
nothing changed and two edits in fresh processes, then the same handed to the site's resident
build process (the one that starts it, two warm edits, nothing changed, a template). Then,
per size: a reader's first search on both built sites in Chromium (requests and bytes), and
`briefgen serve` (save to page, save to search index). Then the memory run and the growth
curve. Medians over the rounds are printed as Markdown tables and, with --json, written with
every single run. Every run checks its output, so a broken build is an error, never a fast
figure. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import corpus, prepare, reader, report
from benchmarks.cold import cold_round, describe
from benchmarks.growth import bench_growth
from benchmarks.growth import table as growth_table
from benchmarks.measure import (
    MB,
    BenchError,
    Run,
    empty_trash,
    expect_index,
    expect_pages,
    expect_text,
    log,
    measure,
    output_of,
    rmtree,
)
from benchmarks.prepare import OUT, REPO, Corpus, briefgen_cmd
from benchmarks.serve import bench_serve

PARTS = ("demo", "sizes", "reader", "serve", "memory")


@dataclass
class Figures:
    """Every run of one corpus (seconds and bytes), by figure name."""

    n: int
    seconds: dict[str, list[float]] = field(default_factory=dict)
    peak_rss: dict[str, list[int]] = field(default_factory=dict)
    peak_pss: dict[str, list[int]] = field(default_factory=dict)
    html_files: dict[str, int] = field(default_factory=dict)
    index_bytes: dict[str, int] = field(default_factory=dict)
    resident_bytes: list[int] = field(default_factory=list)  # its memory after the edits
    floor: dict[str, float] = field(default_factory=dict)  # floor.py's figures, once a size

    def add(self, name: str, run: Run) -> None:
        self.seconds.setdefault(name, []).append(run.seconds)
        self.peak_rss.setdefault(name, []).append(run.peak_rss)
        self.peak_pss.setdefault(name, []).append(run.peak_pss)

    def summary(self) -> dict[str, Any]:
        med = {k: statistics.median(v) for k, v in self.seconds.items()}
        rss = {k: statistics.median(v) for k, v in self.peak_rss.items()}
        pss = {k: statistics.median(v) for k, v in self.peak_pss.items()}
        ratios = {}
        if "hugo_cold" in med:
            ratios["cold_no_search_vs_hugo"] = med["briefgen_cold_no_search"] / med["hugo_cold"]
            ratios["no_change_rebuild_vs_hugo_cold"] = (
                med["briefgen_rebuild_no_change"] / med["hugo_cold"]
            )
        if "hugo_pagefind" in med:
            ratios["cold_search_vs_hugo_pagefind"] = (
                med["briefgen_cold_search"] / med["hugo_pagefind"]
            )
        if "briefgen_cold_search" in med:
            med["briefgen_indexing"] = med["briefgen_cold_search"] - med["briefgen_cold_no_search"]
        return {
            "n": self.n,
            "median_seconds": med,
            "median_peak_rss_bytes": rss,
            "median_peak_pss_bytes": pss,
            "ratios": ratios,
            "html_files": self.html_files,
            "search_index_bytes": self.index_bytes,
            "resident_memory_bytes": max(self.resident_bytes, default=0),
            "floor": self.floor,
            "runs_seconds": self.seconds,
            "runs_peak_rss_bytes": self.peak_rss,
            "runs_peak_pss_bytes": self.peak_pss,
        }


# --- one size -------------------------------------------------------------------------------


def bench_size(n: int, repeat: int, jobs: list[str], hugo: str) -> Figures:
    """`repeat` rounds of the cold builds (see cold.py), then briefgen's rebuilds: in a fresh
    process (--no-resident) and handed to the site's resident build process (the default)."""
    c = Corpus.of(n)
    out_s = c.out_search
    figures = Figures(n)

    def record(name: str, run: Run) -> None:
        figures.add(name, run)
        log(describe(n, name, run))

    def rebuild(name: str, resident: bool, edit: int | None = None, text: str = "") -> None:
        """Append `text` to briefing `edit` (if any), build, check, record as `name`."""
        if edit is not None:
            with c.edited(edit).open("a", encoding="utf-8") as f:
                f.write(f"\n{text}\n")
        run = measure(c.briefgen_build(out_s, jobs, resident=resident))
        expect_pages(out_s, n, "briefgen")
        expect_index(out_s, n, "briefgen")
        if edit is not None:
            page = out_s / "briefings" / corpus.slug(edit) / "index.html"
            expect_text(page, text, "briefgen")
        record(name, run)

    for r in range(1, repeat + 1):
        log(f"N={n}: round {r}/{repeat}")
        c.resident("stop")  # cold means no resident process either
        c.restore()
        cold = cold_round(c, jobs, hugo, figures.add)
        figures.html_files.update(cold.html_files)
        figures.index_bytes.update(cold.index_bytes)

        rebuild("briefgen_rebuild_no_change", resident=False)
        # A fresh process per build, as with --no-resident (and under CI). The first edit after
        # a cold build makes `briefgen build`'s spare tree from nothing, the next brings it up
        # to date.
        half, quarter, third = n // 2 + 1, n // 4 + 1, n // 3 + 1
        rebuild("briefgen_rebuild_edit_in_process", False, half, f"Bench edit {r}: lorem.")
        rebuild("briefgen_rebuild_another_in_process", False, quarter, f"Bench next {r}: ipsum.")
        # An author's builds, handed to the resident build process: the first starts it (and
        # fills its memory from the cache), the next ones find it warm.
        rebuild("briefgen_rebuild_resident_start", True, third, f"Bench start {r}: dolor.")
        rebuild("briefgen_rebuild_edit_briefing", True, half, f"Bench resident {r}: sit.")
        rebuild("briefgen_rebuild_edit_another", True, quarter, f"Bench resident {r}: amet.")
        rebuild("briefgen_rebuild_no_change_resident", resident=True)
        figures.resident_bytes.append(_resident_memory(c))

        comment = f"<!-- benchmark template edit {r} -->"
        template = prepare.theme_template().read_text(encoding="utf-8")
        marked = template.replace("{% block main %}", "{% block main %}" + comment, 1)
        override = c.site / "themes" / "default" / "templates" / "briefing.html"
        override.parent.mkdir(parents=True, exist_ok=True)
        override.write_text(marked if marked != template else template + comment, encoding="utf-8")
        run = measure(c.briefgen_build(out_s, jobs, resident=True))
        expect_text(out_s / "briefings" / corpus.slug(half) / "index.html", comment, "briefgen")
        record("briefgen_rebuild_edit_template", run)
        c.resident("stop")
    c.restore()
    log(f"N={n}: the libraries' floor (floor.py)")
    command = [sys.executable, "-m", "benchmarks.floor", str(c.site), *jobs[1:2]]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    if done.returncode != 0:
        raise BenchError(f"floor.py failed:\n{done.stderr}")
    figures.floor = json.loads(done.stdout)
    log(f"  N={n} floor {figures.floor}")
    return figures


def _resident_memory(c: Corpus) -> int:
    """The resident build process's memory now (bytes, as `briefgen resident status` says)."""
    said = json.loads(c.resident("status"))
    return int(said["memory"])


def bench_reader(n: int, jobs: list[str], hugo: str, queries: list[str]) -> dict[str, Any]:
    """A reader's first search (see reader.py) on the N corpus built by briefgen (with search)
    and by Hugo + Pagefind. Brings both builds up to date with the unedited corpus first
    (untimed: briefgen incrementally, Hugo + Pagefind only when its output is missing)."""
    c = Corpus.of(n)
    c.restore()
    log(f"reader: N={n} bringing both sites up to date ...")
    measure(c.briefgen_build(c.out_search, jobs))
    expect_pages(c.out_search, n, "briefgen")
    expect_index(c.out_search, n, "briefgen")
    try:
        expect_pages(c.out_hugo, n, "hugo")
        expect_index(c.out_hugo, n, "pagefind")
        if not (c.out_hugo / "search" / "index.html").is_file():
            raise BenchError("hugo: no search page")
    except (BenchError, OSError):
        rmtree(c.out_hugo)
        measure(c.hugo_build(hugo))
        measure(c.pagefind_on_hugo())
        expect_index(c.out_hugo, n, "pagefind")
    sites = {"briefgen": c.out_search, "hugo": c.out_hugo}
    try:
        result = reader.measure_sites(sites, queries)
    except reader.ReaderError as exc:
        raise BenchError(f"reader's first search at N={n}: {exc}") from None
    for name in sites:
        for query, t in zip(queries, result["tallies"][name], strict=True):
            log(
                f"  {name:<8} {query!r:<16} {t['requests']:3d} requests "
                f"({t['search_requests']} under /pagefind/), {t['bytes'] / 1024:,.0f} KiB "
                f"({t['search_bytes'] / 1024:,.0f} KiB)"
            )
    return result


# --- the demo site and the memory run -------------------------------------------------------


def bench_demo(repeat: int, jobs: list[str]) -> dict[str, Any]:
    """Cold builds of the demo site, from a copy (content/, seeds/): the work tree is untouched."""
    root = OUT / "demo"
    rmtree(root)
    shutil.copytree(REPO / "content", root / "content")
    if (REPO / "seeds").is_dir():
        shutil.copytree(REPO / "seeds", root / "seeds")
    n = sum(1 for _ in (root / "content" / "briefings").glob("*.md"))
    out = root / "site"
    no_search: list[float] = []
    search: list[float] = []
    index = 0
    for _ in range(repeat):
        for runs, extra in ((no_search, ["--no-search"]), (search, [])):
            rmtree(out)
            rmtree(root / ".briefgen-cache")
            cmd = briefgen_cmd(
                "build", str(root), "-o", str(out), "--quiet", "--no-resident", *jobs, *extra
            )
            runs.append(measure(cmd).seconds)
            expect_pages(out, n, "briefgen (demo)")
            if not extra:
                index = expect_index(out, n, "briefgen (demo)")
    result = {
        "briefings": n,
        "cold_no_search_seconds": statistics.median(no_search),
        "cold_search_seconds": statistics.median(search),
        "indexing_seconds": statistics.median(search) - statistics.median(no_search),
        "search_index_bytes": index,
    }
    log(f"demo: {result}")
    return result


def bench_memory(n: int, jobs: list[str]) -> dict[str, Any]:
    """Cold builds of the N corpus, without and with search: their peak memory."""
    c = Corpus.of(n)
    c.restore()
    out = c.out_search
    result: dict[str, Any] = {"n": n}
    for name, extra in (("no_search", ["--no-search"]), ("search", [])):
        c.cold(out)
        log(f"memory: N={n} briefgen cold build, {name.replace('_', ' ')} ...")
        run = measure(c.briefgen_build(out, jobs, *extra))
        expect_pages(out, n, "briefgen")
        if not extra:
            result["index_bytes"] = expect_index(out, n, "briefgen")
        result[name] = {
            "seconds": run.seconds,
            "peak_pss_bytes": run.peak_pss,
            "peak_rss_bytes": run.peak_rss,
        }
        peaks = f"{run.peak_pss / MB:.0f} MB PSS, {run.peak_rss / MB:.0f} MB RSS"
        log(f"  {run.seconds:.2f} s, peak {peaks}")
    rmtree(out)
    return result


# --- the whole run --------------------------------------------------------------------------


def environment(jobs: list[str], hugo: str) -> dict[str, Any]:
    git = ["git", "-C", str(REPO)]
    return {
        "commit": output_of([*git, "log", "-1", "--oneline"]),
        "dirty": bool(output_of([*git, "status", "--porcelain", "--untracked-files=no"])),
        "briefgen": output_of(briefgen_cmd("--version")),
        "briefgen_src": str(prepare.SRC),
        "briefgen_src_digest": prepare.source_digest(),
        "briefgen_jobs_option": prepare.supports_jobs(),
        "briefgen_args": jobs,
        "hugo": output_of([hugo, "version"]),
        "pagefind": output_of([sys.executable, "-m", "pagefind_bin", "--version"]),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "date": time.strftime("%Y-%m-%d"),
        "loadavg_at_start": os.getloadavg(),
    }


def sizes_list(text: str) -> list[int]:
    """ "1000,4000" -> [1000, 4000]; "" -> []. Raises ValueError on anything else."""
    sizes = [int(s) for s in text.split(",") if s.strip()]
    if any(n < 1 for n in sizes):
        raise ValueError(f"sizes must be positive: {text}")
    return sizes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--sizes", default="1000,4000", help="corpus sizes (default 1000,4000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (default 3)")
    parser.add_argument(
        "--memory", type=int, default=10_000, metavar="N", help="memory run size, 0 to skip"
    )
    parser.add_argument(
        "--growth",
        default="",
        metavar="SIZES",
        help="growth curve: one round of cold builds at each size, e.g. 1000,4000,16000",
    )
    parser.add_argument(
        "--queries",
        default=",".join(reader.QUERIES),
        help=f"the reader's queries, comma-separated (default {','.join(reader.QUERIES)})",
    )
    parser.add_argument(
        "--skip",
        default="",
        metavar="PARTS",
        help=f"parts to leave out, comma-separated: {', '.join(PARTS)} "
        "(sizes: the rounds of the table; reader and serve still run for each size)",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="write every figure here")
    parser.add_argument("--jobs", type=int, help="pass --jobs N to briefgen (if it has it)")
    parser.add_argument("--src", type=Path, help="run briefgen from this src/ directory")
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="measure a copy of the working tree's src/ and themes/ (immune to edits meanwhile)",
    )
    parser.add_argument("--no-demo", action="store_true", help="same as --skip demo")
    parser.add_argument("--no-serve", action="store_true", help="same as --skip serve")
    args = parser.parse_args(argv)
    try:
        args.sizes = sizes_list(args.sizes)
        args.growth = sizes_list(args.growth)
    except ValueError as exc:
        parser.error(str(exc))
    skip = {p.strip() for p in args.skip.split(",") if p.strip()}
    if skip - set(PARTS):
        parser.error(f"--skip: unknown parts {', '.join(sorted(skip - set(PARTS)))}")
    skip |= {"demo"} if args.no_demo else set()
    skip |= {"serve"} if args.no_serve else set()
    args.skip = skip
    args.queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    if args.repeat < 1 or not args.queries:
        parser.error("--repeat must be at least 1 and --queries name a query")
    return args


def print_report(
    env: dict[str, Any],
    args: argparse.Namespace,
    results: list[dict[str, Any]],
    memory: dict[str, Any] | None,
    growth: list[dict[str, Any]] | None,
    demo: dict[str, Any] | None,
) -> None:
    dirty = " + uncommitted changes" if env["dirty"] else ""
    hugo_version = env["hugo"].split()[1] if len(env["hugo"].split()) > 1 else "?"
    print(
        f"briefgen {env['briefgen_src_digest']} at {env['commit']}{dirty}; "
        f"hugo {hugo_version}; {env['pagefind']}; {env['cpus']} CPUs; "
        f"{args.repeat} rounds, medians.\n"
    )
    if results and "sizes" not in args.skip:
        print(report.table(results, memory))
    elif memory is not None:
        print(report.memory_lines(memory))
    for result in results:
        if "reader" in result:
            print("\n" + report.reader_table(result["n"], result["reader"]))
    if growth:
        print("\nGrowth (one round per size, also at the largest; in brackets: the whole build):")
        print("\n" + growth_table(growth))
    if demo is not None:
        print(
            f"\nDemo site ({demo['briefings']} briefing): search index "
            f"{demo['search_index_bytes'] / 1024:,.0f} KiB, indexing "
            f"{report.seconds(demo['indexing_seconds'])} (cold "
            f"{report.seconds(demo['cold_search_seconds'])} with search, "
            f"{report.seconds(demo['cold_no_search_seconds'])} without)."
        )


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = parse_args(argv)
    if args.src is not None:
        prepare.use_source(args.src)
    elif args.snapshot:
        prepare.use_source(prepare.snapshot())
    prepare.compile_source()
    # Where a step asks for the resident build process, it is on even under CI (the rows
    # that want a fresh process pass --no-resident, which wins).
    os.environ["BRIEFGEN_RESIDENT"] = "1"
    hugo = prepare.ensure_hugo()
    prepare.ensure_pagefind()
    jobs: list[str] = []
    if args.jobs is not None:
        if prepare.supports_jobs():
            jobs = ["--jobs", str(args.jobs)]
        else:
            log("briefgen build has no --jobs option: ignoring --jobs")
    env = environment(jobs, hugo)
    dirty = " + uncommitted changes" if env["dirty"] else ""
    log(f"measuring {prepare.SRC} ({env['briefgen_src_digest']}) at {env['commit']}{dirty}")

    skip = args.skip
    # Figures gathered before a failure are still reported (and written): a long run that
    # fails at its last part keeps the others.
    demo: dict[str, Any] | None = None
    results: list[dict[str, Any]] = []
    memory: dict[str, Any] | None = None
    growth: list[dict[str, Any]] | None = [] if args.growth else None
    failed = False
    try:
        demo = None if "demo" in skip else bench_demo(args.repeat, jobs)
        for n in args.sizes:
            result = (
                {"n": n} if "sizes" in skip else bench_size(n, args.repeat, jobs, hugo).summary()
            )
            if "reader" not in skip:
                result["reader"] = bench_reader(n, jobs, hugo, args.queries)
            if "serve" not in skip:
                result["serve"] = bench_serve(n)
            results.append(result)
        if "memory" not in skip and args.memory > 0:
            memory = bench_memory(args.memory, jobs)
        if growth is not None:
            bench_growth(args.growth, jobs, hugo, growth)
    except BenchError as e:
        print(f"benchmark failed: {e}", file=sys.stderr)
        failed = True

    print_report(env, args, results, memory, growth, demo)
    empty_trash()  # after the last measurement: its deletes slow the disk for minutes
    elapsed = time.perf_counter() - started
    if failed:
        print("\nThe run FAILED (see the error above): the figures above are what it measured.")
    print(f"\nThe whole run took {elapsed / 60:.1f} min ({elapsed:.0f} s).")
    if args.json:
        env["loadavg_at_end"] = os.getloadavg()
        env["run_seconds"] = elapsed
        data = {
            "environment": env,
            "sizes": results,
            "memory": memory,
            "growth": growth,
            "demo": demo,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

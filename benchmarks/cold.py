"""One round of cold builds, alternating the tools on one corpus (the table's rounds and the
growth curve both run it): briefgen without search, Hugo, briefgen with search, Hugo + Pagefind.

Each build starts from nothing (no output directory, no briefgen cache) and is checked: N
briefing pages, and a search index of at least N records where there is one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.measure import MB, Run, expect_index, expect_pages, log, measure, rmtree
from benchmarks.prepare import Corpus

COLD = ("briefgen_cold_no_search", "hugo_cold", "briefgen_cold_search", "hugo_pagefind")


@dataclass
class ColdRound:
    runs: dict[str, Run] = field(default_factory=dict)  # COLD's figures and pagefind_on_hugo
    html_files: dict[str, int] = field(default_factory=dict)  # by tool
    index_bytes: dict[str, int] = field(default_factory=dict)  # by tool


def describe(n: int, name: str, run: Run) -> str:
    memory = f"{run.peak_pss / MB:6.0f} MB PSS {run.peak_rss / MB:6.0f} MB RSS"
    return f"  N={n} {name:<32} {run.seconds:8.2f} s {memory}"


def cold_round(
    c: Corpus, jobs: list[str], hugo: str, on_run: Callable[[str, Run], None] | None = None
) -> ColdRound:
    """The four cold builds of corpus c; leaves c.out_search and c.out_hugo (with its Pagefind
    index) built, removes c.out_no_search."""
    result = ColdRound()

    def record(name: str, run: Run) -> None:
        result.runs[name] = run
        log(describe(c.n, name, run))
        if on_run is not None:
            on_run(name, run)

    c.cold(c.out_no_search)
    run = measure(c.briefgen_build(c.out_no_search, jobs, "--no-search"))
    expect_pages(c.out_no_search, c.n, "briefgen")
    record("briefgen_cold_no_search", run)
    rmtree(c.out_no_search)

    rmtree(c.out_hugo)
    run = measure(c.hugo_build(hugo))
    result.html_files["hugo"] = expect_pages(c.out_hugo, c.n, "hugo")
    record("hugo_cold", run)

    c.cold(c.out_search)
    run = measure(c.briefgen_build(c.out_search, jobs))
    result.html_files["briefgen"] = expect_pages(c.out_search, c.n, "briefgen")
    result.index_bytes["briefgen"] = expect_index(c.out_search, c.n, "briefgen")
    record("briefgen_cold_search", run)

    rmtree(c.out_hugo)
    hugo_run = measure(c.hugo_build(hugo))
    expect_pages(c.out_hugo, c.n, "hugo")
    pagefind_run = measure(c.pagefind_on_hugo())
    result.index_bytes["hugo"] = expect_index(c.out_hugo, c.n, "pagefind")
    record("pagefind_on_hugo", pagefind_run)
    peaks = (hugo_run, pagefind_run)
    seconds = hugo_run.seconds + pagefind_run.seconds
    both = Run(seconds, max(r.peak_rss for r in peaks), max(r.peak_pss for r in peaks))
    record("hugo_pagefind", both)
    return result

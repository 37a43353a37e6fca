"""The growth curve's arithmetic: time and memory per 1,000 briefings, and how flat they are."""

from __future__ import annotations

from benchmarks.cold import COLD
from benchmarks.growth import per_thousand, point, spread, table
from benchmarks.measure import MB, Run


def runs(seconds: float, mb: float) -> dict[str, Run]:
    return {name: Run(seconds * (k + 1), 0, int(mb * (k + 1) * MB)) for k, name in enumerate(COLD)}


def test_figures_per_thousand_briefings() -> None:
    assert per_thousand(4000, 10.0) == 2.5
    p = point(4000, runs(10.0, 200.0))
    assert p["seconds_per_1000"]["briefgen_cold_no_search"] == 2.5
    assert p["mb_per_1000"]["briefgen_cold_no_search"] == 50.0
    assert p["seconds_per_1000"]["hugo_cold"] == 5.0  # the second tool's run took twice as long
    assert p["peak_pss_bytes"]["hugo_pagefind"] == 800 * MB


def test_spread_is_one_when_the_cost_per_briefing_is_flat() -> None:
    flat = [point(1000, runs(2.0, 100.0)), point(4000, runs(8.0, 400.0))]
    growing = [point(16000, runs(48.0, 3200.0)), point(1000, runs(2.0, 100.0))]
    for tool in COLD:
        assert spread(flat, "seconds_per_1000", tool) == 1.0
        assert spread(flat, "mb_per_1000", tool) == 1.0
        # ordered by size, whatever the order measured: 3.0 s per 1,000 at 16k against 2.0 s
        assert spread(growing, "seconds_per_1000", tool) == 1.5
        assert spread(growing, "mb_per_1000", tool) == 2.0


def test_table_has_a_column_per_size_and_a_row_per_tool_and_figure() -> None:
    text = table([point(4000, runs(8.0, 400.0)), point(1000, runs(2.0, 100.0))])
    lines = text.splitlines()
    assert lines[0].index("N = 1,000") < lines[0].index("N = 4,000")
    assert len(lines) == 2 + 2 * len(COLD)
    assert all(line.count("|") == 5 for line in lines)
    assert all(line.endswith("| 1.00× |") for line in lines[2:])

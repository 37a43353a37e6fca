"""The growth curve: one round of the four cold builds per corpus size, and the time and peak
memory per 1,000 briefings at each size (flat from size to size is what scaling well means).

    python -m benchmarks.run --growth 1000,4000,16000
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from benchmarks.cold import COLD, cold_round
from benchmarks.measure import MB, Run, log, rmtree
from benchmarks.prepare import Corpus

LABELS = {
    "briefgen_cold_no_search": "briefgen cold, no search",
    "hugo_cold": "Hugo cold",
    "briefgen_cold_search": "briefgen cold, with search",
    "hugo_pagefind": "Hugo + Pagefind",
}


def per_thousand(n: int, value: float) -> float:
    """value (seconds or bytes for n briefings) per 1,000 briefings."""
    return value * 1000 / n


def point(n: int, runs: dict[str, Run]) -> dict[str, Any]:
    """One size's figures: seconds and peak PSS per tool, and both per 1,000 briefings."""
    return {
        "n": n,
        "seconds": {k: runs[k].seconds for k in COLD},
        "peak_pss_bytes": {k: runs[k].peak_pss for k in COLD},
        "seconds_per_1000": {k: per_thousand(n, runs[k].seconds) for k in COLD},
        "mb_per_1000": {k: per_thousand(n, runs[k].peak_pss / MB) for k in COLD},
    }


def spread(points: Sequence[dict[str, Any]], key: str, tool: str) -> float:
    """The per-1,000 figure at the largest size over the one at the smallest: 1.0 is flat,
    above 1 means each briefing costs more as the site grows."""
    ordered = sorted(points, key=lambda p: p["n"])
    first, last = ordered[0][key][tool], ordered[-1][key][tool]
    return float(last / first) if first else float("inf")


def table(points: Sequence[dict[str, Any]]) -> str:
    ordered = sorted(points, key=lambda p: p["n"])
    ns = [p["n"] for p in ordered]
    head = "| figure (one round per size) | " + " | ".join(f"N = {n:,}" for n in ns)
    head += f" | N = {ns[-1]:,} / N = {ns[0]:,} |"
    lines = [head, "|---" * (len(ns) + 2) + "|"]
    for tool, label in LABELS.items():
        cells = [
            f"{p['seconds_per_1000'][tool]:.2f} s ({p['seconds'][tool]:.1f} s)" for p in ordered
        ]
        flat = f"{spread(ordered, 'seconds_per_1000', tool):.2f}×"
        lines.append(f"| {label}: time per 1,000 | {' | '.join(cells)} | {flat} |")
    for tool, label in LABELS.items():
        cells = [
            f"{p['mb_per_1000'][tool]:,.0f} MB ({p['peak_pss_bytes'][tool] / MB:,.0f} MB)"
            for p in ordered
        ]
        flat = f"{spread(ordered, 'mb_per_1000', tool):.2f}×"
        lines.append(f"| {label}: peak PSS per 1,000 | {' | '.join(cells)} | {flat} |")
    return "\n".join(lines)


def bench_growth(
    sizes: Sequence[int], jobs: list[str], hugo: str, points: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One round of cold builds at each size, appended to `points` as it is measured (a
    failure keeps the sizes before it). The corpus is generated first, untimed, unless cached;
    the outputs are removed afterwards (16,000 briefings take gigabytes)."""
    for n in sizes:
        started = time.perf_counter()
        c = Corpus.of(n)
        c.restore()
        log(f"growth: N={n} (corpus ready in {time.perf_counter() - started:.1f} s)")
        try:
            points.append(point(n, cold_round(c, jobs, hugo).runs))
        finally:
            rmtree(c.out_search)
            rmtree(c.out_no_search)
            rmtree(c.out_hugo)
    return points

"""The benchmark's report: Markdown tables of the figures (medians over the rounds)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks.measure import MB


def _optional(s: dict[str, Any], name: str) -> str:
    """A figure that runs before this pass did not measure: "–" there."""
    return _s(s[MED][name]) if name in s[MED] else "–"


def _s(x: float) -> str:
    return f"{x:.2f} s" if x >= 0.1 else f"{x * 1000:.0f} ms"


seconds = _s


def _floor(s: dict[str, Any], search: bool) -> str:
    """The libraries' share of a cold build (floor.py) against the peer's whole build."""
    floor = s.get("floor")
    if not floor:
        return "–"
    seconds = (floor["markdown_cpu"] + floor["yaml_cpu"]) / floor["jobs"]
    peer = s[MED]["hugo_cold"]
    if search:
        seconds += floor["pagefind_wall"]
        peer = s[MED]["hugo_pagefind"]
    return f"{_s(seconds)} = {_ratio(seconds / peer)}"


def _mb(x: float) -> str:
    return f"{x / MB:,.0f} MB" if x >= 10 * MB else f"{x / MB:.1f} MB"


def _ratio(x: float) -> str:
    return f"{x:.2f}×"


def _kb(x: float) -> str:
    return f"{x / 1024:,.0f} KiB"


def _reader_pair(s: dict[str, Any], key: str, fmt: Callable[[float], str]) -> str:
    if "reader" not in s:
        return "–"
    med = s["reader"]["medians"]
    return f"{fmt(med['briefgen'][key])} / {fmt(med['hugo'][key])}"


def reader_table(n: int, reader: dict[str, Any]) -> str:
    """Each query's first search on both sites: requests and bytes, in all and under
    /pagefind/, and the ratios briefgen / Hugo."""
    lines = [
        f"A reader's first search at N = {n:,} (fresh browser per query; requests and "
        "response-body bytes from opening /search/ until the results show and the network "
        "settles; in brackets: the part under /pagefind/):",
        "",
        "| query | briefgen requests | Hugo + Pagefind requests | briefgen bytes "
        "| Hugo + Pagefind bytes | ratio requests | ratio bytes |",
        "|---|---|---|---|---|---|---|",
    ]
    ours, theirs = reader["tallies"]["briefgen"], reader["tallies"]["hugo"]
    for query, a, b, r in zip(reader["queries"], ours, theirs, reader["ratios"], strict=True):
        lines.append(
            f"| {query} | {a['requests']} ({a['search_requests']}) "
            f"| {b['requests']} ({b['search_requests']}) "
            f"| {_kb(a['bytes'])} ({_kb(a['search_bytes'])}) "
            f"| {_kb(b['bytes'])} ({_kb(b['search_bytes'])}) "
            f"| {_ratio(r['requests'])} | {_ratio(r['bytes'])} |"
        )
    w = reader["worst_ratios"]
    ok = "met" if max(w["requests"], w["bytes"]) <= 1.5 else "**missed**"
    lines.append(
        f"\nWorst query, briefgen / Hugo + Pagefind: {_ratio(w['requests'])} the requests, "
        f"{_ratio(w['bytes'])} the bytes (target ≤ 1.5×: {ok})."
    )
    failed = [
        f"{name}: {f}"
        for name, tallies in reader["tallies"].items()
        for f in sorted({f for t in tallies for f in t["failed"]})
    ]
    if failed:
        lines.append(f"\nCounted, though answered with an error: {'; '.join(failed)}.")
    return "\n".join(lines)


def memory_lines(memory: dict[str, Any]) -> str:
    lines = []
    for name, what in (("no_search", "without search"), ("search", "with search")):
        run = memory[name]
        ok = "met" if run["peak_pss_bytes"] < 1024 * MB else "**missed**"
        lines.append(
            f"Memory at N = {memory['n']:,}, briefgen cold build {what}: peak "
            f"{_mb(run['peak_pss_bytes'])} PSS (all processes; target < 1 GB: {ok}), "
            f"{_mb(run['peak_rss_bytes'])} summed RSS, {_s(run['seconds'])}."
        )
    return "\n".join(lines)


Cell = Callable[[dict[str, Any]], str]
Check = Callable[[dict[str, Any]], bool]
MED = "median_seconds"


# The main table, one entry per row: label, the cell of one size's summary, the target, and
# whether the largest size meets it.
def _memory_rows() -> list[tuple[str, Cell, str, Check | None]]:
    """Peak memory of the four cold builds, PSS then summed RSS."""
    runs = [
        ("briefgen cold, no search", "briefgen_cold_no_search"),
        ("briefgen cold, with search", "briefgen_cold_search"),
        ("Hugo", "hugo_cold"),
        ("Hugo + Pagefind", "hugo_pagefind"),
    ]
    rows: list[tuple[str, Cell, str, Check | None]] = []
    for label, field in (
        ("peak memory (PSS)", "median_peak_pss_bytes"),
        ("peak RSS", "median_peak_rss_bytes"),
    ):
        for name, run in runs:
            cell: Cell = lambda s, field=field, run=run: _mb(s[field][run])  # noqa: E731
            rows.append((f"{label} {name}", cell, "", None))
    return rows


ROWS: list[tuple[str, Cell, str, Check | None]] = [
    ("briefgen cold, no search", lambda s: _s(s[MED]["briefgen_cold_no_search"]), "", None),
    ("Hugo cold", lambda s: _s(s[MED]["hugo_cold"]), "", None),
    (
        "**ratio** cold no search / Hugo",
        lambda s: _ratio(s["ratios"]["cold_no_search_vs_hugo"]),
        "≤ 1.0",
        lambda s: s["ratios"]["cold_no_search_vs_hugo"] <= 1.0,
    ),
    (
        "floor: markdown-it-py + PyYAML alone, CPU / cores (floor.py), / Hugo cold",
        lambda s: _floor(s, search=False),
        "",
        None,
    ),
    ("briefgen cold, with search", lambda s: _s(s[MED]["briefgen_cold_search"]), "", None),
    ("Hugo + Pagefind", lambda s: _s(s[MED]["hugo_pagefind"]), "", None),
    (
        "**ratio** cold with search / Hugo + Pagefind",
        lambda s: _ratio(s["ratios"]["cold_search_vs_hugo_pagefind"]),
        "≤ 1.0",
        lambda s: s["ratios"]["cold_search_vs_hugo_pagefind"] <= 1.0,
    ),
    (
        "floor: that + Pagefind alone on briefgen's records, / Hugo + Pagefind",
        lambda s: _floor(s, search=True),
        "",
        None,
    ),
    (
        "rebuild, nothing changed (a fresh process)",
        lambda s: _s(s[MED]["briefgen_rebuild_no_change"]),
        "",
        None,
    ),
    (
        "**ratio** no-change rebuild / Hugo cold",
        lambda s: _ratio(s["ratios"]["no_change_rebuild_vs_hugo_cold"]),
        "≤ 0.1",
        lambda s: s["ratios"]["no_change_rebuild_vs_hugo_cold"] <= 0.1,
    ),
    (
        "rebuild, one briefing edited (the resident build process, warm: the default)",
        lambda s: _s(s[MED]["briefgen_rebuild_edit_briefing"]),
        "< 1 s",
        lambda s: s[MED]["briefgen_rebuild_edit_briefing"] < 1.0,
    ),
    (
        "rebuild, another briefing edited next (resident, warm)",
        lambda s: _optional(s, "briefgen_rebuild_edit_another"),
        "< 1 s",
        lambda s: s[MED].get("briefgen_rebuild_edit_another", 99.0) < 1.0,
    ),
    (
        "rebuild, one briefing edited, a fresh process (--no-resident, as under CI)",
        lambda s: _optional(s, "briefgen_rebuild_edit_in_process"),
        "",
        None,
    ),
    (
        "rebuild, another briefing edited next, a fresh process",
        lambda s: _optional(s, "briefgen_rebuild_another_in_process"),
        "",
        None,
    ),
    (
        "the build that starts the resident process (one briefing edited)",
        lambda s: _optional(s, "briefgen_rebuild_resident_start"),
        "",
        None,
    ),
    (
        "rebuild, nothing changed, resident",
        lambda s: _optional(s, "briefgen_rebuild_no_change_resident"),
        "",
        None,
    ),
    (
        "resident build process's memory after the edits (RSS)",
        lambda s: _mb(s["resident_memory_bytes"]) if s.get("resident_memory_bytes") else "–",
        "",
        None,
    ),
    (
        "serve: save to refreshed page",
        lambda s: _s(s["serve"]["save_to_page_seconds"]) if "serve" in s else "–",
        "< 1 s",
        lambda s: "serve" in s and s["serve"]["save_to_page_seconds"] < 1.0,
    ),
    (
        "serve: save to search index updated",
        lambda s: _s(s["serve"]["save_to_search_seconds"]) if "serve" in s else "–",
        "< 2 s",
        lambda s: "serve" in s and s["serve"]["save_to_search_seconds"] < 2.0,
    ),
    (
        "rebuild, one template edited",
        lambda s: _s(s[MED]["briefgen_rebuild_edit_template"]),
        "",
        None,
    ),
    (
        "reader's first search: requests, briefgen / Hugo (median)",
        lambda s: _reader_pair(s, "requests", lambda x: f"{x:.0f}"),
        "",
        None,
    ),
    (
        "reader's first search: bytes, briefgen / Hugo (median)",
        lambda s: _reader_pair(s, "bytes", _kb),
        "",
        None,
    ),
    (
        "**ratio** reader's requests briefgen / Hugo (worst query)",
        lambda s: _ratio(s["reader"]["worst_ratios"]["requests"]) if "reader" in s else "–",
        "≤ 1.5",
        lambda s: "reader" in s and s["reader"]["worst_ratios"]["requests"] <= 1.5,
    ),
    (
        "**ratio** reader's bytes briefgen / Hugo (worst query)",
        lambda s: _ratio(s["reader"]["worst_ratios"]["bytes"]) if "reader" in s else "–",
        "≤ 1.5",
        lambda s: "reader" in s and s["reader"]["worst_ratios"]["bytes"] <= 1.5,
    ),
    *_memory_rows(),
    (
        "briefgen indexing (with − without search)",
        lambda s: _s(s[MED]["briefgen_indexing"]),
        "",
        None,
    ),
    ("Pagefind on Hugo's output", lambda s: _s(s[MED]["pagefind_on_hugo"]), "", None),
    (
        "search index size briefgen / Hugo+Pagefind",
        lambda s: (
            f"{_mb(s['search_index_bytes']['briefgen'])} / {_mb(s['search_index_bytes']['hugo'])}"
        ),
        "",
        None,
    ),
]


def table(sizes: list[dict[str, Any]], memory: dict[str, Any] | None) -> str:
    ns = [s["n"] for s in sizes]
    head = "| figure (median) | " + " | ".join(f"N = {n:,}" for n in ns) + " | target |"
    lines = [head, "|---" * (len(ns) + 2) + "|"]
    for label, cell, target, met in ROWS:
        status = ""
        if met is not None and target:
            status = " met" if met(sizes[-1]) else " **missed**"
            status += f" (N = {ns[-1]:,})"
        cells = " | ".join(cell(s) for s in sizes)
        lines.append(f"| {label} | {cells} | {target}{status} |")
    if memory is not None:
        lines += ["", memory_lines(memory)]
    return "\n".join(lines)

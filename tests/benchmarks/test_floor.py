"""floor.py measures the libraries alone on the whole site: every body, every front matter,
and exactly the records briefgen gives Pagefind (real Pagefind)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import floor, report
from tests.support.sites import write_site_of


def test_every_briefing_and_every_record_is_measured(tmp_path: Path) -> None:
    site = write_site_of(tmp_path / "site", 3)
    briefings = sorted((site / "content" / "briefings").glob("*.md"))
    read = floor.markdown_and_yaml(site)
    assert read["briefings"] == len(briefings) == 4
    assert read["markdown_cpu"] > 0 and read["yaml_cpu"] > 0
    indexed = floor.pagefind_alone(site, 2)
    assert indexed["records"] == 4 + 4  # a record per briefing page, one per annotation
    assert indexed["pagefind_wall"] > 0


def test_the_report_sets_the_floor_against_the_peer() -> None:
    summary = {
        "median_seconds": {"hugo_cold": 4.0, "hugo_pagefind": 10.0},
        "floor": {"markdown_cpu": 3.0, "yaml_cpu": 1.0, "pagefind_wall": 8.0, "jobs": 2},
    }
    assert report._floor(summary, search=False) == "2.00 s = 0.50×"
    assert report._floor(summary, search=True) == "10.00 s = 1.00×"
    assert report._floor({"median_seconds": {}}, search=True) == "–"

"""A reader's first search, measured in the real Chromium on a tiny corpus built by both tools."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import corpus, reader
from benchmarks.prepare import Corpus, ensure_hugo


def run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(cmd)}:\n{done.stdout}\n{done.stderr}"


def test_first_search_counts_the_page_and_the_pagefind_files_it_loaded(tmp_path: Path) -> None:
    corpus.write(20, tmp_path)
    c = Corpus(20, tmp_path)
    run([sys.executable, "-m", "briefgen", "build", str(c.site), "-o", str(c.out_search), "-q"])
    run(c.hugo_build(ensure_hugo()))
    run(c.pagefind_on_hugo())
    sites = {"briefgen": c.out_search, "hugo": c.out_hugo}

    result = reader.measure_sites(sites, ["magna aliqua"])

    for name, root in sites.items():
        for tally in result["tallies"][name]:
            paths = tally["paths"]
            assert paths.count("/search/") == 1, (name, paths)
            under = [p for p in paths if p.startswith(reader.SEARCH_PREFIX)]
            # The UI's script, Pagefind's loader, the index and the results' fragments at least.
            assert len(under) == tally["search_requests"] >= 4, (name, paths)
            # Each file counted as it lies on disk (Pagefind's files are gzipped there).
            on_disk = sum((root / p.lstrip("/")).stat().st_size for p in under)
            assert tally["search_bytes"] == on_disk
            assert any("/fragment/" in p for p in under), (name, paths)
            assert tally["bytes"] > tally["search_bytes"]  # the page itself counts too
    assert result["worst_ratios"] == result["ratios"][0]  # one query: its ratios are the worst


def test_a_query_without_results_fails_loudly(tmp_path: Path) -> None:
    corpus.write(3, tmp_path)
    c = Corpus(3, tmp_path)
    run(c.hugo_build(ensure_hugo()))
    run(c.pagefind_on_hugo())
    with pytest.raises(reader.ReaderError, match="no results for 'zzzsyntheticnothing'"):
        reader.measure_sites({"hugo": c.out_hugo}, ["zzzsyntheticnothing"], timeout=3.0)

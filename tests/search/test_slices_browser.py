"""In Chromium, with Pagefind's own search script: the merged index of several slices gives
the reader exactly what one Pagefind bundle of the same records gives."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from briefgen.cli import main
from briefgen.search import slices
from tests.support.pagefind_run import one_pagefind_run
from tests.support.server import serve
from tests.support.sliced_site import BRIEFINGS, write_sliced_site

# Queries a reader could type: a common word, a prefix, a word with and without its accent,
# a word from the notes, a passage number; with filters.
SEARCHES: list[tuple[str, dict[str, Any]]] = [
    ("synthetic", {}),
    ("synth", {}),
    ("café", {}),
    ("cafe", {}),
    ("naive", {}),
    ("zeal", {}),
    ("passage 3", {}),
    ("plan", {"filters": {"actor": "Synthetic Actor One"}}),
    ("lorem", {"filters": {"kind": "Position", "stance": "Opposes"}}),
    ("quote", {"filters": {"topic": "Topic One"}}),
    ("synthetic", {"filters": {"kind": "Briefing"}}),
    ("passage", {"filters": {"actor": {"any": ["Synthetic Actor One", "Synthetic Actor Two"]}}}),
    ("summary", {"filters": {"stance": {"not": "Opposes"}, "actor": "Synthetic Actor Two"}}),
]

RUN_SEARCHES = """async (searches) => {
  const pagefind = await import("/pagefind/pagefind.js");
  await pagefind.init();
  const out = {filters: await pagefind.filters(), searches: []};
  for (const [query, options] of searches) {
    const found = await pagefind.search(query, options);
    const results = [];
    for (const result of found.results) {
      const data = await result.data();
      results.push({url: data.url, score: result.score, excerpt: data.excerpt,
                    meta: data.meta, words: result.words, filters: data.filters});
    }
    out.searches.push({query, count: found.unfilteredResultCount,
                       filters: found.filters, results});
  }
  return out;
}"""


def searched(page: Page, root: Path) -> dict[str, Any]:
    with serve(root) as server:
        page.goto(server.url("404.html"))  # any page of the site: the script is imported
        found: dict[str, Any] = page.evaluate(RUN_SEARCHES, [list(s) for s in SEARCHES])
    for search in found["searches"]:
        # Scores to 6 digits, equal ones in URL order: for a prefix ("synth"), the script sums
        # the scores of the words it extends to in the order it meets them in the chunks it
        # loaded, and the last bits of the sum follow that order (seen with one bundle of 340
        # pages against two slices merged, before and after issue 15's third pass).
        for result in search["results"]:
            result["score"] = float(f"{result['score']:.6g}")
        search["results"].sort(key=lambda r: (-r["score"], r["url"]))
    return found


@pytest.mark.parametrize(
    ("briefings", "per_slice"),
    [(BRIEFINGS, 2), (100, slices.SLICE_BRIEFINGS)],
    ids=["many-slices", "past-256-pages"],
)
def test_searching_the_merged_index_is_searching_one_pagefind_bundle(
    page: Page,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    briefings: int,
    per_slice: int,
) -> None:
    """Many small slices; or a site of more than 256 pages, where filter files list page
    numbers whose high byte is not 0 (bundle.filter_cbor orders them by low byte first)."""
    monkeypatch.setattr(slices, "SLICE_BRIEFINGS", per_slice)
    site = write_sliced_site(tmp_path / "site", briefings)
    merged = tmp_path / "merged"
    assert main(["build", str(site), "-o", str(merged), "-q"]) == 0
    single = tmp_path / "single"
    shutil.copytree(merged, single, ignore=shutil.ignore_patterns("pagefind"))
    one_pagefind_run(site, single / "pagefind")

    with_slices, with_one = searched(page, merged), searched(page, single)
    assert with_slices == with_one
    # The searches found something, across slices, and the filters narrowed them.
    counts = [len(s["results"]) for s in with_one["searches"]]
    assert all(n > 0 for n in counts), counts
    assert with_one["filters"]["actor"]["Synthetic Actor One"] > 0
    urls = {r["url"].split("#")[0] for s in with_one["searches"] for r in s["results"]}
    assert len(urls) > 4
    if briefings > BRIEFINGS:  # the case it is about happened
        assert sum(with_one["filters"]["kind"].values()) > 256

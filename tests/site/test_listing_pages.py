"""Listing pages on a site with many positions per actor and topic (the synthetic benchmark
corpus): the compare page shows each side's latest few and links to the full history."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from benchmarks import corpus
from briefgen.build.pipeline import BuildOptions, build, prepare

SHOWN = 3  # positions per compare cell (themes/default/templates/compare.html)


def having(cls: str) -> str:
    """XPath predicate: the element has this class."""
    return f'contains(concat(" ", normalize-space(@class), " "), " {cls} ")'


def test_compare_cells_show_the_latest_positions_and_link_to_the_rest(tmp_path: Path) -> None:
    corpus.write(60, tmp_path)
    site_dir = tmp_path / "briefgen"
    out = tmp_path / "out"
    build(BuildOptions(site_dir, out, search=False, jobs=1))
    site = prepare(BuildOptions(site_dir, out, search=False)).site
    capped = 0
    for pair in site.pairs:
        page = lxml.html.parse(str(out / f"compare/{pair.slug}/index.html")).getroot()
        for row in pair.rows:
            for side, positions in (("a", row.a), ("b", row.b)):
                actor = pair.a if side == "a" else pair.b
                (cell,) = page.xpath(
                    f'//*[@id="topic-{row.topic.id}"]/*[{having("compare-" + side)}]'
                )
                shown = cell.xpath(f".//*[{having('position')}]//a[{having('quote-link')}]/@href")
                assert shown == [p.url for p in positions[:SHOWN]]  # newest first
                more = cell.xpath(f".//*[{having('more-positions')}]/a")
                if len(positions) <= SHOWN:
                    assert not more
                    continue
                capped += 1
                (link,) = more
                assert f"All {len(positions)} positions" in link.text_content()
                target = f"topics/{row.topic.id}/index.html"
                assert (
                    link.get("href") == f"{site.base_path}topics/{row.topic.id}/#actor-{actor.id}"
                )
                topic = lxml.html.parse(str(out / target)).getroot()
                (section,) = topic.xpath(f'//*[@id="actor-{actor.id}"]')
                assert len(section.xpath(f".//*[{having('position')}]")) == len(positions)
    assert capped  # the corpus has cells with more than SHOWN positions

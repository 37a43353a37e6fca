"""The demo site, built and read back as HTML (lxml), checked against its own sources."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
import yaml

from briefgen.cli import main
from briefgen.content.briefings import split_front_matter
from tests.support.paths import REPO

BASE = "https://demo.example/sub/path/"
BRIEFING = REPO / "content/briefings/2024-07-04-putin-ceasefire-impossible.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "site"
    assert main(["build", str(REPO), "-o", str(out), "--base-url", BASE, "--no-search", "-q"]) == 0
    return out


def front_matter() -> dict:  # type: ignore[type-arg]
    parts = split_front_matter(BRIEFING.read_text(encoding="utf-8"))
    assert parts is not None
    return yaml.safe_load(parts[0])  # type: ignore[no-any-return]


def page(out: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / path).read_bytes())


def test_every_annotation_of_the_seed_briefing_is_highlighted(built: Path) -> None:
    doc = page(built, "briefings/2024-07-04-putin-ceasefire-impossible/index.html")
    annotations = front_matter()["annotations"]
    assert len(annotations) >= 12
    for annotation in annotations:
        marks = doc.xpath(f'//mark[@data-anno="{annotation["id"]}"]')
        assert marks, annotation["id"]
        assert marks[0].get("id") == annotation["id"]
        text = " ".join("".join(m.text_content() for m in marks).split())
        quote = " ".join(annotation["quote"].split())
        assert text == quote, annotation["id"]


def test_demo_meets_the_coverage_the_issue_asks_for() -> None:
    positions = [
        a for a in front_matter()["annotations"] if a.get("kind", "position") == "position"
    ]
    topics_by_actor = defaultdict(set)
    for a in positions:
        topics_by_actor[a["actor"]].add(a["topic"])
    assert len(positions) >= 12
    assert len({a["topic"] for a in positions}) >= 6
    assert len(topics_by_actor["putin"] & topics_by_actor["zelensky"]) >= 4
    assert "orban" in topics_by_actor


def _ids(out: Path, url: str) -> tuple[Path, set[str]]:
    path = urlsplit(url).path
    assert path.startswith("/sub/path/"), url
    file = out / path.removeprefix("/sub/path/")
    file = file / "index.html" if path.endswith("/") else file
    assert file.is_file(), url
    return file, set(page(out, str(file.relative_to(out))).xpath("//@id"))


def test_every_quote_link_on_every_compare_page_reaches_an_existing_id(built: Path) -> None:
    pages = sorted((built / "compare").glob("*-vs-*/index.html"))
    assert pages
    checked = 0
    for compare in pages:
        for link in page(built, str(compare.relative_to(built))).xpath(
            '//a[contains(@class, "quote-link")]'
        ):
            href = link.get("href")
            _, ids = _ids(built, href)
            fragment = urlsplit(href).fragment
            assert fragment and fragment in ids, (compare, href)
            checked += 1
    assert checked >= 12


def test_putin_vs_zelensky_has_one_filled_row_per_shared_topic(built: Path) -> None:
    positions = [
        a for a in front_matter()["annotations"] if a.get("kind", "position") == "position"
    ]
    by_actor = defaultdict(set)
    for a in positions:
        by_actor[a["actor"]].add(a["topic"])
    shared = by_actor["putin"] & by_actor["zelensky"]
    doc = page(built, "compare/putin-vs-zelensky/index.html")
    rows = doc.xpath('//section[contains(@class, "compare")]//div[contains(@class, "compare-row")]')
    filled = {
        row.get("id").removeprefix("topic-")
        for row in rows
        if row.xpath('.//div[contains(@class, "compare-a")]//a[contains(@class, "quote-link")]')
        and row.xpath('.//div[contains(@class, "compare-b")]//a[contains(@class, "quote-link")]')
    }
    assert filled == shared
    one_sided = [r for r in rows if r.get("id").removeprefix("topic-") not in shared]
    for row in one_sided:
        assert row.xpath('.//*[contains(@class, "no-position")]')
    # Every stance badge carries its label as text.
    for badge in doc.xpath('//span[contains(@class, "stance")]'):
        assert badge.text_content().strip()


def test_all_pages_of_the_brief_exist(built: Path) -> None:
    expected = [
        "index.html",
        "404.html",
        "compare/index.html",
        "compare/putin-vs-zelensky/index.html",
        "topics/index.html",
        "topics/ceasefire/index.html",
        "actors/index.html",
        "actors/putin/index.html",
        "briefings/2024-07-04-putin-ceasefire-impossible/index.html",
    ]
    for path in expected:
        assert (built / path).is_file(), path
    for topic in yaml.safe_load((REPO / "content/topics.yaml").read_text()):
        assert (built / f"topics/{topic}/index.html").is_file()


def test_internal_urls_live_under_the_sub_path(built: Path) -> None:
    for file in built.rglob("*.html"):
        doc = page(built, str(file.relative_to(built)))
        for url in doc.xpath("//a/@href|//link/@href|//script/@src|//img/@src|//form/@action"):
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                if parts.netloc == "demo.example":
                    assert parts.path.startswith("/sub/path/"), (file, url)
                continue
            if parts.path.startswith("/"):
                assert parts.path.startswith("/sub/path/"), (file, url)

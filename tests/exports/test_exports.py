"""Each export module, called directly on the synthetic site's model (under a sub-path, so
every absolute URL must carry it)."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest

from briefgen.exports import annotations, feed, jsonld, positions, sitemap
from briefgen.site.model import Site
from briefgen.site.pages import pages
from tests.support.synthetic import synthetic_site

BASE = "https://synthetic.example/sub/path/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return synthetic_site(tmp_path_factory.mktemp("exports") / "site", BASE)


def test_feed_lists_briefings_newest_first_with_absolute_links(site: Site) -> None:
    root = ET.fromstring(feed.feed_xml(site))
    entries = root.findall(f"{ATOM}entry")
    links = [e.find(f"{ATOM}link").get("href") for e in entries]  # type: ignore[union-attr]
    assert links == [BASE + f"briefings/{b.slug}/" for b in site.briefings]
    assert root.find(f"{ATOM}updated").text.startswith("2024-02-01")  # type: ignore[union-attr]
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == BASE + "feed.xml"


def test_feed_updated_follows_the_build_time(site: Site) -> None:
    now = dt.datetime(2024, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    root = ET.fromstring(feed.feed_xml(site, now))
    assert root.find(f"{ATOM}updated").text == "2024-03-04T05:06:07Z"  # type: ignore[union-attr]


def test_a_feed_entry_made_ahead_is_used_as_is(site: Site) -> None:
    first = site.briefings[0]
    made = {first.slug: b"<entry><id>synthetic-made-ahead</id></entry>"}
    assert b"synthetic-made-ahead" in feed.feed_xml(site, entries=made)


def test_sitemap_lists_every_page_but_not_found(site: Site) -> None:
    root = ET.fromstring(sitemap.sitemap_xml(site))
    locs = [u.find(f"{SITEMAP}loc").text for u in root]  # type: ignore[union-attr]
    expected = [BASE + p.path for p in pages(site) if p.path != "404.html"]
    assert locs == expected
    lastmods = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root}
    assert lastmods[BASE + "topics/topic-solo/"] == "2024-02-01"
    assert lastmods[BASE + "topics/topic-differ/"] == "2024-01-01"
    assert sitemap.robots_txt(site).decode().endswith(f"Sitemap: {BASE}sitemap.xml\n")


def test_annotations_json_is_a_w3c_collection_that_selects_each_quote(site: Site) -> None:
    b = site.briefings[-1]
    data = json.loads(annotations.annotations_json(site, b))
    assert data["type"] == "AnnotationCollection"
    items = data["first"]["items"]
    assert data["total"] == len(items) == len(b.annotations)
    for item, a in zip(items, b.annotations, strict=True):
        target = item["target"]
        assert target["source"] == BASE + f"briefings/{b.slug}/"
        quote, position = (s["refinedBy"] for s in target["selector"])
        assert {s["value"] for s in target["selector"]} == {"#text"}  # the scope element
        assert quote["exact"] == a.exact == b.plain_text[position["start"] : position["end"]]
        assert item["id"] == BASE + f"briefings/{b.slug}/annotations.json#{a.id}"
        assert item["briefgen:passage"] == BASE + f"briefings/{b.slug}/#{a.id}"


def test_positions_json_rows_and_matrix(site: Site) -> None:
    data = json.loads(positions.positions_json(site))
    cells = {(c["actor"], c["topic"]): c for c in data["matrix"]}
    agree = cells[("actor-two", "topic-agree")]
    assert agree["changed"] is True
    assert [p["id"] for p in agree["history"]] == ["late-two-agree", "early-two-agree"]
    assert agree["latest"]["url"] == BASE + "briefings/2024-02-01-synthetic-late/#late-two-agree"
    assert ("actor-three", "topic-agree") not in cells
    rows = {
        a.id: positions.position_row(site.config, a) for b in site.briefings for a in b.positions
    }
    assert positions.positions_json(site, rows) == positions.positions_json(site)


def test_jsonld_quotations_are_absolute_and_script_safe(site: Site) -> None:
    b = site.briefings[0]
    text = jsonld.quotation_jsonld(b, site)
    assert "<" not in text and ">" not in text
    data = json.loads(text)
    assert data["url"] == BASE + f"briefings/{b.slug}/"
    assert [p["url"] for p in data["hasPart"]] == [
        BASE + f"briefings/{b.slug}/#{a.id}" for a in b.annotations
    ]
    assert data["hasPart"][0]["spokenByCharacter"]["name"] == "Synthetic Actor Two"
    relative = json.loads(jsonld.quotation_jsonld(b))
    assert relative["url"] == f"/sub/path/briefings/{b.slug}/"

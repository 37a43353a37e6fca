"""feed.xml (Atom, read by a real feed parser), sitemap.xml (the sitemaps.org XSD), robots.txt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html

from tests.support.demo import Built, published_briefings

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XSD = Path(__file__).with_name("sitemap.xsd")


def test_feed_parses_as_atom_without_bozo(built: Built) -> None:
    feed = feedparser.parse(built.read("feed.xml"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    config = built.site.content.config
    assert feed.feed.title == config.title
    assert feed.feed.subtitle == config.description
    assert feed.feed.id == built.base
    links = {(link.rel, link.type): link.href for link in feed.feed.links}
    assert links[("self", "application/atom+xml")] == built.base + "feed.xml"
    assert links[("alternate", "text/html")] == built.base


def test_one_entry_per_briefing_newest_first(built: Built) -> None:
    feed = feedparser.parse(built.read("feed.xml"))
    briefings = published_briefings()
    assert len(feed.entries) == len(briefings)
    expected = sorted(((m["date"], slug) for slug, m in briefings), reverse=True)
    for entry, (date, slug) in zip(feed.entries, expected, strict=True):
        url = f"{built.base}briefings/{slug}/"
        assert entry.id == url
        assert entry.link == url
        assert built.file_for(url).is_file()
        assert dt.date(*entry.published_parsed[:3]) == date
        assert dt.date(*entry.updated_parsed[:3]) == date
    newest = max(m["date"] for _, m in briefings)
    assert feed.feed.updated == f"{newest.isoformat()}T00:00:00Z"


def test_entries_list_every_position_with_absolute_links(built: Built) -> None:
    feed = feedparser.parse(built.read("feed.xml"))
    entries = {entry.id: entry for entry in feed.entries}
    for slug, meta in published_briefings():
        entry = entries[f"{built.base}briefings/{slug}/"]
        assert entry.title == meta["title"]
        assert " ".join(entry.summary.split()) == " ".join(meta["summary"].split())
        (content,) = entry.content
        assert content.type == "text/html"
        html = lxml.html.fromstring(content.value)
        hrefs = [a.get("href") for a in html.iter("a")]
        assert hrefs and all(h.startswith(built.base) for h in hrefs), hrefs
        text = " ".join(html.text_content().split())
        positions = [a for a in meta["annotations"] if a.get("kind", "position") == "position"]
        for a in positions:
            assert " ".join(a["summary"].split()) in text, a["id"]
            # The stance reads as the answer to the topic's question, next to that question.
            topic = built.site.content.topics[a["topic"]]
            answer = topic.answer(built.site.content.config.stances[a["stance"]])
            actor = built.site.content.actors[a["actor"]].name
            assert f"{actor} on {topic.question} {answer}." in text, (actor, answer)
            if "id" in a:
                assert f"{built.base}briefings/{slug}/#{a['id']}" in hrefs
        assert len(html.xpath("//li")) == len(positions)


def test_feed_escapes_markup_in_content(built: Built) -> None:
    root = lxml.etree.fromstring(built.read("feed.xml"))
    for content in root.iter(f"{ATOM}content"):
        assert content.get("type") == "html"
        assert len(content) == 0  # HTML travels as escaped text, never as raw elements
        assert content.text and "<li>" in content.text


def test_sitemap_validates_against_the_sitemaps_org_schema(built: Built) -> None:
    schema = lxml.etree.XMLSchema(lxml.etree.parse(str(XSD)))
    doc = lxml.etree.fromstring(built.read("sitemap.xml"))
    schema.assertValid(doc)


def test_sitemap_lists_every_page_but_404_and_each_exists(built: Built) -> None:
    doc = lxml.etree.fromstring(built.read("sitemap.xml"))
    locs = [loc.text for loc in doc.iter(f"{SITEMAP}loc")]
    assert len(locs) == len(set(locs))
    files = set()
    for loc in locs:
        assert loc is not None and loc.startswith(built.base)
        path = built.file_for(loc)
        assert path.is_file(), loc
        files.add(path.relative_to(built.out).as_posix())
    pages = {
        p.relative_to(built.out).as_posix()
        for p in built.out.rglob("*.html")
        if not p.relative_to(built.out).as_posix().startswith("pagefind/")
    }
    assert files == pages - {"404.html"}


def test_sitemap_lastmod_of_briefings_is_their_date(built: Built) -> None:
    doc = lxml.etree.fromstring(built.read("sitemap.xml"))
    lastmod = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in doc.iter(f"{SITEMAP}url")
    }
    for slug, meta in published_briefings():
        assert lastmod[f"{built.base}briefings/{slug}/"] == meta["date"].isoformat()
    newest = max(m["date"] for _, m in published_briefings()).isoformat()
    assert lastmod[built.base] == newest


def test_robots_txt_allows_all_and_points_to_the_sitemap(built: Built) -> None:
    lines = built.read("robots.txt").decode().splitlines()
    assert "User-agent: *" in lines
    assert not [line for line in lines if line.replace(" ", "").lower() == "disallow:/"]
    assert f"Sitemap: {built.base}sitemap.xml" in lines

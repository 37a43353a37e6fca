"""A feed entry is written as text (feed_entry); it must be what ElementTree writes of the
same elements, for the demo's briefings and for titles and summaries full of characters
XML escapes or cannot carry."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest

from briefgen import urls
from briefgen.build.pipeline import BuildOptions, prepare
from briefgen.content.model import SiteConfig
from briefgen.document.model import Briefing
from briefgen.exports.common import rfc3339
from briefgen.exports.feed import _entry_html, feed_entry, sub_element
from tests.support.paths import REPO


def _tree_entry(config: SiteConfig, b: Briefing) -> str:
    """The entry made the ElementTree way (briefgen's former feed_entry)."""
    url = config.urls.absolute(urls.briefing(b.slug))
    entry = ET.Element("entry")
    sub_element(entry, "id", url)
    sub_element(entry, "title", b.title)
    sub_element(entry, "link", rel="alternate", type="text/html", href=url)
    href = config.urls.absolute(urls.annotations_json(b.slug))
    title = "Annotations (W3C Web Annotation)"
    sub_element(entry, "link", rel="related", type="application/ld+json", href=href, title=title)
    sub_element(entry, "published", rfc3339(b.date))
    sub_element(entry, "updated", rfc3339(b.date))
    seen: set[str] = set()
    for p in b.positions:
        if p.topic is not None and p.topic.id not in seen:
            seen.add(p.topic.id)
            scheme = config.urls.absolute(urls.topics())
            sub_element(entry, "category", term=p.topic.id, label=p.topic.title, scheme=scheme)
    if b.summary:
        sub_element(entry, "summary", b.summary, type="text")
    sub_element(entry, "content", _entry_html(config, b), type="html")
    ET.indent(entry, space="  ", level=1)
    return ET.tostring(entry, encoding="unicode")


@pytest.fixture(scope="module")
def demo() -> tuple[SiteConfig, tuple[Briefing, ...]]:
    prepared = prepare(BuildOptions(REPO, cache=False, search=False))
    return prepared.site.content.config, prepared.site.briefings


def test_every_demo_entry_is_what_elementtree_writes(
    demo: tuple[SiteConfig, tuple[Briefing, ...]],
) -> None:
    config, briefings = demo
    assert briefings
    for b in briefings:
        assert feed_entry(config, b) == _tree_entry(config, b), b.slug


HOSTILE = [
    'Synthetic & "quoted" <title> it\'s',
    "Synthetic\ttabbed\r\nlines\nand more",
    "Synthetic \x01control\x0b chars \ufffe gone",
    "\x02",  # nothing left once XML's forbidden characters go: an empty element
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_escaping_is_elementtrees(demo: tuple[SiteConfig, tuple[Briefing, ...]], text: str) -> None:
    config, briefings = demo
    b = dataclasses.replace(briefings[0], title=text, summary=text)
    assert feed_entry(config, b) == _tree_entry(config, b)
    topics = {p.topic.id: p.topic for p in b.positions if p.topic is not None}
    assert topics
    odd = {k: dataclasses.replace(t, title=text) for k, t in topics.items()}
    positions = [
        dataclasses.replace(a, topic=odd[a.topic.id]) if a.topic is not None else a
        for a in b.annotations
    ]
    b = dataclasses.replace(b, annotations=tuple(positions))
    assert feed_entry(config, b) == _tree_entry(config, b)

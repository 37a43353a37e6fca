"""sitemap.xml (sitemaps.org 0.9: every HTML page but the not-found page) and robots.txt."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from briefgen import urls
from briefgen.exports.common import newest
from briefgen.exports.feed import sub_element, xml_bytes
from briefgen.site.model import Site
from briefgen.site.pages import Page, pages

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_pages(site: Site) -> list[Page]:
    """The pages a sitemap lists: every HTML page but the not-found page."""
    return [p for p in pages(site) if p.path != urls.not_found()]


def _lastmod(site: Site, page: Page) -> dt.date | None:
    """The newest date among what the page shows."""
    context = page.context
    if "briefing" in context:
        return context["briefing"].date  # type: ignore[no-any-return]
    if "topic_page" in context:
        return newest(p.date for ap in context["topic_page"].by_actor for p in ap.positions)
    if "actor_page" in context:
        return newest(p.date for tp in context["actor_page"].by_topic for p in tp.positions)
    if "pair" in context:
        return newest(p.date for row in context["pair"].rows for p in (*row.a, *row.b))
    return newest(b.date for b in site.briefings)


def sitemap_xml(site: Site) -> bytes:
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for page in sitemap_pages(site):
        url = sub_element(urlset, "url")
        sub_element(url, "loc", site.absolute(page.path))
        lastmod = _lastmod(site, page)
        if lastmod is not None:
            sub_element(url, "lastmod", lastmod.isoformat())
    return xml_bytes(urlset)


def robots_txt(site: Site) -> bytes:
    """Allow everything; point to the sitemap (crawlers read robots.txt at a host's root only)."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.absolute(urls.sitemap())}\n".encode()

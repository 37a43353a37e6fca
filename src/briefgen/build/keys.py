"""Which pages must be rendered again: a digest of each output's inputs.

A page depends on its template and the templates that one uses (see render.theme_digests), the
static assets and the site's chrome. A briefing page also depends on its briefing; every other
page (home, compare, topics, actors) on all annotations and briefing metadata, but not on
briefings' body text: editing a paragraph that holds no quote re-renders the one briefing page
only. (See themes/default/README.md.)

feed.xml and data/annotations.jsonl are joined from each briefing's part, made ahead (its feed
entry, its lines): their keys are digests of those parts' digests, so a build that changes no
part (a paragraph edited) neither joins, hashes nor writes them (67 MB at 4,000 briefings).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefgen import urls
from briefgen.build.digest import digest
from briefgen.build.processed import shown_digest
from briefgen.document.model import Briefing
from briefgen.exports.common import build_time
from briefgen.site.model import Site
from briefgen.site.pages import Page, pages
from briefgen.theme.render import theme_digests

if TYPE_CHECKING:
    from briefgen.build.prepare import Prepared


class Known:
    """What page_keys() made last, for a long-lived caller (serve, the resident builder) to
    keep: a build then hashes only the keys whose inputs changed (4,000 briefing pages, and
    the site-wide digests over every briefing). Each is kept with the very inputs it was
    made of, compared in full (strings, compared exactly) before it is used again."""

    def __init__(self) -> None:
        self.pages: dict[tuple[str, str, str], str] = {}  # (template, chrome, own) -> key
        self._digests: dict[str, tuple[list[str], str]] = {}  # name -> (parts, digest)
        self._summaries: dict[int, tuple[Briefing, str]] = {}  # id -> (briefing, its part)

    def digest(self, name: str, parts: list[str]) -> str:
        """digest(*parts), made again only if the parts are not the last ones of `name`."""
        last = self._digests.get(name)
        if last is not None and last[0] == parts:
            return last[1]
        made = digest(*parts)
        self._digests[name] = (parts, made)
        return made

    def summaries(self, briefings: tuple[Briefing, ...]) -> list[str]:
        """repr((slug, title, date, summary)) of each briefing: made again for briefings that
        are not the very objects (immutable) of the last build."""
        last, made = self._summaries, {}
        found = []
        for b in briefings:
            held = last.get(id(b))
            if held is None or held[0] is not b:
                held = (b, repr((b.slug, b.title, b.date, b.summary)))
            made[id(b)] = held
            found.append(held[1])
        self._summaries = made
        return found


def _chrome_digest(site: Site, known: Known) -> str:
    """What a briefing page may show besides its own briefing: settings and site structure."""
    summary = (
        site.content.config,
        site.content.actors,
        site.content.topics,
        [p.slug for p in site.pairs],
        site.featured.slug if site.featured else None,
    )
    return known.digest("chrome", [repr(summary), *known.summaries(site.briefings)])


def _annotations_digest(prepared: Prepared, known: Known) -> str:
    """Everything pages other than a briefing's own show: annotations and briefing metadata."""
    made = prepared.briefings

    def shown(slug: str) -> str:
        found = made.get(slug)
        return found.shown if found is not None else ""

    parts = [shown(b.slug) or shown_digest(b) for b in prepared.site.briefings]
    return known.digest("annotations", parts)


def page_keys(
    prepared: Prepared,
    all_pages: list[Page] | None = None,
    known: Known | None = None,
) -> dict[str, str]:
    """Output file -> digest of everything the page (or site-wide file) depends on.
    `known`: what a long-lived caller keeps between builds (Known);
    `all_pages`: pages(prepared.site), when the caller has them."""
    site = prepared.site
    known = Known() if known is None else known
    theme = theme_digests(site.content.site_dir, site.content.config.theme)
    chrome = _chrome_digest(site, known)
    annotations = _annotations_digest(prepared, known)
    last = known.pages
    made: dict[tuple[str, str, str], str] = {}
    keys = {}
    briefings = prepared.briefings
    templates: dict[str, str] = {}  # template -> theme.of(it): a sha256 each, not per page
    for page in pages(site) if all_pages is None else all_pages:
        briefing = page.context.get("briefing")
        own = briefings[briefing.slug].key if briefing is not None else annotations
        template = templates.get(page.template)
        if template is None:
            template = templates[page.template] = theme.of(page.template)
        inputs = (template, chrome, own)
        key = last.get(inputs)
        made[inputs] = keys[page.file] = digest(*inputs) if key is None else key
    known.pages = made  # this build's only
    # positions.json shows annotations, like the listing pages; the sitemap lists every page.
    keys[urls.positions()] = digest(chrome, annotations)
    keys[urls.sitemap()] = known.digest("sitemap", [chrome, annotations, *keys])
    keys.update(_joined_keys(prepared, chrome, known))
    return keys


def _joined_keys(prepared: Prepared, chrome: str, known: Known) -> dict[str, str]:
    """feed.xml and data/annotations.jsonl join a piece of each briefing (made ahead, with a
    digest of it: processed.py), in the site's order: their keys are those digests, so a
    build reads the pieces only when one changed (prepare.Prepared)."""
    made = prepared.briefings
    feed, lines = [], []
    for b in prepared.site.briefings:
        found = made.get(b.slug)
        if found is None:
            return {}  # no keys: both are made again
        # a result without digests: its cache key, which changes with anything in its file
        feed.append(found.feed_key or found.key)
        lines.append(found.lines_key or found.key)
    when = repr(build_time())  # the feed's `updated` (an invalid SOURCE_DATE_EPOCH stops here)
    return {
        urls.feed(): known.digest("feed", [chrome, when, *feed]),
        urls.annotations_all(): known.digest("lines", [chrome, *lines]),
    }

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

from briefgen import urls
from briefgen.build.digest import digest
from briefgen.build.known import Known
from briefgen.build.prepare import Prepared
from briefgen.build.processed import shown_digest
from briefgen.exports.common import build_time
from briefgen.site.model import Site
from briefgen.site.pages import Page, pages
from briefgen.theme.render import theme_digests


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

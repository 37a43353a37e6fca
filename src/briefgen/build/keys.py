"""Which pages must be rendered again: a digest of each output's inputs.

A page depends on its template and the templates that one uses (see render.theme_digests), the
static assets and the site's chrome. A briefing page also depends on its briefing; every other
page (home, compare, topics, actors) on all annotations and briefing metadata, but not on
briefings' body text: editing a paragraph that holds no quote re-renders the one briefing page
only. (See themes/default/README.md.)

feed.xml and data/annotations.jsonl are joined from each briefing's part, made ahead (its feed
entry, its lines): their keys are digests of those parts' digests, so a save that changes no
part (a paragraph edited) neither joins, hashes nor writes them (67 MB at 4,000 briefings). A
long-lived caller (serve) passes a `PartDigests` kept between builds: each part is hashed once.
"""

from __future__ import annotations

import hashlib

from briefgen import urls
from briefgen.build.digest import digest
from briefgen.build.prepare import Prepared
from briefgen.build.processed import ProcessedBriefing, shown_digest
from briefgen.exports.common import build_time
from briefgen.site.model import Site
from briefgen.site.pages import Page, pages
from briefgen.theme.render import theme_digests


def _chrome_digest(site: Site) -> str:
    """What a briefing page may show besides its own briefing: settings and site structure."""
    summary = (
        site.content.config,
        site.content.actors,
        site.content.topics,
        [(b.slug, b.title, b.date, b.summary) for b in site.briefings],
        [p.slug for p in site.pairs],
        site.featured.slug if site.featured else None,
    )
    return digest(repr(summary))


def _annotations_digest(prepared: Prepared) -> str:
    """Everything pages other than a briefing's own show: annotations and briefing metadata."""
    made = prepared.briefings

    def shown(slug: str) -> str:
        found = made.get(slug)
        return found.shown if found is not None else ""

    return digest(*(shown(b.slug) or shown_digest(b) for b in prepared.site.briefings))


PartDigests = dict[str, tuple[str, str]]
"""A briefing's cache key -> the sha256 of its feed entry and of its lines of
data/annotations.jsonl, as made ahead (both depend on nothing its key does not cover)."""


def _part_digests(prepared: Prepared, p: ProcessedBriefing, known: PartDigests) -> tuple[str, str]:
    found = known.get(p.key)
    if found is None:
        made = prepared.lines.get(p.key) if prepared.lines is not None else None
        lines = p.lines() if made is None else made
        entry = hashlib.sha256(p.feed_entry).hexdigest()
        found = known[p.key] = (entry, hashlib.sha256(lines).hexdigest())
    return found


def _joined_keys(prepared: Prepared, chrome: str, parts: PartDigests | None) -> dict[str, str]:
    """Keys of the site-wide files joined from per-briefing parts: feed.xml (which also
    shows the settings, every briefing's date and the build time) and data/annotations.jsonl.
    None for either when a briefing's part was not made ahead (the file makes it itself)."""
    known: PartDigests = {} if parts is None else parts
    entries, lines = [], []
    for b in prepared.site.briefings:
        p = prepared.briefings.get(b.slug)
        if p is None or not p.feed_entry or (b.annotations and not p.annotation_lines):
            return {}
        entry, line = _part_digests(prepared, p, known)
        entries.append(entry)
        lines.append(line)
    kept = {p.key: known[p.key] for p in prepared.briefings.values() if p.key in known}
    known.clear()  # this build's only: those of replaced briefings go
    known.update(kept)
    when = build_time()  # SOURCE_DATE_EPOCH (checked: an invalid one stops the build here)
    return {
        urls.feed(): digest("feed", chrome, repr(when), *entries),
        urls.annotations_all(): digest("annotations", *lines),
    }


Known = dict[tuple[str, str, str], str]
"""The digests of pages' inputs as page_keys() last made them: a long-lived caller (serve)
keeps them, and a save hashes only the keys whose inputs changed (4,000 briefing pages)."""


def page_keys(
    prepared: Prepared,
    parts: PartDigests | None = None,
    all_pages: list[Page] | None = None,
    known: Known | None = None,
) -> dict[str, str]:
    """Output file -> digest of everything the page (or site-wide file) depends on.
    `parts`, `known`: what a long-lived caller keeps between builds (PartDigests, Known);
    `all_pages`: pages(prepared.site), when the caller has them."""
    site = prepared.site
    theme = theme_digests(site.content.site_dir, site.content.config.theme)
    chrome = _chrome_digest(site)
    annotations = _annotations_digest(prepared)
    last: Known = {} if known is None else known
    made: Known = {}
    keys = {}
    for page in pages(site) if all_pages is None else all_pages:
        briefing = page.context.get("briefing")
        own = prepared.briefings[briefing.slug].key if briefing is not None else annotations
        inputs = (theme.of(page.template), chrome, own)
        key = last.get(inputs)
        made[inputs] = keys[page.file] = digest(*inputs) if key is None else key
    last.clear()  # this build's only
    last.update(made)
    # positions.json shows annotations, like the listing pages; the sitemap lists every page.
    keys[urls.positions()] = digest(chrome, annotations)
    keys[urls.sitemap()] = digest(chrome, annotations, *keys)
    keys.update(_joined_keys(prepared, chrome, parts))
    return keys

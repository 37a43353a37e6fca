"""Every export a build writes, by output path: site-wide files, and each briefing's own."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from briefgen import urls
from briefgen.document.model import Briefing
from briefgen.exports.annotations import annotations_json, annotations_jsonl
from briefgen.exports.common import build_time
from briefgen.exports.feed import feed_xml
from briefgen.exports.positions import positions_json, positions_schema
from briefgen.exports.sitemap import robots_txt, sitemap_xml
from briefgen.site.model import Site


def publish_files(site: Site) -> dict[str, bytes]:
    """Output path -> bytes, for every file this stage adds to the site."""
    out = site_files(site)
    for b in site.briefings:
        out.update(briefing_exports(site, b))
    return dict(sorted(out.items()))


def site_files(site: Site, feed_entries: Mapping[str, bytes] | None = None) -> dict[str, bytes]:
    """The files about the whole site: feed, sitemap, robots.txt, positions, annotations."""
    return {name: make() for name, make in site_file_makers(site, feed_entries).items()}


def site_file_makers(
    site: Site,
    feed_entries: Mapping[str, bytes] | None = None,
    position_rows: Mapping[str, str] | None = None,
    annotation_lines: Mapping[str, bytes] | None = None,
) -> dict[str, Callable[[], bytes]]:
    """Each site file, made on demand: a warm build skips those whose inputs did not change.
    `feed_entries`, `position_rows`, `annotation_lines`: the pieces made ahead, see feed_xml,
    positions_json, annotations_jsonl."""
    return {
        urls.feed(): lambda: feed_xml(site, build_time(), feed_entries),
        urls.sitemap(): lambda: sitemap_xml(site),
        urls.robots(): lambda: robots_txt(site),
        urls.positions(): lambda: positions_json(site, position_rows),
        urls.positions_schema(): positions_schema,
        urls.annotations_all(): lambda: annotations_jsonl(site, annotation_lines),
    }


def briefing_export_names(b: Briefing) -> tuple[str, str]:
    return urls.annotations_json(b.slug), urls.plain_text(b.slug)


def briefing_exports(site: Site, b: Briefing, lines: bytes = b"") -> dict[str, bytes]:
    """One briefing's exports. They depend on that briefing and the site's settings only.
    `lines`: its lines of data/annotations.jsonl, when they were made ahead (see
    annotations_json)."""
    annotations, text = briefing_export_names(b)
    return {
        annotations: annotations_json(site, b, lines),
        text: b.plain_text.encode("utf-8"),
    }

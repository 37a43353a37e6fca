"""Files for the web beyond the pages: feed, sitemap, robots.txt, open-data exports.

`publish_files(site)` returns every such file as bytes, keyed by its path in the output:

- ``feed.xml``: Atom 1.0, one entry per briefing, newest first, listing its positions;
- ``sitemap.xml`` (sitemaps.org 0.9: every HTML page but ``404.html``) and ``robots.txt``;
- ``briefings/<slug>/annotations.json``: a W3C Web Annotation ``AnnotationCollection``;
- ``briefings/<slug>/text.txt``: the briefing's plain text, exactly the string that the
  ``TextPositionSelector`` offsets (code points) and the ``TextQuoteSelector`` context refer to;
- ``data/positions.json``: the actors x topics matrix, described by ``data/positions.schema.json``
  (the same file ships in the package as ``briefgen/schemas/positions.schema.json``).

Dates. Nothing here reads the clock. Entry, annotation and sitemap dates are the briefing dates
(a date becomes midnight UTC where a date-time is required). The feed's own ``updated`` is the
newest briefing date, or the time ``SOURCE_DATE_EPOCH`` names when that variable is set (the
reproducible-builds convention for "the time of this build"). Identical input, identical bytes.

Briefing pages use two more helpers through the templates: `text_fragment_url` (a shareable
``#<id>:~:text=...`` link to a passage; see `briefgen.fragments`; `Annotation.fragment_url`
holds it ready-made) and `quotation_jsonld` (schema.org markup for the page).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from html import escape
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from briefgen import __version__
from briefgen.content import SiteConfig
from briefgen.diagnostics import UsageError
from briefgen.fragments import text_directive, text_fragment_url
from briefgen.model import Annotation, Briefing, Site

if TYPE_CHECKING:  # render may import this module for its template helpers
    from briefgen.render import Page

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# Terms briefgen adds to Web Annotations (actor, topic, stance, summary, ...) live under this
# prefix. A URN: it names the vocabulary without pretending to be a page one could fetch; the
# README documents the terms.
VOCAB_PREFIX = "briefgen"
VOCAB_IRI = "urn:briefgen:"
VOCAB_CONTEXT = {
    VOCAB_PREFIX: VOCAB_IRI,
    **{f"{VOCAB_PREFIX}:{t}": {"@type": "@id"} for t in ("source", "plainText", "textFragment")},
}
SCHEMA_FILE = "positions.schema.json"
GENERATOR_URI = "https://pypi.org/project/briefgen/"

_XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"  # as ElementTree writes it

# Code points XML 1.0 cannot carry at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def publish_files(site: Site) -> dict[str, bytes]:
    """Output path -> bytes, for every file this stage adds to the site."""
    out = site_files(site)
    for b in site.briefings:
        out.update(briefing_files(site, b))
    return dict(sorted(out.items()))


def site_files(site: Site, feed_entries: Mapping[str, bytes] | None = None) -> dict[str, bytes]:
    """The files about the whole site: feed, sitemap, robots.txt, positions."""
    return {name: make() for name, make in site_file_makers(site, feed_entries).items()}


def site_file_makers(
    site: Site,
    feed_entries: Mapping[str, bytes] | None = None,
    position_rows: Mapping[str, str] | None = None,
) -> dict[str, Callable[[], bytes]]:
    """Each site file, made on demand: a warm build skips those whose inputs did not change.
    `feed_entries` and `position_rows`: the pieces made ahead, see feed_xml, positions_json."""
    return {
        "feed.xml": lambda: feed_xml(site, build_time(), feed_entries),
        "sitemap.xml": lambda: sitemap_xml(site),
        "robots.txt": lambda: robots_txt(site),
        "data/positions.json": lambda: positions_json(site, position_rows),
        f"data/{SCHEMA_FILE}": positions_schema,
    }


def briefing_file_names(b: Briefing) -> tuple[str, str]:
    return f"{b.path}annotations.json", f"{b.path}text.txt"


def briefing_files(site: Site, b: Briefing) -> dict[str, bytes]:
    """One briefing's exports. They depend on that briefing and the site's settings only."""
    annotations, text = briefing_file_names(b)
    return {annotations: annotations_json(site, b), text: b.plain_text.encode("utf-8")}


# --- dates -------------------------------------------------------------------------------


def build_time() -> dt.datetime | None:
    """The time `SOURCE_DATE_EPOCH` names (UTC), or None when it is unset or empty."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        seconds = int(raw)
        if seconds < 0:
            raise ValueError(raw)
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be a non-negative whole number of seconds, not {raw!r}"
        ) from None


def _datetime(value: dt.date | dt.datetime) -> str:
    """RFC 3339 in UTC; a date is taken as midnight UTC."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _newest(dates: Iterable[dt.date]) -> dt.date | None:
    return max(dates, default=None)


# --- URLs --------------------------------------------------------------------------------


def absolute_url(site: Site, url: str) -> str:
    """An internal URL of the model (``/base/path/x/#y``) made absolute on the site's base URL."""
    return _absolute_url(site.content.config, url)


def _absolute_url(config: SiteConfig, url: str) -> str:
    base_path = config.base_path
    if url.startswith(base_path):
        return config.base_url + url[len(base_path) :]
    return urljoin(config.base_url, url)


def _safe_link(url: str | None) -> str | None:
    """An external link worth publishing: http(s) only."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


# --- feed.xml ----------------------------------------------------------------------------


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def feed_xml(
    site: Site, now: dt.datetime | None = None, entries: Mapping[str, bytes] | None = None
) -> bytes:
    """Atom 1.0. `now` (from SOURCE_DATE_EPOCH) is the feed's `updated` when given.

    `entries` maps a briefing's slug to its `feed_entry()`, made ahead (and cached) by the
    build; any missing is made here.
    """
    config = site.content.config
    home = site.absolute()
    # Unqualified tags under a default-namespace attribute: no global namespace registry.
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: config.language})
    _sub(feed, "id", home)
    _sub(feed, "title", config.title)
    if config.description:
        _sub(feed, "subtitle", config.description)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=site.absolute("feed.xml"))
    _sub(feed, "link", rel="alternate", type="text/html", href=home)
    newest = _newest(b.date for b in site.briefings)
    updated: dt.date | dt.datetime = now or newest or dt.date(1970, 1, 1)
    _sub(feed, "updated", _datetime(updated))
    author = _sub(feed, "author")
    _sub(author, "name", config.title)
    _sub(author, "uri", home)
    _sub(feed, "generator", "briefgen", uri=GENERATOR_URI, version=__version__)
    ET.indent(feed, space="  ")
    head = ET.tostring(feed, encoding="unicode").removesuffix("</feed>")
    made = entries or {}
    parts = [(_XML_DECLARATION + head).encode("utf-8")]
    for b in site.briefings:  # newest first
        entry = made.get(b.slug)
        parts += [b"  ", entry or feed_entry(config, b).encode("utf-8"), b"\n"]
    parts.append(b"</feed>\n")
    return b"".join(parts)


def feed_entry(config: SiteConfig, b: Briefing) -> str:
    """A briefing's Atom `<entry>`, serialised and indented for its place in the feed.

    Depends on the briefing and the settings only, so the build makes it with the briefing (in
    parallel, cached) and an edit costs one entry, not the whole feed.
    """
    url = config.base_url + b.path
    entry = ET.Element("entry")
    _sub(entry, "id", url)
    _sub(entry, "title", b.title)
    _sub(entry, "link", rel="alternate", type="text/html", href=url)
    _sub(
        entry,
        "link",
        rel="related",
        type="application/ld+json",
        href=f"{url}annotations.json",
        title="Annotations (W3C Web Annotation)",
    )
    _sub(entry, "published", _datetime(b.date))
    _sub(entry, "updated", _datetime(b.date))
    seen: set[str] = set()
    for p in b.positions:
        if p.topic is not None and p.topic.id not in seen:
            seen.add(p.topic.id)
            _sub(
                entry,
                "category",
                term=p.topic.id,
                label=p.topic.title,
                scheme=config.base_url + "topics/",
            )
    if b.summary:
        _sub(entry, "summary", b.summary, type="text")
    _sub(entry, "content", _entry_html(config, b), type="html")
    ET.indent(entry, space="  ", level=1)
    return ET.tostring(entry, encoding="unicode")


def _entry_html(config: SiteConfig, b: Briefing) -> str:
    """The entry's content: the summary, then every position, each linked to its passage."""
    parts = [f"<p>{escape(b.summary)}</p>"] if b.summary else []
    if b.positions:
        parts.append("<p>Positions in this briefing:</p>")
        parts.append("<ul>")
        for p in b.positions:
            assert p.actor is not None and p.topic is not None and p.stance is not None
            topic_url = f"{config.base_url}topics/{p.topic.id}/"
            parts.append(
                f"<li><strong>{escape(p.actor.name)}</strong>"
                f' on <a href="{escape(topic_url)}">{escape(p.topic.title)}</a>:'
                f" <em>{escape(p.stance.label)}</em>. {escape(p.summary)}"
                f' <a href="{escape(_absolute_url(config, p.url))}">“{escape(p.quote)}”</a></li>'
            )
        parts.append("</ul>")
    else:
        parts.append("<p>No positions are recorded in this briefing.</p>")
    parts.append(
        f'<p><a href="{escape(config.base_url + b.path)}">Read the annotated briefing</a></p>'
    )
    return "\n".join(parts)


# --- sitemap.xml, robots.txt -------------------------------------------------------------


def sitemap_pages(site: Site) -> list[Page]:
    """The pages a sitemap lists: every HTML page but the not-found page."""
    from briefgen.render import pages

    return [p for p in pages(site) if p.file != "404.html"]


def _lastmod(site: Site, page: Page) -> dt.date | None:
    """The newest date among what the page shows."""
    context = page.context
    if "briefing" in context:
        return context["briefing"].date  # type: ignore[no-any-return]
    if "topic_page" in context:
        return _newest(p.date for ap in context["topic_page"].by_actor for p in ap.positions)
    if "actor_page" in context:
        return _newest(p.date for tp in context["actor_page"].by_topic for p in tp.positions)
    if "pair" in context:
        return _newest(p.date for row in context["pair"].rows for p in (*row.a, *row.b))
    return _newest(b.date for b in site.briefings)


def sitemap_xml(site: Site) -> bytes:
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for page in sitemap_pages(site):
        url = _sub(urlset, "url")
        _sub(url, "loc", site.absolute(page.path))
        lastmod = _lastmod(site, page)
        if lastmod is not None:
            _sub(url, "lastmod", lastmod.isoformat())
    return _xml_bytes(urlset)


def robots_txt(site: Site) -> bytes:
    """Allow everything; point to the sitemap (crawlers read robots.txt at a host's root only)."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.absolute('sitemap.xml')}\n".encode()


# --- annotations.json --------------------------------------------------------------------


def _json_bytes(data: Any) -> bytes:
    """One line of UTF-8 JSON (no indent: the C encoder, ten times faster on big sites)."""
    return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")


def _term(name: str) -> str:
    return f"{VOCAB_PREFIX}:{name}"


def annotation_body(site: Site, a: Annotation) -> dict[str, Any]:
    """The note as a TextualBody (HTML), with briefgen's fields under the `briefgen:` prefix."""
    body: dict[str, Any] = {
        "type": "TextualBody",
        "value": a.note_html,
        "format": "text/html",
        "language": site.content.config.language,
        _term("kind"): a.kind,
    }
    if a.actor is not None:
        body[_term("actor")] = {
            "id": site.absolute(f"actors/{a.actor.id}/"),
            _term("key"): a.actor.id,
            "label": a.actor.name,
        }
    if a.topic is not None:
        body[_term("topic")] = {
            "id": site.absolute(f"topics/{a.topic.id}/"),
            _term("key"): a.topic.id,
            "label": a.topic.title,
        }
    if a.stance is not None:
        body[_term("stance")] = {_term("key"): a.stance.id, "label": a.stance.label}
    if a.summary:
        body[_term("summary")] = a.summary
    return body


def web_annotation(site: Site, b: Briefing, a: Annotation) -> dict[str, Any]:
    target: dict[str, Any] = {
        "type": "SpecificResource",
        "source": site.absolute(b.path),
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": a.quote,
                "prefix": a.prefix,
                "suffix": a.suffix,
            },
            {"type": "TextPositionSelector", "start": a.start, "end": a.end},
        ],
        _term("plainText"): site.absolute(f"{b.path}text.txt"),
    }
    fragment = a.fragment_url
    if fragment is not None:
        target[_term("textFragment")] = absolute_url(site, fragment)
    return {
        "id": absolute_url(site, a.url),
        "type": "Annotation",
        "motivation": "describing" if a.kind == "position" else "commenting",
        "created": _datetime(a.date),
        "body": annotation_body(site, a),
        "target": target,
    }


def annotations_json(site: Site, b: Briefing) -> bytes:
    url = site.absolute(f"{b.path}annotations.json")
    items = [web_annotation(site, b, a) for a in b.annotations]
    collection = {
        "@context": [ANNO_CONTEXT, VOCAB_CONTEXT],
        "id": url,
        "type": "AnnotationCollection",
        "label": f"Annotations on “{b.title}”",
        "total": len(items),
        _term("source"): site.absolute(b.path),
        _term("plainText"): site.absolute(f"{b.path}text.txt"),
        "first": {
            "id": f"{url}#page-1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }
    return _json_bytes(collection)


# --- data/positions.json -----------------------------------------------------------------


def positions_schema() -> bytes:
    """The JSON Schema of data/positions.json, as shipped in the package."""
    return (files("briefgen") / "schemas" / SCHEMA_FILE).read_bytes()


def position_row(config: SiteConfig, a: Annotation) -> str:
    """One position of positions.json, as JSON text. It depends on the annotation and the
    settings only: the build makes it with the briefing (in parallel, cached)."""
    assert a.stance is not None
    fragment = a.fragment_url
    row = {
        "id": a.id,
        "stance": {"id": a.stance.id, "label": a.stance.label},
        "summary": a.summary,
        "quote": a.quote,
        "date": a.date.isoformat(),
        "url": _absolute_url(config, a.url),
        "textFragmentUrl": _absolute_url(config, fragment) if fragment else None,
        "briefing": {
            "slug": a.briefing_slug,
            "title": a.briefing_title,
            "url": f"{config.base_url}briefings/{a.briefing_slug}/",
        },
    }
    return json.dumps(row, ensure_ascii=False)


def positions_json(site: Site, rows: Mapping[str, str] | None = None) -> bytes:
    """data/positions.json: the site, its stances, actors and topics, and the matrix of
    positions by actor and topic (newest first). `rows` maps annotation ids to position_row(),
    made ahead by the build; any missing is made here. Written as JSON text joined from the
    rows' own JSON text, one line (no indent: the same bytes json.dumps would give)."""
    config = site.content.config
    made = rows or {}

    def row(a: Annotation) -> str:
        return made.get(a.id) or position_row(config, a)

    cells = []
    for actor_page in site.actor_pages:  # actors in actors.yaml order, topics in site order
        for tp in actor_page.by_topic:
            history = [row(p) for p in tp.positions]  # newest first
            stances = {p.stance.id for p in tp.positions if p.stance is not None}
            dates = {p.date for p in tp.positions}
            changed = len(stances) > 1 and len(dates) > 1
            head = json.dumps({"actor": actor_page.actor.id, "topic": tp.topic.id})[:-1]
            cells.append(
                f'{head}, "changed": {json.dumps(changed)}, "latest": {history[0]}, '
                f'"history": [{", ".join(history)}]}}'
            )
    document = json.dumps(_positions_head(site), ensure_ascii=False)[:-1]
    return f'{document}, "matrix": [{", ".join(cells)}]}}\n'.encode()


def _positions_head(site: Site) -> dict[str, Any]:
    config = site.content.config
    newest = _newest(p.date for b in site.briefings for p in b.positions)
    return {
        "$schema": site.absolute(f"data/{SCHEMA_FILE}"),
        "site": {
            "title": config.title,
            "description": config.description,
            "url": site.absolute(),
            "language": config.language,
        },
        "updated": newest.isoformat() if newest else None,
        "stances": [{"id": s.id, "label": s.label} for s in config.stances.values()],
        "actors": [
            {
                "id": a.id,
                "name": a.name,
                "short": a.short,
                "role": a.role,
                "url": site.absolute(f"actors/{a.id}/"),
            }
            for a in site.actors
        ],
        "topics": [
            {
                "id": t.id,
                "title": t.title,
                "question": t.question,
                "url": site.absolute(f"topics/{t.id}/"),
            }
            for t in site.topics
        ],
    }


# --- schema.org JSON-LD ------------------------------------------------------------------


def _script_safe_json(data: Any) -> str:
    """JSON that cannot end a <script> element or open markup inside it."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    for char, escaped in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def quotation_jsonld(briefing: Briefing, site: Site | None = None) -> str:
    """schema.org JSON-LD for a briefing page: an Article whose parts are its quotations.

    Safe to embed as is in ``<script type="application/ld+json">`` (``<``, ``>`` and ``&`` are
    written as ``\\u003c`` etc.); mark it safe in the template rather than escaping it again.
    With `site`, URLs are absolute; without, they are paths under the base path, which JSON-LD
    resolves against the page's own URL.
    """

    def url(value: str) -> str:
        return absolute_url(site, value) if site is not None else value

    parts: list[dict[str, Any]] = []
    for a in briefing.annotations:
        item: dict[str, Any] = {"@type": "Quotation", "text": a.quote, "url": url(a.url)}
        if a.actor is not None:
            item["spokenByCharacter"] = {"@type": "Person", "name": a.actor.name}
        if a.topic is not None:
            item["about"] = {"@type": "Thing", "name": a.topic.title}
        if a.summary:
            item["description"] = a.summary
        parts.append(item)
    page = url(briefing.url)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "@id": page,
        "url": page,
        "headline": briefing.title,
        "datePublished": briefing.date.isoformat(),
    }
    if site is not None:
        data["inLanguage"] = site.content.config.language
        data["isPartOf"] = {
            "@type": "WebSite",
            "name": site.content.config.title,
            "url": site.absolute(),
        }
    if briefing.summary:
        data["description"] = briefing.summary
    source = _safe_link(briefing.source.url)
    if source is not None:
        data["isBasedOn"] = source
    data["hasPart"] = parts
    return _script_safe_json(data)


__all__ = [
    "absolute_url",
    "build_time",
    "publish_files",
    "quotation_jsonld",
    "text_directive",
    "text_fragment_url",
]

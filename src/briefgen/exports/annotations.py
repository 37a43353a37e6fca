"""W3C Web Annotations: briefings/<slug>/annotations.json (an `AnnotationCollection`) and
data/annotations.jsonl (every annotation of the site, one per line).

Selectors refer to the briefing page's `<div class="briefing-text" id="text">`: each target
offers a `CssSelector` for that element refined by (W3C `refinedBy`) a `TextQuoteSelector`, and
another refined by a `TextPositionSelector`, both over the element's text content (the DOM's
`textContent`, also published as text.txt; see briefgen.document.scope and docs/annotations.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from briefgen import urls
from briefgen.content.model import SiteConfig
from briefgen.document.model import Annotation, Briefing
from briefgen.exports.common import json_text, rfc3339
from briefgen.site.model import Site

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# Terms briefgen adds to Web Annotations (actor, topic, stance, summary, ...) live under this
# prefix. A URN: it names the vocabulary without pretending to be a page one could fetch;
# docs/annotations.md documents the terms.
VOCAB_PREFIX = "briefgen"
VOCAB_IRI = "urn:briefgen:"
_LINKS = ("source", "plainText", "textFragment", "actor", "topic")
VOCAB_CONTEXT = {
    VOCAB_PREFIX: VOCAB_IRI,
    **{f"{VOCAB_PREFIX}:{t}": {"@type": "@id"} for t in _LINKS},
}
SCOPE_SELECTOR = "#text"  # the theme's div.briefing-text: the body's text and nothing else


def _term(name: str) -> str:
    return f"{VOCAB_PREFIX}:{name}"


def annotation_bodies(site: Site, a: Annotation) -> list[dict[str, Any]]:
    """The note (`commenting`) and the actor, topic and stance (`tagging`) as TextualBodies."""
    return _bodies(site.content.config, a)


def _bodies(config: SiteConfig, a: Annotation) -> list[dict[str, Any]]:
    language = config.language
    bodies: list[dict[str, Any]] = []
    note = (f"<p>{escape(a.summary, quote=False)}</p>\n" if a.summary else "") + a.note_html
    if note:
        bodies.append(_textual("commenting", note, language, "text/html"))
    if a.actor is not None:
        body = _textual("tagging", a.actor.name, language)
        body[_term("actor")] = config.urls.absolute(urls.actor(a.actor.id))
        bodies.append(body)
    if a.topic is not None:
        body = _textual("tagging", a.topic.title, language)
        body[_term("topic")] = config.urls.absolute(urls.topic(a.topic.id))
        bodies.append(body)
    if a.stance is not None:
        body = _textual("tagging", a.stance.label, language)
        body[_term("stance")] = a.stance.id
        bodies.append(body)
    return bodies


def _textual(purpose: str, value: str, language: str, fmt: str = "text/plain") -> dict[str, Any]:
    return {
        "type": "TextualBody",
        "purpose": purpose,
        "value": value,
        "format": fmt,
        "language": language,
    }


def selectors(a: Annotation) -> list[dict[str, Any]]:
    """Two equivalent selectors: the scope element refined by a quote, and by a position."""
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": a.exact}
    if a.prefix:
        quote["prefix"] = a.prefix
    if a.suffix:
        quote["suffix"] = a.suffix
    position = {"type": "TextPositionSelector", "start": a.start, "end": a.end}
    return [
        {"type": "CssSelector", "value": SCOPE_SELECTOR, "refinedBy": refined}
        for refined in (quote, position)
    ]


def _origin(b: Briefing) -> dict[str, Any]:
    """What the briefing's own source says of itself (publisher, url, ...), when it says it."""
    src = b.source
    fields = {
        "publisher": src.publisher,
        "url": src.url,
        "published": src.published.isoformat() if src.published else None,
        "language": src.language,
        "headline": src.headline,
        "reporting": src.reporting,
    }
    origin = {k: v for k, v in fields.items() if v}
    return {_term("origin"): origin} if origin else {}


def web_annotation(site: Site, b: Briefing, a: Annotation) -> dict[str, Any]:
    return _web_annotation(site.content.config, b, a)


def _web_annotation(config: SiteConfig, b: Briefing, a: Annotation) -> dict[str, Any]:
    absolute = config.urls.absolute
    target: dict[str, Any] = {
        "type": "SpecificResource",
        "source": absolute(urls.briefing(b.slug)),
        "selector": selectors(a),
        _term("plainText"): absolute(urls.plain_text(b.slug)),
        **_origin(b),
    }
    if a.fragment_url is not None:
        target[_term("textFragment")] = config.urls.absolute_of_internal(a.fragment_url)
    else:
        target[_term("noTextFragment")] = a.fragment_problem or "no Text Fragment link"
    date = rfc3339(a.date)
    annotation: dict[str, Any] = {
        "id": absolute(urls.annotation(b.slug, a.id)),
        "type": "Annotation",
        "motivation": "commenting",
        "created": date,
        "modified": date,
        "creator": {
            "id": absolute(urls.home()),
            "type": "Organization",
            "name": config.title,
        },
        "body": _bodies(config, a),
        "target": target,
        _term("kind"): a.kind,
        _term("passage"): config.urls.absolute_of_internal(a.url),
    }
    if a.summary:
        annotation[_term("summary")] = a.summary
    if a.reporting:
        annotation[_term("reporting")] = a.reporting  # "direct" quote or the outlet's "paraphrase"
    return annotation


def annotations_json(site: Site, b: Briefing, lines: bytes = b"") -> bytes:
    """briefings/<slug>/annotations.json. `lines`: the briefing's annotation_lines(), when
    they were made ahead: the file is spliced from their text instead of made again."""
    config = site.content.config
    items = _items_of_lines(lines, len(b.annotations)) if lines else None
    if items is None:
        items = [json_text(_web_annotation(config, b, a)) for a in b.annotations]
    return _spliced(config, b, items)


def _items_of_lines(lines: bytes, count: int) -> list[str] | None:
    """Each line's annotation as JSON text without its "@context" (see annotation_lines), or
    None when the lines are not `count` lines that start as annotation_lines() makes them.
    Split on b"\n" only: JSON text escapes it, but not other line separators."""
    head = _line_head()
    found = lines.split(b"\n")
    if found[-1] != b"" or len(found) != count + 1:
        return None
    items = []
    for line in found[:-1]:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not text.startswith(head):
            return None
        items.append("{" + text[len(head) :])
    return items


def _line_head() -> str:
    """How each line of data/annotations.jsonl starts: the annotation with its "@context"."""
    return '{"@context": ' + json_text([ANNO_CONTEXT, VOCAB_CONTEXT]) + ", "


def _spliced(config: SiteConfig, b: Briefing, items: list[str]) -> bytes:
    """json_bytes() of the collection with these items (each json_text() of one annotation):
    the encoder writes a value the same wherever it stands, so the items' text is spliced
    into the collection's, whose "items" list is its last value."""
    absolute = config.urls.absolute
    url = absolute(urls.annotations_json(b.slug))
    page = absolute(urls.briefing(b.slug))
    collection = {
        "@context": [ANNO_CONTEXT, VOCAB_CONTEXT],
        "id": url,
        "type": "AnnotationCollection",
        "label": f"Annotations on “{b.title}”",
        "total": len(items),
        _term("source"): page,
        _term("plainText"): absolute(urls.plain_text(b.slug)),
        _term("selectorScope"): (
            f"Selectors refer to the text content (DOM textContent) of the element "
            f"{SCOPE_SELECTOR} of the page {page}, "
            "published as plain text at briefgen:plainText; offsets count code points."
        ),
        "first": {"id": f"{url}#page-1", "type": "AnnotationPage", "startIndex": 0, "items": []},
    }
    empty = json_text(collection)
    assert empty.endswith("[]}}")  # "items" is the last key of "first", "first" the last
    return (empty[:-4] + "[" + ", ".join(items) + "]}}\n").encode("utf-8")


def annotations_jsonl(site: Site, made: Mapping[str, bytes] | None = None) -> bytes:
    """Every annotation of the site, one JSON-LD Annotation per line, briefings newest first.
    `made`: briefing slug -> its lines (annotation_lines()), made ahead where it was built."""
    made = made or {}
    config = site.content.config
    return b"".join(made.get(b.slug) or annotation_lines(config, b) for b in site.briefings)


def annotation_lines(config: SiteConfig, b: Briefing) -> bytes:
    """One briefing's lines of data/annotations.jsonl: json_bytes() of each annotation with
    its "@context" first (written as _line_head() and the annotation's own JSON text, which
    is what annotations_json() splices back out)."""
    head = _line_head()
    lines = (head + json_text(_web_annotation(config, b, a))[1:] + "\n" for a in b.annotations)
    return "".join(lines).encode("utf-8")

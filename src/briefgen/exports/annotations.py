"""briefings/<slug>/annotations.json: a W3C Web Annotation `AnnotationCollection`."""

from __future__ import annotations

from typing import Any

from briefgen import urls
from briefgen.document.model import Annotation, Briefing
from briefgen.exports.common import json_bytes, rfc3339
from briefgen.site.model import Site

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
            "id": site.absolute(urls.actor(a.actor.id)),
            _term("key"): a.actor.id,
            "label": a.actor.name,
        }
    if a.topic is not None:
        body[_term("topic")] = {
            "id": site.absolute(urls.topic(a.topic.id)),
            _term("key"): a.topic.id,
            "label": a.topic.title,
        }
    if a.stance is not None:
        body[_term("stance")] = {_term("key"): a.stance.id, "label": a.stance.label}
    if a.summary:
        body[_term("summary")] = a.summary
    if a.reporting:
        body[_term("reporting")] = a.reporting  # "direct" quote or the outlet's "paraphrase"
    return body


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
    target: dict[str, Any] = {
        "type": "SpecificResource",
        "source": site.absolute(urls.briefing(b.slug)),
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": a.quote,
                "prefix": a.prefix,
                "suffix": a.suffix,
            },
            {"type": "TextPositionSelector", "start": a.start, "end": a.end},
        ],
        _term("plainText"): site.absolute(urls.plain_text(b.slug)),
        **_origin(b),
    }
    fragment = a.fragment_url
    if fragment is not None:
        target[_term("textFragment")] = site.urls.absolute_of_internal(fragment)
    return {
        "id": site.urls.absolute_of_internal(a.url),
        "type": "Annotation",
        "motivation": "describing" if a.kind == "position" else "commenting",
        "created": rfc3339(a.date),
        "body": annotation_body(site, a),
        "target": target,
    }


def annotations_json(site: Site, b: Briefing) -> bytes:
    url = site.absolute(urls.annotations_json(b.slug))
    items = [web_annotation(site, b, a) for a in b.annotations]
    collection = {
        "@context": [ANNO_CONTEXT, VOCAB_CONTEXT],
        "id": url,
        "type": "AnnotationCollection",
        "label": f"Annotations on “{b.title}”",
        "total": len(items),
        _term("source"): site.absolute(urls.briefing(b.slug)),
        _term("plainText"): site.absolute(urls.plain_text(b.slug)),
        "first": {
            "id": f"{url}#page-1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }
    return json_bytes(collection)

"""schema.org JSON-LD for a briefing page: an Article whose parts are its quotations."""

from __future__ import annotations

import json
from typing import Any

from briefgen.document.model import Briefing
from briefgen.exports.common import safe_link
from briefgen.site.model import Site


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
        return site.urls.absolute_of_internal(value) if site is not None else value

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
    based_on = _based_on(briefing)
    if based_on:
        data["isBasedOn"] = based_on
    data["hasPart"] = parts
    return _script_safe_json(data)


def _based_on(briefing: Briefing) -> dict[str, Any]:
    """The source as a schema.org CreativeWork: only what the source says, nothing invented."""
    src = briefing.source
    work: dict[str, Any] = {}
    link = safe_link(src.url)
    if link is not None:
        work["url"] = link
    if src.headline:
        work["headline"] = src.headline
    if src.publisher:
        work["publisher"] = {"@type": "Organization", "name": src.publisher}
    if src.published:
        work["datePublished"] = src.published.isoformat()
    if src.language:
        work["inLanguage"] = src.language
    return {"@type": "CreativeWork", **work} if work else {}

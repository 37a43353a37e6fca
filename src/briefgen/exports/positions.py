"""data/positions.json: the actors x topics matrix, described by data/positions.schema.json
(shipped in the package as ``briefgen/exports/schemas/positions.schema.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from briefgen import urls
from briefgen.content.model import SiteConfig
from briefgen.document.model import Annotation
from briefgen.exports.common import newest
from briefgen.site.model import Site

SCHEMA_FILE = "positions.schema.json"


def positions_schema() -> bytes:
    """The JSON Schema of data/positions.json, as shipped in the package."""
    return (files("briefgen.exports") / "schemas" / SCHEMA_FILE).read_bytes()


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
        "url": config.urls.absolute_of_internal(a.url),
        "textFragmentUrl": config.urls.absolute_of_internal(fragment) if fragment else None,
        "briefing": {
            "slug": a.briefing_slug,
            "title": a.briefing_title,
            "url": config.urls.absolute(urls.briefing(a.briefing_slug)),
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
    latest = newest(p.date for b in site.briefings for p in b.positions)
    return {
        "$schema": site.absolute(urls.positions_schema()),
        "site": {
            "title": config.title,
            "description": config.description,
            "url": site.absolute(),
            "language": config.language,
        },
        "updated": latest.isoformat() if latest else None,
        "stances": [{"id": s.id, "label": s.label} for s in config.stances.values()],
        "actors": [
            {
                "id": a.id,
                "name": a.name,
                "short": a.short,
                "role": a.role,
                "url": site.absolute(urls.actor(a.id)),
            }
            for a in site.actors
        ],
        "topics": [
            {
                "id": t.id,
                "title": t.title,
                "question": t.question,
                "url": site.absolute(urls.topic(t.id)),
            }
            for t in site.topics
        ],
    }

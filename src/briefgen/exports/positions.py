"""data/positions.json: the actors x topics matrix, described by data/positions.schema.json
(shipped in the package as ``briefgen/exports/schemas/positions.schema.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from briefgen import urls
from briefgen.content.model import RELATIONS, SiteConfig
from briefgen.document.model import Annotation
from briefgen.exports.common import newest
from briefgen.site.model import Site

SCHEMA_FILE = "positions.schema.json"
DERIVED = {  # what the stance labels alone say, where no analyst gave a verdict
    "same-stance": "the same stance label, which is not an analyst's verdict",
    "different-stances": "different stance labels",
    "mixed": "one side holds different stances in its newest briefing",
    "only-a": "only the first actor has a position",
    "only-b": "only the second actor has a position",
}


def positions_schema() -> bytes:
    """The JSON Schema of data/positions.json, as shipped in the package."""
    return (files("briefgen.exports") / "schemas" / SCHEMA_FILE).read_bytes()


def position_row(config: SiteConfig, a: Annotation) -> str:
    """One position of positions.json, as JSON text. It depends on the annotation and the
    settings only: the build makes it with the briefing (in parallel, cached)."""
    assert a.stance is not None and a.topic is not None
    fragment = a.fragment_url
    row = {
        "id": a.id,
        "stance": {"id": a.stance.id, "label": a.stance.label},
        "answer": a.topic.answer(a.stance),
        "reporting": a.reporting,
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
            history = [row(p) for p in tp.positions]  # newest briefing first, then text order
            stances = {p.stance.id for p in tp.positions if p.stance is not None}
            dates = {p.date for p in tp.positions}
            changed = len(stances) > 1 and len(dates) > 1
            head = {
                "actor": actor_page.actor.id,
                "topic": tp.topic.id,
                "changed": changed,
                "mixed": len(tp.stances) > 1,
                "latestStances": [s.id for s in tp.stances],
            }
            cells.append(
                f'{json.dumps(head)[:-1]}, "latest": {history[0]}, '
                f'"history": [{", ".join(history)}]}}'
            )
    document = json.dumps(_positions_head(site), ensure_ascii=False)[:-1]
    comparisons = json.dumps(comparisons_json(site), ensure_ascii=False)
    return f'{document}, "comparisons": {comparisons}, "matrix": [{", ".join(cells)}]}}\n'.encode()


def comparisons_json(site: Site) -> list[dict[str, Any]]:
    """Per actor pair and topic: the analyst's verdict, or what the stance labels say
    (relation_source "derived": never a verdict, never "agree")."""
    out: list[dict[str, Any]] = []
    for pair in site.pairs:
        for row in pair.rows:
            verdict = row.verdict
            out.append(
                {
                    "actors": [pair.a.id, pair.b.id],
                    "topic": row.topic.id,
                    "relation": row.relation,
                    "relation_source": row.source,
                    "summary": verdict.summary if verdict else None,
                    "evidence": [site.urls.absolute_of_internal(u) for u in verdict.evidence_urls]
                    if verdict
                    else [],
                    "date": verdict.date.isoformat() if verdict else None,
                    "url": site.absolute(urls.compare_topic(pair.a.id, pair.b.id, row.topic.id)),
                }
            )
    return out


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
        "relations": [
            {"id": rel, "source": "analyst", "description": text} for rel, text in RELATIONS.items()
        ]
        + [{"id": rel, "source": "derived", "description": text} for rel, text in DERIVED.items()],
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
                "answers": {s.id: t.answer(s) for s in config.stances.values()},
                "url": site.absolute(urls.topic(t.id)),
            }
            for t in site.topics
        ],
    }

"""A briefing's `comparisons:`: the analyst's verdicts on two actors' positions on one topic.

Read with the front-matter (`read_comparisons`), then checked against the briefing's own
annotations once their ids are known (`check_comparisons`). Every error is reported at the
YAML line it is about, with a hint.
"""

from __future__ import annotations

from briefgen.content.model import (
    RELATIONS,
    Actor,
    AnnotationSpec,
    BriefingSource,
    Comparison,
    Topic,
)
from briefgen.content.schema import Reader, did_you_mean
from briefgen.content.yamlsrc import YMap
from briefgen.diagnostics import Diagnostics

COMPARISON_KEYS = ("topic", "actors", "relation", "summary", "evidence")


def read_comparisons(
    r: Reader, actors: dict[str, Actor] | None, topics: dict[str, Topic] | None
) -> tuple[Comparison, ...]:
    seq = r.sequence("comparisons")
    out: list[Comparison] = []
    for number, item in enumerate(seq.items if seq else [], start=1):
        if not isinstance(item, YMap):
            r.error(
                item.pos,
                f"comparison {number} must be a mapping",
                "start it with '- topic: ...' and give actors, relation, summary, evidence",
            )
            continue
        c = r.child(item, f"comparison {number}")
        topic = c.choice("topic", topics, "topic")
        pair = _read_pair(c, actors)
        relation = c.choice("relation", RELATIONS, "relation")
        summary = c.text("summary")
        evidence = c.id_list("evidence") if "evidence" in item.values else []
        if not evidence:
            c.error(
                c.key_pos("evidence"),
                f"comparison {number} has no evidence",
                "evidence: [annotation ids of this briefing, at least one per actor]",
            )
        c.finish(COMPARISON_KEYS)
        if topic and pair and relation and summary and evidence:
            out.append(
                Comparison(
                    topic,
                    pair,
                    relation,
                    summary,
                    tuple(i for i, _ in evidence),
                    item.pos,
                    tuple(p for _, p in evidence),
                )
            )
    return tuple(out)


def _read_pair(c: Reader, actors: dict[str, Actor] | None) -> tuple[str, str] | None:
    node = c.node.values.get("actors")
    ids = c.id_list("actors") if node is not None else []
    if node is None:
        c.error(c.node.pos, f"{c.where} is missing the required field 'actors'", "actors: [a, b]")
        return None
    if len(ids) != 2 or ids[0][0] == ids[1][0]:
        c.error(node.pos, f"'actors' of {c.where} must name two different actors", "actors: [a, b]")
        return None
    known = True
    for ident, pos in ids:
        if actors is not None and ident not in actors:
            c.error(
                pos,
                f"unknown actor '{ident}' in {c.where}",
                did_you_mean(ident, sorted(actors), "actor"),
            )
            known = False
    return (ids[0][0], ids[1][0]) if known else None


def check_comparisons(briefing: BriefingSource, diags: Diagnostics) -> None:
    """Evidence must be this briefing's positions of the pair on the topic, at least one per
    actor; one verdict per topic and pair."""
    specs = {s.id: s for s in briefing.annotations}
    seen: dict[tuple[str, frozenset[str]], int] = {}
    for comp in briefing.comparisons:
        key = (comp.topic, frozenset(comp.actors))
        if key in seen:
            diags.error(
                briefing.rel_path,
                comp.pos.line,
                comp.pos.col,
                f"a second verdict on '{comp.topic}' for {comp.actors[0]} and {comp.actors[1]} "
                f"(the first is at line {seen[key]})",
                "keep one comparison per topic and pair in a briefing; merge the two",
            )
            continue
        seen[key] = comp.pos.line
        _check_evidence(briefing, comp, specs, diags)


def _check_evidence(
    briefing: BriefingSource,
    comp: Comparison,
    specs: dict[str, AnnotationSpec],
    diags: Diagnostics,
) -> None:
    covered: set[str] = set()
    wrong = False
    rel = briefing.rel_path
    for ident, pos in zip(comp.evidence, comp.evidence_pos, strict=True):
        spec = specs.get(ident)
        problem = ""
        if spec is None:
            problem = f"evidence '{ident}' is not an annotation id of this briefing"
            hint = did_you_mean(ident, sorted(specs), "annotation id", listing=False) or (
                "list ids from this briefing's 'annotations:' (give the annotation an 'id:')"
            )
        elif spec.kind != "position":
            problem = f"evidence '{ident}' is a context note, not a position"
            hint = "evidence must be positions of the two actors on the topic"
        elif spec.actor not in comp.actors:
            problem = f"evidence '{ident}' is a position of '{spec.actor}', not of {_pair(comp)}"
            hint = "evidence must be positions of the two actors compared"
        elif spec.topic != comp.topic:
            problem = f"evidence '{ident}' is on topic '{spec.topic}', not '{comp.topic}'"
            hint = f"use positions on '{comp.topic}', or change the comparison's topic"
        if problem:
            wrong = True
            diags.error(rel, pos.line, pos.col, problem, hint)
        elif spec is not None and spec.actor is not None:
            covered.add(spec.actor)
    for actor in comp.actors:
        if actor not in covered and not wrong:  # a wrong id already said what is missing
            at = comp.evidence_pos[0] if comp.evidence_pos else comp.pos
            diags.error(
                rel,
                at.line,
                at.col,
                f"the verdict on '{comp.topic}' has no evidence of '{actor}'",
                f"add the id of a position of '{actor}' on '{comp.topic}' to evidence",
            )


def _pair(comp: Comparison) -> str:
    return f"'{comp.actors[0]}' or '{comp.actors[1]}'"

"""What the site says about two actors, topic by topic: the analyst's verdict where a briefing
gives one (`comparisons:`), otherwise only facts derived from the stance labels, marked so.

Equal stance labels are not agreement: a derived row never says "agree".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from operator import attrgetter

from markdown_it import MarkdownIt

from briefgen import urls
from briefgen.content.model import Actor, BriefingSource, Comparison, Stance, Topic
from briefgen.document.model import Annotation, Briefing
from briefgen.urls import Urls

ANALYST = "analyst"
DERIVED = "derived"
# Overview order: analyst verdicts first (closest to agreement first), then derived facts.
VERDICTS = ("agree", "partial", "same-stance-different-reasons", "disagree", "not-comparable")
DERIVED_RELATIONS = ("same-stance", "different-stances", "mixed", "only-a", "only-b")


def text_order(items: Sequence[Annotation]) -> tuple[Annotation, ...]:
    """Newest briefing first; within a briefing, the order of the passages in the text."""
    by_text = sorted(items, key=_NUMBER)
    return tuple(sorted(by_text, key=_NEWEST, reverse=True))


_NUMBER = attrgetter("number")  # sort keys read in C: 20,000 positions at 4,000 briefings
_NEWEST = attrgetter("date", "briefing_slug")


def latest_stances(positions: Sequence[Annotation]) -> tuple[Stance, ...]:
    """The distinct stances of the newest briefing among `positions` (in text order); more
    than one: the cell is "mixed", and says so instead of picking one."""
    if not positions:
        return ()
    newest = positions[0].briefing_slug
    seen: dict[str, Stance] = {}
    for p in positions:
        if p.briefing_slug != newest:
            break  # text order: the newest briefing's positions come first, together
        if p.stance is not None:
            seen.setdefault(p.stance.id, p.stance)
    return tuple(seen.values())


@dataclass(frozen=True)
class Verdict:
    """An analyst's comparison, resolved: its briefing, date and evidence passages."""

    relation: str
    summary: str  # the analyst's Markdown inline, as written
    summary_html: str  # ... rendered (no raw HTML)
    date: dt.date
    briefing: Briefing
    evidence: tuple[Annotation, ...]  # in text order
    evidence_urls: tuple[str, ...]  # each evidence passage's internal URL

    @property
    def links(self) -> tuple[tuple[Annotation, str], ...]:
        return tuple(zip(self.evidence, self.evidence_urls, strict=True))


@dataclass(frozen=True)
class CompareRow:
    topic: Topic
    a: tuple[Annotation, ...]  # newest briefing first, then text order
    b: tuple[Annotation, ...]
    relation: str  # a verdict (VERDICTS) or a derived fact (DERIVED_RELATIONS)
    verdict: Verdict | None = None

    @property
    def source(self) -> str:
        return ANALYST if self.verdict is not None else DERIVED

    @property
    def a_stances(self) -> tuple[Stance, ...]:
        return latest_stances(self.a)

    @property
    def b_stances(self) -> tuple[Stance, ...]:
        return latest_stances(self.b)


@dataclass(frozen=True)
class ComparePair:
    a: Actor
    b: Actor
    slug: str  # "<a>-vs-<b>"
    url: str
    rows: tuple[CompareRow, ...]

    def with_relation(self, *relations: str) -> tuple[CompareRow, ...]:
        return tuple(r for r in self.rows if r.relation in relations)

    @property
    def shared(self) -> tuple[CompareRow, ...]:
        """Topics on which both have a position."""
        return tuple(r for r in self.rows if r.a and r.b)

    @property
    def verdicts(self) -> tuple[CompareRow, ...]:
        return tuple(r for r in self.rows if r.verdict is not None)

    @property
    def groups(self) -> tuple[tuple[str, tuple[CompareRow, ...]], ...]:
        """(relation, rows) for the overview, analyst verdicts first; empty groups left out.
        "only-a" and "only-b" make one group, "only"."""
        verdicts = [(rel, self.with_relation(rel)) for rel in VERDICTS]
        # Verdict groups in the order of their first topic: the story's lead topic leads.
        verdicts.sort(key=lambda g: self.rows.index(g[1][0]) if g[1] else len(self.rows))
        derived = [(rel, self.with_relation(rel)) for rel in DERIVED_RELATIONS[:3]]
        derived.append(("only", self.with_relation("only-a", "only-b")))
        return tuple((rel, rows) for rel, rows in (*verdicts, *derived) if rows)


def derived_relation(a: Sequence[Annotation], b: Sequence[Annotation]) -> str:
    """What the stance labels alone say; never a verdict."""
    if not b:
        return "only-a"
    if not a:
        return "only-b"
    sa, sb = latest_stances(a), latest_stances(b)
    if len(sa) > 1 or len(sb) > 1:
        return "mixed"
    return "same-stance" if sa == sb else "different-stances"


def compare_pairs(
    actors: Sequence[Actor],
    topics: Sequence[Topic],
    cells: Mapping[tuple[str, str], tuple[Annotation, ...]],
    sources: Sequence[BriefingSource],
    briefings: Sequence[Briefing],
    site_urls: Urls,
) -> tuple[ComparePair, ...]:
    """Every pair of actors with a position of both on one topic, or an analyst verdict."""
    verdicts = _verdicts(sources, briefings, site_urls)
    pairs = []
    for a, b in combinations(actors, 2):
        rows = []
        for t in topics:
            pa, pb = cells.get((a.id, t.id), ()), cells.get((b.id, t.id), ())
            verdict = verdicts.get((t.id, frozenset((a.id, b.id))))
            if verdict is not None:
                rows.append(CompareRow(t, pa, pb, verdict.relation, verdict))
            elif pa or pb:
                rows.append(CompareRow(t, pa, pb, derived_relation(pa, pb)))
        if any((r.a and r.b) or r.verdict for r in rows):
            url = site_urls.internal(urls.compare(a.id, b.id))
            pairs.append(ComparePair(a, b, urls.compare_slug(a.id, b.id), url, tuple(rows)))
    return tuple(pairs)


_INLINE = MarkdownIt("commonmark", {"html": False})


def _verdicts(
    sources: Sequence[BriefingSource], briefings: Sequence[Briefing], site_urls: Urls
) -> dict[tuple[str, frozenset[str]], Verdict]:
    """(topic, pair) -> the verdict of the newest briefing that gives one."""
    by_slug = {b.slug: b for b in briefings}
    found: dict[tuple[str, frozenset[str]], Verdict] = {}
    for source in sorted(sources, key=lambda s: (s.date, s.slug), reverse=True):
        briefing = by_slug.get(source.slug)
        for comp in source.comparisons if briefing is not None else ():
            assert briefing is not None
            key = (comp.topic, frozenset(comp.actors))
            if key not in found:
                found[key] = _verdict(comp, briefing, site_urls)
    return found


def _verdict(comp: Comparison, briefing: Briefing, site_urls: Urls) -> Verdict:
    found = [briefing.by_id[i] for i in comp.evidence if i in briefing.by_id]
    evidence = tuple(sorted(found, key=lambda a: a.number))
    return Verdict(
        comp.relation,
        comp.summary,
        _INLINE.renderInline(comp.summary),
        briefing.date,
        briefing,
        evidence,
        tuple(site_urls.internal(urls.passage(a.briefing_slug, a.id)) for a in evidence),
    )

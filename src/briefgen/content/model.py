"""The content model as loaded and validated: plain, immutable data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from briefgen.content.yamlsrc import Pos
from briefgen.urls import Urls

DEFAULT_STANCES: dict[str, str] = {
    "supports": "Supports",
    "opposes": "Opposes",
    "conditional": "Conditional",
    "unclear": "Unclear",
}


@dataclass(frozen=True)
class Stance:
    id: str
    label: str


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str  # absolute, always ending in "/"
    language: str
    theme: str
    compare: tuple[str, str] | None
    topics_order: tuple[str, ...]
    stances: dict[str, Stance]

    @cached_property  # asked for several times per annotation and page
    def urls(self) -> Urls:
        return Urls(self.base_url)

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. "/repo/"; internal URLs start with it."""
        return self.urls.base_path


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    role: str
    short: str
    color: str | None


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    question: str
    description: str
    # stance id -> the label that answers `question` ("No, not now"); a tuple: Topic is hashable
    answers: tuple[tuple[str, str], ...] = ()

    def answer(self, stance: Stance) -> str:
        """The stance as an answer to this topic's question; the stance's label by default."""
        return dict(self.answers).get(stance.id, stance.label)


REPORTING = ("first-hand", "reported")  # source.reporting
ANNOTATION_REPORTING = ("direct", "paraphrase")  # annotation.reporting


@dataclass(frozen=True)
class Source:
    """Where a briefing's text comes from; None: the source does not say (never invented)."""

    seed: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: dt.date | None = None
    language: str | None = None
    headline: str | None = None  # the source's own title, when the briefing's differs
    reporting: str | None = None  # "first-hand" | "reported"

    def described(self) -> tuple[tuple[str, str, bool], ...]:
        """(label, text, given) for a reader to judge the source by; what the source does not
        say is stated as missing (given False), never filled in."""
        published = self.published.isoformat() if self.published else None
        reporting = {
            "first-hand": "first-hand: the outlet's own reporting",
            "reported": "reported: the outlet relays what others said",
        }.get(self.reporting or "")
        facts = (
            ("Published by", self.publisher, "publisher not named in the source"),
            ("Published on", published, "publication date not given in the source"),
            ("Original", self.url, "no link to the original given in the source"),
            ("Language", self.language, "language not stated"),
            ("Reporting", reporting, "not stated whether first-hand or reported"),
        )
        return tuple((label, value or missing, bool(value)) for label, value, missing in facts)


# An analyst's verdict on two actors' positions on one topic (briefing front-matter
# `comparisons`). Anything else the site says about two actors is derived and says so.
RELATIONS: dict[str, str] = {
    "agree": "same position, compatible reasons",
    "same-stance-different-reasons": "same stance, for different reasons",
    "disagree": "different positions",
    "partial": "agree on some points, not on others",
    "not-comparable": "they answer different questions",
}


@dataclass(frozen=True)
class Comparison:
    topic: str
    actors: tuple[str, str]
    relation: str  # a key of RELATIONS
    summary: str  # Markdown inline
    evidence: tuple[str, ...]  # annotation ids of the same briefing
    pos: Pos  # the list item
    evidence_pos: tuple[Pos, ...] = ()  # each evidence id's own position


@dataclass(frozen=True)
class AnnotationSpec:
    """An annotation as the author wrote it, before it is anchored in the text."""

    id: str
    kind: str  # "position" or "context"
    quote: str
    prefix: str
    suffix: str
    actor: str | None
    topic: str | None
    stance: str | None
    summary: str
    note: str
    pos: Pos  # the list item's position
    id_derived: bool = False
    quote_pos: Pos | None = None  # the `quote:` key: anchoring errors are reported there
    note_pos: Pos | None = None  # the `note:` key: its links' errors are reported there
    reporting: str | None = None  # "direct" quote or the outlet's "paraphrase"; None: not said


@dataclass(frozen=True)
class BriefingSource:
    """One `content/briefings/<slug>.md`: front-matter fields and the Markdown body."""

    slug: str
    path: Path
    rel_path: str  # as shown in diagnostics
    title: str
    date: dt.date
    source: Source
    summary: str
    draft: bool
    annotations: tuple[AnnotationSpec, ...]
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    comparisons: tuple[Comparison, ...] = ()


@dataclass(frozen=True)
class Content:
    site_dir: Path
    config: SiteConfig
    actors: dict[str, Actor]
    topics: dict[str, Topic]
    briefings: tuple[BriefingSource, ...] = field(default_factory=tuple)

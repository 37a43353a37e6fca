"""A briefing as the document stage leaves it: its rendered body and its anchored annotations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from briefgen.content.model import Actor, Source, Stance, Topic
from briefgen.document.markdown import Chunk, Heading, HtmlChunk, LinkRef, NotesChunk


@dataclass(frozen=True)
class Annotation:
    id: str
    kind: str  # "position" | "context"
    number: int  # note number in its briefing, in document order
    quote: str  # the passage as in the Markdown's text (original characters, blocks "\n\n")
    # W3C selectors over the selector scope (scope.py: the textContent of div#text, which is
    # also text.txt): the quote as the DOM has it, context that makes it unique, code points.
    exact: str
    prefix: str  # "" when the quote starts the scope
    suffix: str  # "" when it ends the scope
    start: int
    end: int
    actor: Actor | None
    topic: Topic | None
    stance: Stance | None
    summary: str
    note_html: str
    briefing_slug: str
    briefing_title: str
    date: dt.date
    url: str  # the passage's permalink: <base>briefings/<slug>/#<id>
    fragment_url: str | None = None  # its Text Fragment link (fragments.py), if one exists
    fragment_problem: str | None = None  # why there is no Text Fragment link
    reporting: str | None = None  # "direct" | "paraphrase" (the author's `reporting`), or None


@dataclass(frozen=True)
class Briefing:
    slug: str
    url: str
    path: str  # site-relative page path, "briefings/<slug>/"
    title: str
    date: dt.date
    summary: str
    source: Source
    source_path: str
    chunks: tuple[Chunk, ...]
    plain_text: str  # the selector scope's text (scope.py), published as text.txt
    headings: tuple[Heading, ...]
    annotations: tuple[Annotation, ...]  # document order
    links: tuple[LinkRef, ...]
    by_id: dict[str, Annotation] = field(repr=False, compare=False)
    draft: bool = False  # shown only with --drafts (and by serve), with a visible marker

    @cached_property
    def text_html(self) -> str:
        """The body's HTML: the theme's div#text holds exactly this (the selector scope)."""
        return "".join(c.html for c in self.chunks if isinstance(c, HtmlChunk))

    # Derived once per object (templates ask for them many times per page).
    @cached_property
    def positions(self) -> tuple[Annotation, ...]:
        return tuple(a for a in self.annotations if a.kind == "position")

    @cached_property
    def actors(self) -> tuple[Actor, ...]:
        """Actors with a position here, in order of first appearance."""
        seen: dict[str, Actor] = {}
        for a in self.positions:
            if a.actor is not None:
                seen.setdefault(a.actor.id, a.actor)
        return tuple(seen.values())

    @cached_property
    def positions_by_topic(self) -> dict[str, tuple[Annotation, ...]]:
        """Topic id -> the positions on it here, in document order."""
        by_topic: dict[str, list[Annotation]] = {}
        for a in self.positions:
            if a.topic is not None:
                by_topic.setdefault(a.topic.id, []).append(a)
        return {topic: tuple(ps) for topic, ps in by_topic.items()}

    def notes(self, chunk: NotesChunk) -> list[Annotation]:
        return [self.by_id[i] for i in chunk.annotation_ids]

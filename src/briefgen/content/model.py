"""The content model as loaded and validated: plain, immutable data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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

    @property
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


@dataclass(frozen=True)
class Source:
    seed: str | None = None
    publisher: str | None = None
    url: str | None = None


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


@dataclass(frozen=True)
class Content:
    site_dir: Path
    config: SiteConfig
    actors: dict[str, Actor]
    topics: dict[str, Topic]
    briefings: tuple[BriefingSource, ...] = field(default_factory=tuple)

"""Stage 4: the site model. Everything a template shows, derived once, as plain data.

Templates receive these objects (see themes/default/README.md for the context of each page).
"""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.content.model import Actor, Content, SiteConfig, Source, Stance, Topic
from briefgen.document.model import Annotation, Briefing
from briefgen import urls
from briefgen.site.compare import ComparePair, CompareRow, compare_pairs, latest_stances, text_order
from briefgen.urls import Urls

__all__ = ["ComparePair", "CompareRow", "Source", "Stance"]


@dataclass(frozen=True)
class ActorPositions:
    actor: Actor
    positions: tuple[Annotation, ...]  # newest first

    @property
    def stances(self) -> tuple[Stance, ...]:
        """The stances of the newest briefing; more than one: "mixed"."""
        return latest_stances(self.positions)

    @property
    def changed(self) -> bool:
        """True when the actor's stance on the topic differs between dates."""
        return len({p.stance.id for p in self.positions if p.stance}) > 1 and (
            len({p.date for p in self.positions}) > 1
        )


@dataclass(frozen=True)
class TopicPage:
    topic: Topic
    url: str
    by_actor: tuple[ActorPositions, ...]


@dataclass(frozen=True)
class TopicPositions:
    topic: Topic
    positions: tuple[Annotation, ...]  # newest first

    @property
    def stances(self) -> tuple[Stance, ...]:
        return latest_stances(self.positions)


@dataclass(frozen=True)
class ActorPage:
    actor: Actor
    url: str
    by_topic: tuple[TopicPositions, ...]


@dataclass(frozen=True)
class MatrixCell:
    actor: Actor
    topic: Topic
    latest: Annotation | None  # the actor's most recent position on the topic
    stances: tuple[Stance, ...] = ()  # distinct stances of the newest briefing; >1: "mixed"

    @property
    def mixed(self) -> bool:
        return len(self.stances) > 1


@dataclass(frozen=True)
class Site:
    content: Content
    base_path: str
    actors: tuple[Actor, ...]
    topics: tuple[Topic, ...]
    briefings: tuple[Briefing, ...]  # newest first
    pairs: tuple[ComparePair, ...]
    featured: ComparePair | None
    topic_pages: tuple[TopicPage, ...]
    actor_pages: tuple[ActorPage, ...]
    matrix: tuple[tuple[MatrixCell, ...], ...]  # one row per actor, one cell per topic
    search: bool = True  # the site has a search index and a /search/ page

    @property
    def config(self) -> SiteConfig:
        return self.content.config

    @property
    def urls(self) -> Urls:
        return self.content.config.urls

    def url(self, path: str = "") -> str:
        return self.urls.internal(path)

    def absolute(self, path: str = "") -> str:
        return self.urls.absolute(path)


def _newest_first(items: list[Annotation]) -> tuple[Annotation, ...]:
    return text_order(items)


def ordered_topics(content: Content) -> tuple[Topic, ...]:
    """topics_order first, then the rest in the order of topics.yaml."""
    order = [t for t in content.config.topics_order if t in content.topics]
    order += [t for t in content.topics if t not in order]
    return tuple(content.topics[t] for t in order)


def build_site(content: Content, briefings: list[Briefing], search: bool = True) -> Site:
    base, link = content.config.base_path, content.config.urls.internal
    actors = tuple(content.actors.values())
    topics = ordered_topics(content)
    briefings = sorted(briefings, key=lambda b: (b.date, b.slug), reverse=True)
    positions = [a for b in briefings for a in b.positions]
    grid: dict[tuple[str, str], list[Annotation]] = {}
    for p in positions:
        assert p.actor is not None and p.topic is not None
        grid.setdefault((p.actor.id, p.topic.id), []).append(p)
    cells = {key: _newest_first(items) for key, items in grid.items()}

    pairs = compare_pairs(actors, topics, cells, content.briefings, briefings, content.config.urls)
    featured = None
    if content.config.compare:
        wanted = set(content.config.compare)
        featured = next((p for p in pairs if {p.a.id, p.b.id} == wanted), None)

    topic_pages = tuple(
        TopicPage(
            t,
            link(urls.topic(t.id)),
            tuple(ActorPositions(a, cells[(a.id, t.id)]) for a in actors if (a.id, t.id) in cells),
        )
        for t in topics
    )
    actor_pages = tuple(
        ActorPage(
            a,
            link(urls.actor(a.id)),
            tuple(TopicPositions(t, cells[(a.id, t.id)]) for t in topics if (a.id, t.id) in cells),
        )
        for a in actors
    )
    matrix = tuple(tuple(_cell(a, t, cells.get((a.id, t.id), ())) for t in topics) for a in actors)
    return Site(
        content,
        base,
        actors,
        topics,
        tuple(briefings),
        pairs,
        featured,
        topic_pages,
        actor_pages,
        matrix,
        search=search,
    )


def _cell(actor: Actor, topic: Topic, positions: tuple[Annotation, ...]) -> MatrixCell:
    return MatrixCell(actor, topic, positions[0] if positions else None, latest_stances(positions))

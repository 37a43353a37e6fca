"""The pages of a site: where each goes, which template draws it, and its own context.

Adding a page kind: a path in `briefgen.urls`, a `Page` here, and its template.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from briefgen import urls
from briefgen.site.model import Site


@dataclass(frozen=True)
class Page:
    """One output page: where it goes, which template draws it, and its own context."""

    path: str  # site-relative URL path: "" for home, "briefings/x/", or "404.html"
    template: str
    title: str
    description: str = ""
    context: dict[str, Any] = field(default_factory=dict)

    @cached_property  # asked several times a build for each of a big site's pages
    def file(self) -> str:
        return urls.page_file(self.path)


def pages(site: Site) -> Iterator[Page]:
    config = site.content.config
    yield Page(urls.home(), "home.html", config.title, config.description)
    for b in site.briefings:
        yield Page(urls.briefing(b.slug), "briefing.html", b.title, b.summary, {"briefing": b})
    yield Page(urls.compare_index(), "compare_index.html", "Compare positions")
    for pair in site.pairs:
        title = f"{pair.a.name} and {pair.b.name}, topic by topic"
        yield Page(urls.compare(pair.a.id, pair.b.id), "compare.html", title, "", {"pair": pair})
    yield Page(urls.topics(), "topics.html", "Topics")
    for t in site.topic_pages:
        yield Page(
            urls.topic(t.topic.id),
            "topic.html",
            t.topic.title,
            t.topic.question,
            {"topic_page": t},
        )
    yield Page(urls.actors(), "actors.html", "Actors")
    for a in site.actor_pages:
        yield Page(
            urls.actor(a.actor.id), "actor.html", a.actor.name, a.actor.role, {"actor_page": a}
        )
    if site.search:
        yield Page(urls.search(), "search.html", "Search", f"Search {config.title}")
    yield Page(urls.not_found(), "404.html", "Page not found")

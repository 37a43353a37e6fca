"""Every URL briefgen publishes is made here, and nowhere else.

A URL has three forms: a *path* relative to the site's root (``briefings/x/``: what the model,
the manifest and the output files use), an *internal URL* under the base path
(``/repo/briefings/x/``: links inside pages), and an *absolute URL* on the base URL
(``https://user.github.io/repo/briefings/x/``: feeds, sitemaps, exports, canonical links).
`Urls` turns paths into the other two; the functions below name every page kind, export and
fragment. Templates reach them through the `url_for` and `absolute_url_for` globals.

Adding a page kind: add its path function here (and to `PATHS`), one template, and one model
function in `briefgen.site.pages`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

# --- paths, relative to the site's root ------------------------------------------------------


def home() -> str:
    return ""


def briefing(slug: str) -> str:
    return f"briefings/{slug}/"


def passage(slug: str, annotation_id: str) -> str:
    """An annotated passage on its briefing page (the page's element with that id)."""
    return f"{briefing(slug)}#{annotation_id}"


def annotations_json(slug: str) -> str:
    return f"{briefing(slug)}annotations.json"


def annotation(slug: str, annotation_id: str) -> str:
    """A W3C Annotation's own id: the annotation inside its collection, not the passage."""
    return f"{annotations_json(slug)}#{annotation_id}"


def plain_text(slug: str) -> str:
    return f"{briefing(slug)}text.txt"


def compare_index() -> str:
    return "compare/"


def compare_slug(actor_a: str, actor_b: str) -> str:
    """A comparison's name ("<a>-vs-<b>"): the last part of its path."""
    return f"{actor_a}-vs-{actor_b}"


def compare(actor_a: str, actor_b: str) -> str:
    return f"compare/{compare_slug(actor_a, actor_b)}/"


def compare_topic(actor_a: str, actor_b: str, topic_id: str) -> str:
    """A topic's row on a comparison page."""
    return f"{compare(actor_a, actor_b)}#topic-{topic_id}"


def topics() -> str:
    return "topics/"


def topic(topic_id: str) -> str:
    return f"topics/{topic_id}/"


def topic_actor(topic_id: str, actor_id: str) -> str:
    """An actor's positions on a topic page."""
    return f"{topic(topic_id)}#actor-{actor_id}"


def actors() -> str:
    return "actors/"


def actor(actor_id: str) -> str:
    return f"actors/{actor_id}/"


def search() -> str:
    return "search/"


def search_bundle() -> str:
    return "pagefind/"


def search_asset(name: str) -> str:
    """A file of Pagefind's bundle (its UI script and style)."""
    return f"{search_bundle()}{name}"


def not_found() -> str:
    return "404.html"


def feed() -> str:
    return "feed.xml"


def sitemap() -> str:
    return "sitemap.xml"


def robots() -> str:
    return "robots.txt"


def positions() -> str:
    return "data/positions.json"


def positions_schema() -> str:
    return "data/positions.schema.json"


def annotations_all() -> str:
    return "data/annotations.jsonl"


def static(name: str) -> str:
    return f"static/{name}"


def asset(name: str, version: str | None = None) -> str:
    """A static file as pages link it: with its version, so browsers may keep it forever."""
    return f"{static(name)}?v={version}" if version else static(name)


def rooted(path: str) -> str:
    """A path from the site's root, whatever its base path ("/briefings/x/"): what the search
    index records (Pagefind's script prefixes the base path it was loaded from)."""
    return "/" + path


def safe_relpath(name: str) -> str:
    """An output path, checked: made from validated ids, but none may escape the output."""
    path = PurePosixPath(name)
    unsafe = path.is_absolute() or ".." in path.parts or "." in name.split("/")
    if unsafe or not path.parts or "\\" in name or "\x00" in name:
        raise ValueError(f"unsafe output path: {name!r}")
    return path.as_posix()


def page_file(path: str) -> str:
    """The output file of a page path: ``x/`` is served from ``x/index.html``."""
    return path if path.endswith(".html") else path + "index.html"


PATHS: dict[str, Callable[..., str]] = {
    f.__name__: f
    for f in (
        home,
        briefing,
        passage,
        annotations_json,
        annotation,
        plain_text,
        compare_index,
        compare,
        compare_topic,
        topics,
        topic,
        topic_actor,
        actors,
        actor,
        search,
        search_bundle,
        search_asset,
        not_found,
        feed,
        sitemap,
        robots,
        positions,
        positions_schema,
        annotations_all,
        static,
        asset,
    )
}


def path_for(kind: str, *args: str) -> str:
    """The path of a page kind by name, as templates ask for it: ``path_for("topic", id)``."""
    try:
        make = PATHS[kind]
    except KeyError:
        raise ValueError(f"no URL kind {kind!r}; known: {', '.join(sorted(PATHS))}") from None
    return make(*args)


# --- paths made into URLs --------------------------------------------------------------------


@dataclass(frozen=True)
class Urls:
    """The site's base URL (absolute, ending in "/"): internal and absolute URLs of paths."""

    base_url: str

    @property
    def base_path(self) -> str:
        """The base URL's path, e.g. "/repo/"; every internal URL starts with it."""
        return urlsplit(self.base_url).path or "/"

    def internal(self, path: str = "") -> str:
        return self.base_path + path

    def absolute(self, path: str = "") -> str:
        return self.base_url + path

    def for_kind(self, kind: str, *args: str) -> str:
        return self.internal(path_for(kind, *args))

    def absolute_for_kind(self, kind: str, *args: str) -> str:
        return self.absolute(path_for(kind, *args))

    def absolute_of_internal(self, url: str) -> str:
        """An internal URL (``/repo/x/#y``) made absolute; other URLs resolved on the base."""
        if url.startswith(self.base_path):
            return self.base_url + url[len(self.base_path) :]
        return urljoin(self.base_url, url)

    def path_of_internal(self, url: str) -> str | None:
        """The path of an internal URL, or None when it is not under the base path."""
        return url[len(self.base_path) :] if url.startswith(self.base_path) else None

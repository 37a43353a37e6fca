"""site.yaml, actors.yaml and topics.yaml: the settings every briefing is read against."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from briefgen.content import siteyaml
from briefgen.content.files import Unreadable, read_map
from briefgen.content.model import (
    DEFAULT_STANCES,
    Actor,
    BriefingSource,
    Content,
    SiteConfig,
    Stance,
    Topic,
)
from briefgen.content.schema import (
    ID_HINT,
    ID_RE,
    RESERVED_ACTOR_IDS,
    Reader,
    did_you_mean,
    require_map,
)
from briefgen.content.yamlsrc import Pos, YMap, YScalar, YSeq
from briefgen.diagnostics import Diagnostics

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# BCP 47 (RFC 5646) language tags, without the grandfathered irregular ones: the tag ends up
# in file names (Pagefind's index) and in every page's lang attribute.
LANGUAGE_RE = re.compile(
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})"  # language, extlang
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"  # variants
    r"(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*"  # extensions
    r"(?:-x(?:-[a-z0-9]{1,8})+)?",  # private use
    re.IGNORECASE | re.ASCII,
)


@dataclass(frozen=True)
class Settings:
    """site.yaml, actors.yaml and topics.yaml; a part is None when its file is unusable."""

    site_dir: Path
    config: SiteConfig | None
    actors: dict[str, Actor] | None
    topics: dict[str, Topic] | None

    @property
    def stances(self) -> dict[str, Stance]:
        if self.config is not None:
            return self.config.stances
        return {k: Stance(k, v) for k, v in DEFAULT_STANCES.items()}

    def content(self, briefings: tuple[BriefingSource, ...] = ()) -> Content | None:
        if self.config is None or self.actors is None or self.topics is None:
            return None
        return Content(self.site_dir, self.config, self.actors, self.topics, briefings)


def load_settings(site_dir: Path, diags: Diagnostics) -> Settings:
    site_node, config = _load_site(site_dir, diags)
    actors = _load_registry(site_dir, diags, "actor", _read_actor, RESERVED_ACTOR_IDS)
    topics = _load_registry(site_dir, diags, "topic", _read_topic)
    if site_node is not None and config is not None:
        _check_config_refs(site_node, config, actors, topics, site_dir, diags)
    if config is not None and topics is not None:
        _check_answers(topics, config.stances, site_dir, diags)
    return Settings(site_dir, config, actors, topics)


def _load_site(site_dir: Path, diags: Diagnostics) -> tuple[YMap | None, SiteConfig | None]:
    rel = siteyaml.SITE_YAML
    try:
        node = siteyaml.read(site_dir, diags)
    except Unreadable:
        return None, None
    r = Reader(node, rel, diags, "site.yaml")
    title = r.text("title")
    description = r.text("description", required=False)
    base_url = r.text("base_url")
    if base_url:
        if problem := base_url_problem(base_url):
            r.error(
                node.values["base_url"].pos,
                f"base_url {problem}",
                "e.g. base_url: https://user.github.io/repo/",
            )
        base_url = base_url if base_url.endswith("/") else base_url + "/"
    language = r.text("language", required=False, default="en")
    if "language" in node.values and (problem := language_problem(language)):
        r.error(node.values["language"].pos, problem, "e.g. language: en, or en-GB, or pt-BR")
    theme = r.ident("theme", required=False) or "default"
    compare = r.id_list("compare")
    if compare and (len(compare) != 2 or compare[0][0] == compare[1][0]):
        r.error(
            r.key_pos("compare"),
            "compare must name exactly two different actors",
            "compare: [a, b]",
        )
    order = tuple(i for i, _ in r.id_list("topics_order"))
    stances = _read_stances(r.mapping("stances"), rel, diags)
    r.finish()
    return node, SiteConfig(
        title=title,
        description=description,
        base_url=base_url,
        language=language,
        theme=theme,
        compare=(compare[0][0], compare[1][0]) if len(compare) == 2 else None,
        topics_order=order,
        stances=stances,
    )


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be a site's base URL (absolute http(s), no query or fragment)."""
    shown = repr(url)
    if any(c.isspace() or not c.isprintable() or c == "\\" for c in url):
        return f"must not contain spaces, control characters or backslashes: {shown}"
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return f"has an invalid port: {shown}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"must be an absolute http(s) URL, not {shown}"
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return f"must not have a query or fragment (?... or #...): {shown}"
    if parts.username is not None or parts.password is not None:
        return f"must not contain a user name or password: {shown}"
    return None


def language_problem(tag: str) -> str | None:
    """Why `tag` is not a BCP 47 language tag such as `en` or `pt-BR`."""
    if LANGUAGE_RE.fullmatch(tag):
        return None
    return f"language must be a BCP 47 language tag such as en or pt-BR, not {tag!r}"


def _read_stances(node: YMap | None, rel: str, diags: Diagnostics) -> dict[str, Stance]:
    if node is None:
        return {k: Stance(k, v) for k, v in DEFAULT_STANCES.items()}
    stances: dict[str, Stance] = {}
    for key, value in node.values.items():
        if check_id(key, node.keys[key], rel, diags, "stance"):
            entry = require_map(value, rel, diags, f"stance '{key}'")
            if entry is not None:
                r = Reader(entry, rel, diags, f"stance '{key}'")
                stances[key] = Stance(key, r.text("label"))
                r.finish()
    return stances


def check_id(key: str, pos: Pos, rel: str, diags: Diagnostics, what: str) -> bool:
    if ID_RE.match(key):
        return True
    diags.error(rel, pos.line, pos.col, f"{what} id {key!r} is not a valid id", ID_HINT)
    return False


T = TypeVar("T")


def _load_registry(
    site_dir: Path,
    diags: Diagnostics,
    what: str,
    read: Callable[[str, Reader], T],
    reserved: frozenset[str] = frozenset(),
) -> dict[str, T] | None:
    """An id -> entry mapping file (actors.yaml, topics.yaml), each entry read by `read`.

    None when the file is unreadable: references to its ids are then left unchecked.
    """
    rel = f"content/{what}s.yaml"
    try:
        node = read_map(site_dir, rel, diags)
    except Unreadable:
        return None
    entries: dict[str, T] = {}
    for key, value in node.values.items():
        pos = node.keys[key]
        if key in reserved:
            diags.error(
                rel, pos.line, pos.col, f"{what} id '{key}' is reserved", f"rename the {what}"
            )
            continue
        entry = require_map(value, rel, diags, f"{what} '{key}'")
        if check_id(key, pos, rel, diags, what) and entry is not None:
            reader = Reader(entry, rel, diags, f"{what} '{key}'")
            entries[key] = read(key, reader)
            reader.finish()
    return entries


def _read_actor(key: str, r: Reader) -> Actor:
    name = r.text("name")
    color = r.text("color", required=False) or None
    if color and not COLOR_RE.match(color):
        r.error(r.key_pos("color"), f"color of actor '{key}' must be #rrggbb", 'color: "#b91c1c"')
        color = None
    return Actor(key, name, r.text("role"), r.text("short", False) or name, color)


def _read_topic(key: str, r: Reader) -> Topic:
    topic = Topic(key, r.text("title"), r.text("question"), r.text("description", False))
    return replace(topic, answers=_read_answers(key, r))


def _read_answers(key: str, r: Reader) -> tuple[tuple[str, str], ...]:
    """`answers:` stance id -> the label answering the topic's question ("No, not now").

    Stance ids are checked against site.yaml's stances in `_check_answers`."""
    node = r.mapping("answers")
    if node is None:
        return ()
    a = Reader(node, r.path, r.diags, f"answers of topic '{key}'")
    out = tuple((stance, a.text(stance)) for stance in node.values)
    return tuple((stance, label) for stance, label in out if label)


def _check_answers(
    topics: dict[str, Topic], stances: dict[str, Stance], site_dir: Path, diags: Diagnostics
) -> None:
    """Each `answers:` key must be a stance of site.yaml; reported at the key."""
    rel = "content/topics.yaml"
    try:
        root = read_map(site_dir, rel, Diagnostics())
    except Unreadable:
        return
    for topic in topics.values():
        entry = root.values.get(topic.id)
        node = entry.values.get("answers") if isinstance(entry, YMap) else None
        if not isinstance(node, YMap):
            continue
        for stance, pos in node.keys.items():
            if stance not in stances:
                diags.error(
                    rel,
                    pos.line,
                    pos.col,
                    f"unknown stance '{stance}' in answers of topic '{topic.id}'",
                    did_you_mean(stance, sorted(stances), "stance"),
                )


def _check_config_refs(
    site: YMap,
    config: SiteConfig,
    actors: dict[str, Actor] | None,
    topics: dict[str, Topic] | None,
    site_dir: Path,
    diags: Diagnostics,
) -> None:
    """Ids named in site.yaml must exist; reported at the list item that names them."""
    rel = siteyaml.SITE_YAML
    known: dict[str, tuple[Collection[str] | None, str]] = {
        "compare": (actors, "actor"),
        "topics_order": (topics, "topic"),
    }
    for key, (ids, what) in known.items():
        if ids is None:
            continue
        seq = site.values.get(key)
        for item in seq.items if isinstance(seq, YSeq) else []:
            if isinstance(item, YScalar) and isinstance(item.value, str) and item.value not in ids:
                diags.error(
                    rel,
                    item.pos.line,
                    item.pos.col,
                    f"unknown {what} '{item.value}' in {key}",
                    did_you_mean(item.value, sorted(ids), what),
                )
    if config.theme != "default" and not (site_dir / "themes" / config.theme).is_dir():
        pos = site.keys.get("theme", Pos(1, 1))
        diags.error(
            rel,
            pos.line,
            pos.col,
            f"theme '{config.theme}' not found",
            f"create themes/{config.theme}/templates/ in the site directory, or use 'default'",
        )

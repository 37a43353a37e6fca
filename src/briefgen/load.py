"""Stage 1: read `content/` and validate it against the content model.

Every problem becomes a diagnostic at its own line; one run reports all of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from slugify import slugify

from briefgen.content import (
    DEFAULT_STANCES,
    Actor,
    AnnotationSpec,
    BriefingSource,
    Content,
    SiteConfig,
    Source,
    Stance,
    Topic,
)
from briefgen.diagnostics import Diagnostics
from briefgen.schema import (
    ID_HINT,
    ID_RE,
    RESERVED_ACTOR_IDS,
    Reader,
    did_you_mean,
    require_map,
    reserved_fragment,
)
from briefgen.yamlsrc import Pos, YamlSyntaxError, YMap, YNode, YScalar, YSeq, parse

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
FRONT_MATTER_FENCE = re.compile(r"^---[ \t]*$")
FRONT_MATTER_END = re.compile(r"^(---|\.\.\.)[ \t]*$")


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
    return Settings(site_dir, config, actors, topics)


def briefing_files(site_dir: Path) -> list[Path]:
    """Every `*.md` below content/briefings/; hidden files (editor swap files) are not content."""
    folder = site_dir / "content" / "briefings"
    skip = len(str(folder)) + 1
    found = [
        path
        for path in folder.rglob("*.md")
        if not any(part.startswith(".") for part in str(path)[skip:].split("/"))
    ]
    return sorted(found, key=lambda p: p.parts)  # Path order, without Path's slow __lt__


def load_briefing(
    path: Path, settings: Settings, diags: Diagnostics, data: bytes | None = None
) -> BriefingSource | None:
    """One briefing; `data` is the file's bytes when the caller has already read them."""
    data = path.read_bytes() if data is None else data
    source = _load_briefing(
        path, data, settings.site_dir, settings.actors, settings.topics, settings.stances, diags
    )
    return _derive_ids(source) if source is not None else None


def decode(data: bytes, rel: str, diags: Diagnostics) -> str | None:
    """The file's text; a diagnostic at the first byte that is not UTF-8 (a BOM is allowed)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        diags.error(
            rel,
            line,
            col,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
            "save it as UTF-8 (most editors: 'Save with encoding')",
        )
        return None


def _rel(path: Path, site_dir: Path) -> str:
    try:
        return path.relative_to(site_dir).as_posix()
    except ValueError:
        return path.as_posix()


class _Unreadable(Exception):
    """The file could not be read as YAML; its diagnostic is already recorded."""


def _read_map(site_dir: Path, rel: str, diags: Diagnostics) -> YMap:
    path = site_dir / rel
    if not path.is_file():
        diags.error(rel, 1, 1, f"{rel} is missing", f"create {rel}; see the README")
        raise _Unreadable
    text = decode(path.read_bytes(), rel, diags)
    if text is None:
        raise _Unreadable
    node = _parse_yaml(text, rel, diags, 0)
    mapping = require_map(node, rel, diags, rel)
    if mapping is None:
        raise _Unreadable
    return mapping


def _parse_yaml(text: str, rel: str, diags: Diagnostics, line_offset: int) -> YNode | None:
    try:
        node, duplicates = parse(text, line_offset)
    except YamlSyntaxError as exc:
        diags.error(rel, exc.pos.line, exc.pos.col, exc.message, exc.hint, code="yaml")
        raise _Unreadable from None
    for dup in duplicates:
        diags.error(
            rel,
            dup.pos.line,
            dup.pos.col,
            f"duplicate key '{dup.key}'",
            "YAML keeps only the last one; remove or rename one of them",
        )
    return node


def _load_site(site_dir: Path, diags: Diagnostics) -> tuple[YMap | None, SiteConfig | None]:
    rel = "content/site.yaml"
    try:
        node = _read_map(site_dir, rel, diags)
    except _Unreadable:
        return None, None
    r = Reader(node, rel, diags, "site.yaml")
    title = r.text("title")
    description = r.text("description", required=False)
    base_url = r.text("base_url")
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            r.error(
                node.values["base_url"].pos,
                f"base_url must be an absolute http(s) URL, not {base_url!r}",
                "e.g. base_url: https://user.github.io/repo/",
            )
        base_url = base_url if base_url.endswith("/") else base_url + "/"
    language = r.text("language", required=False, default="en")
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


def _read_stances(node: YMap | None, rel: str, diags: Diagnostics) -> dict[str, Stance]:
    if node is None:
        return {k: Stance(k, v) for k, v in DEFAULT_STANCES.items()}
    stances: dict[str, Stance] = {}
    for key, value in node.values.items():
        if _check_id(key, node.keys[key], rel, diags, "stance"):
            entry = require_map(value, rel, diags, f"stance '{key}'")
            if entry is not None:
                r = Reader(entry, rel, diags, f"stance '{key}'")
                stances[key] = Stance(key, r.text("label"))
                r.finish()
    return stances


def _check_id(key: str, pos: Pos, rel: str, diags: Diagnostics, what: str) -> bool:
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
        node = _read_map(site_dir, rel, diags)
    except _Unreadable:
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
        if _check_id(key, pos, rel, diags, what) and entry is not None:
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
    return Topic(key, r.text("title"), r.text("question"), r.text("description", False))


def _check_config_refs(
    site: YMap,
    config: SiteConfig,
    actors: dict[str, Actor] | None,
    topics: dict[str, Topic] | None,
    site_dir: Path,
    diags: Diagnostics,
) -> None:
    """Ids named in site.yaml must exist; reported at the list item that names them."""
    rel = "content/site.yaml"
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


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Return (front-matter, body, body's 1-based first line), or None if there is none."""
    lines = text.splitlines(keepends=True)
    if not lines or not FRONT_MATTER_FENCE.match(lines[0].rstrip("\r\n")):
        return None
    for index in range(1, len(lines)):
        if FRONT_MATTER_END.match(lines[index].rstrip("\r\n")):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return None


def _load_briefing(
    path: Path,
    data: bytes,
    site_dir: Path,
    actors: dict[str, Actor] | None,
    topics: dict[str, Topic] | None,
    stances: dict[str, Stance],
    diags: Diagnostics,
) -> BriefingSource | None:
    rel = _rel(path, site_dir)
    slug = path.stem
    if not ID_RE.match(slug):
        diags.error(rel, 1, 1, f"file name {path.name!r} does not make a valid slug", ID_HINT)
        return None
    text = decode(data, rel, diags)
    if text is None:
        return None
    parts = split_front_matter(text)
    if parts is None:
        diags.error(
            rel,
            1,
            1,
            "briefing has no front-matter",
            "start the file with a line '---', the YAML fields, then a closing '---' line",
        )
        return None
    front, body, body_line = parts
    try:
        node = require_map(_parse_yaml(front, rel, diags, 1), rel, diags, "front-matter")
    except _Unreadable:
        return None
    if node is None:
        return None
    r = Reader(node, rel, diags, "front-matter")
    title = r.text("title")
    date = r.date("date")
    source = _read_source(r)
    summary = r.text("summary", required=False)
    draft = r.flag("draft", False)
    specs = _read_annotations(r, actors, topics, stances)
    r.finish()
    if date is None:
        return None
    return BriefingSource(
        slug, path, rel, title, date, source, summary, draft, specs, body, body_line
    )


def _read_source(r: Reader) -> Source:
    node = r.mapping("source")
    if node is None:
        return Source()
    sr = Reader(node, r.path, r.diags, "source")
    seed, publisher, url = (
        sr.text("seed", False),
        sr.text("publisher", False),
        sr.text("url", False),
    )
    if url and urlsplit(url).scheme not in ("http", "https"):
        sr.error(sr.key_pos("url"), f"source url must be http(s), not {url!r}", "or remove it")
        url = ""
    sr.finish()
    return Source(seed or None, publisher or None, url or None)


CONTEXT_KEYS = ("id", "kind", "quote", "prefix", "suffix", "note")
POSITION_KEYS = (*CONTEXT_KEYS, "actor", "topic", "stance", "summary")


def _read_annotations(
    r: Reader,
    actors: dict[str, Actor] | None,
    topics: dict[str, Topic] | None,
    stances: dict[str, Stance],
) -> tuple[AnnotationSpec, ...]:
    seq = r.sequence("annotations")
    specs: list[AnnotationSpec] = []
    for number, item in enumerate(seq.items if seq else [], start=1):
        if not isinstance(item, YMap):
            r.error(
                item.pos, f"annotation {number} must be a mapping", "start it with '- quote: ...'"
            )
            continue
        a = Reader(item, r.path, r.diags, f"annotation {number}")
        ident = a.ident("id", required=False)
        if ident and reserved_fragment(ident):
            a.error(
                item.values["id"].pos,
                f"annotation id '{ident}' is reserved for the page itself",
                "choose another id (not 'main', not starting with 'note-')",
            )
        kind = a.choice("kind", ("position", "context"), "kind", required=False) or "position"
        quote = a.text("quote")
        prefix, suffix = a.text("prefix", False), a.text("suffix", False)
        actor = topic = stance = None
        summary = ""
        if kind == "position":
            actor = a.choice("actor", actors, "actor") or None
            topic = a.choice("topic", topics, "topic") or None
            stance = a.choice("stance", stances, "stance") or None
            summary = a.text("summary")
        note = a.text("note", required=kind == "context")
        a.finish(POSITION_KEYS if kind == "position" else CONTEXT_KEYS)
        if quote:
            specs.append(
                AnnotationSpec(
                    ident or "",
                    kind,
                    quote,
                    prefix,
                    suffix,
                    actor,
                    topic,
                    stance,
                    summary,
                    note,
                    item.pos,
                    id_derived=ident is None,
                )
            )
    return tuple(specs)


def _derive_ids(briefing: BriefingSource) -> BriefingSource:
    """Give annotations without an id a stable one: from actor, topic and the quote's words.

    Derived within the briefing only, so that adding another briefing never changes them; a
    clash with another briefing's id is reported by the duplicate check, asking for an id.
    """
    taken = {s.id for s in briefing.annotations if s.id}
    specs = []
    for spec in briefing.annotations:
        if not spec.id:
            head = "-".join(x for x in (spec.actor, spec.topic) if x) or "note"
            base = slugify(f"{head} {spec.quote}", max_length=48, word_boundary=True) or head
            ident, n = base, 2
            while ident in taken:
                ident, n = f"{base}-{n}", n + 1
            taken.add(ident)
            spec = replace(spec, id=ident)
        specs.append(spec)
    return replace(briefing, annotations=tuple(specs))


def check_unique(briefings: list[BriefingSource], diags: Diagnostics) -> None:
    slugs: dict[str, BriefingSource] = {}
    for b in briefings:
        if b.slug in slugs:
            diags.error(
                b.rel_path,
                1,
                1,
                f"duplicate slug '{b.slug}': {slugs[b.slug].rel_path} has the same file name",
                "briefing file names must be unique across content/briefings/; rename one",
            )
        slugs.setdefault(b.slug, b)
    ids: dict[str, tuple[str, Pos]] = {}
    for b in briefings:
        for spec in b.annotations:
            if not spec.id:
                continue
            if spec.id in ids:
                first_path, first_pos = ids[spec.id]
                hint = "annotation ids are URL fragments and must be unique site-wide; rename one"
                if spec.id_derived:
                    hint = "this id was derived from actor, topic and quote; give it an explicit id"
                diags.error(
                    b.rel_path,
                    spec.pos.line,
                    spec.pos.col,
                    f"duplicate annotation id '{spec.id}' (first used at "
                    f"{first_path}:{first_pos.line})",
                    hint,
                )
            else:
                ids[spec.id] = (b.rel_path, spec.pos)

"""content/briefings/**/*.md: front-matter and body of each briefing, and the site-wide checks
of slugs and annotation ids."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from slugify import slugify

from briefgen.content.comparisons import check_comparisons, read_comparisons
from briefgen.content.config import Settings
from briefgen.content.files import Unreadable, decode, parse_yaml, rel_path
from briefgen.content.model import (
    ANNOTATION_REPORTING,
    REPORTING,
    Actor,
    AnnotationSpec,
    BriefingSource,
    Source,
    Stance,
    Topic,
)
from briefgen.content.names import BRIEFINGS, briefing_name, hidden
from briefgen.content.schema import (
    ID_HINT,
    ID_RE,
    Reader,
    closest,
    require_map,
    reserved_fragment,
)
from briefgen.content.walk import not_regular, walk
from briefgen.content.yamlsrc import Pos, YMap, YScalar
from briefgen.diagnostics import Diagnostic, Diagnostics, UsageError, printable

# Stands in for a date that is reported as invalid (the build then stops anyway).
UNREADABLE_DATE = dt.date(1970, 1, 1)
FRONT_MATTER_FENCE = re.compile(r"^---[ \t]*$")
FRONT_MATTER_END = re.compile(r"^(---|\.\.\.)[ \t]*$")


def briefing_files(site_dir: Path) -> list[Path]:
    """Every `*.md` below content/briefings/; hidden files (editor swap files) and hidden
    folders are not content. Links to folders are followed at any depth (content.walk, the
    walk the input check makes too): a briefing behind one is part of the site, and a link
    back to a folder that holds it is an error naming the link.

    A folder that cannot be read is an error (OSError), never a site without its briefings."""
    folder = site_dir / "content" / BRIEFINGS
    if not folder.exists():
        return []
    tree = walk(folder, prune=hidden)
    if tree.failed:
        raise tree.failed[0][1]
    if tree.cycles:
        raise tree.cycles[0].error()
    found = [Path(path) for names, path, _ in tree.entries if briefing_name(names[-1])]
    for path in found:
        try:
            str(path).encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(
                f"{printable(str(path))}: the file name is not UTF-8 text; rename the file"
            ) from None
    return found  # in the order of their names' parts, as the walk gives them


def read_briefing(path: Path | str) -> bytes:
    """A briefing file's bytes. A named pipe, a device or a socket with a briefing's name (or a
    link to one) is an author error, never a read that waits for a writer or never ends:
    opened without blocking (a pipe with no writer), then refused unless a regular file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise not_regular(path)
        with open(fd, "rb", closefd=False) as file:
            return file.read()
    finally:
        os.close(fd)


def load_briefing(
    path: Path, settings: Settings, diags: Diagnostics, data: bytes | None = None
) -> BriefingSource | None:
    """One briefing; `data` is the file's bytes when the caller has already read them."""
    data = read_briefing(path) if data is None else data
    source = _load_briefing(
        path, data, settings.site_dir, settings.actors, settings.topics, settings.stances, diags
    )
    if source is None:
        return None
    source = _derive_ids(source)
    check_comparisons(source, diags)
    return source


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Return (front-matter, body, body's 1-based first line), or None if there is none."""
    lines = text.splitlines(keepends=True)
    if not lines or not FRONT_MATTER_FENCE.match(lines[0].rstrip("\r\n")):
        return None
    for index in range(1, len(lines)):
        if FRONT_MATTER_END.match(lines[index].rstrip("\r\n")):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return None


_DRAFT_LINE = re.compile(r"^draft:[ \t]*(?:true|yes|on)[ \t]*(?:#.*)?$", re.I | re.M)


def sniff_draft(data: bytes) -> bool:
    """Whether a briefing says `draft: true`, even when its front-matter cannot be read."""
    parts = split_front_matter(data.decode("utf-8", "replace"))
    return parts is not None and _DRAFT_LINE.search(parts[0]) is not None


def draft_warnings(items: Iterable[Diagnostic]) -> list[Diagnostic]:
    """A skipped draft's problems, as warnings: they must not stop a build of the rest."""
    return [
        replace(d, severity="warning", message=f"{d.message} (in a draft, not built)")
        for d in items
    ]


def _load_briefing(
    path: Path,
    data: bytes,
    site_dir: Path,
    actors: dict[str, Actor] | None,
    topics: dict[str, Topic] | None,
    stances: dict[str, Stance],
    diags: Diagnostics,
) -> BriefingSource | None:
    rel = rel_path(path, site_dir)
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
        node = require_map(parse_yaml(front, rel, diags, 1), rel, diags, "front-matter")
    except Unreadable:
        return None
    if node is None:
        return None
    r = Reader(node, rel, diags, "front-matter", text.splitlines())
    title = r.text("title")
    # A bad date is reported and the rest still read and anchored: one run, every error.
    date = r.date("date") or UNREADABLE_DATE
    source = _read_source(r)
    summary = r.text("summary", required=False)
    draft = r.flag("draft", False)
    specs = _read_annotations(r, actors, topics, stances)
    comparisons = read_comparisons(r, actors, topics)
    r.finish()
    return BriefingSource(
        slug, path, rel, title, date, source, summary, draft, specs, body, body_line, comparisons
    )


def _read_source(r: Reader) -> Source:
    node = r.mapping("source")
    if node is None:
        return Source()
    sr = r.child(node, "source")
    seed, publisher, url = (
        sr.text("seed", False),
        sr.text("publisher", False),
        sr.text("url", False),
    )
    if url and urlsplit(url).scheme not in ("http", "https"):
        sr.error(sr.key_pos("url"), f"source url must be http(s), not {url!r}", "or remove it")
        url = ""
    published = sr.date("published") if "published" in node.values else None
    language, headline = sr.text("language", False), sr.text("headline", False)
    reporting = sr.choice("reporting", REPORTING, "reporting", required=False)
    sr.finish()
    return Source(
        seed or None,
        publisher or None,
        url or None,
        published,
        language or None,
        headline or None,
        reporting or None,
    )


KINDS = ("position", "context")
CONTEXT_KEYS = ("id", "kind", "quote", "prefix", "suffix", "note", "reporting")
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
        spec = _read_annotation(
            r.child(item, _annotation_name(item, number)), actors, topics, stances
        )
        if spec is not None:
            specs.append(spec)
    return tuple(specs)


def _annotation_name(item: YMap, number: int) -> str:
    """How messages name an annotation: by the id the author wrote, else by its number."""
    node = item.values.get("id")
    if isinstance(node, YScalar) and isinstance(node.value, str) and ID_RE.match(node.value):
        return f"annotation '{node.value}'"
    return f"annotation {number}"


def _read_kind(a: Reader) -> str | None:
    """'position' or 'context'; a misspelt kind counts as its closest match (after its one
    message), and as None, when nothing is close, so no field is demanded because of it."""
    raw = a.node.values.get("kind")
    kind = a.choice("kind", KINDS, "kind", required=False)
    if kind or raw is None or not isinstance(raw, YScalar) or raw.value is None:
        return kind or "position"
    return closest(str(raw.value), list(KINDS))


def _read_annotation(
    a: Reader,
    actors: dict[str, Actor] | None,
    topics: dict[str, Topic] | None,
    stances: dict[str, Stance],
) -> AnnotationSpec | None:
    item = a.node
    ident = a.ident("id", required=False)
    if ident and reserved_fragment(ident):
        a.error(
            item.values["id"].pos,
            f"annotation id '{ident}' is reserved for the page itself",
            "choose another id (not 'main', not starting with 'note-')",
        )
    kind = _read_kind(a)
    quote = a.text("quote")
    prefix, suffix = a.text("prefix", False), a.text("suffix", False)
    actor = topic = stance = None
    summary = ""
    if kind != "context":
        position = kind == "position"
        actor = a.choice("actor", actors, "actor", position) or None
        topic = a.choice("topic", topics, "topic", position) or None
        stance = a.choice("stance", stances, "stance", position) or None
        summary = a.text("summary", position)
    note = a.text("note", required=kind == "context")
    reporting = a.choice("reporting", ANNOTATION_REPORTING, "reporting", required=False)
    a.finish(POSITION_KEYS if kind != "context" else CONTEXT_KEYS)
    if not quote:
        return None
    return AnnotationSpec(
        ident or "",
        kind or "position",
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
        quote_pos=a.key_pos("quote"),
        note_pos=a.key_pos("note") if "note" in item.keys else None,
        reporting=reporting or None,
    )


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


def check_stances(briefings: list[BriefingSource], diags: Diagnostics) -> None:
    """Warn where one actor takes different stances on one topic on the same date (in one
    briefing or in two): the pages then have to show "mixed", a guess the author should make."""
    first: dict[tuple[str, str, dt.date], tuple[BriefingSource, AnnotationSpec]] = {}
    for b in briefings:
        for spec in b.annotations:
            if spec.kind != "position" or not (spec.actor and spec.topic and spec.stance):
                continue
            key = (spec.actor, spec.topic, b.date)
            if key not in first:
                first[key] = (b, spec)
                continue
            other_b, other = first[key]
            if other.stance == spec.stance:
                continue
            pos = spec.quote_pos or spec.pos
            other_pos = other.quote_pos or other.pos
            where = "" if other_b is b else f"{other_b.rel_path}:"
            diags.warning(
                b.rel_path,
                pos.line,
                pos.col,
                f"'{spec.actor}' takes two stances on '{spec.topic}' on {b.date.isoformat()}: "
                f"'{spec.stance}' in annotation '{spec.id}' here, '{other.stance}' in "
                f"annotation '{other.id}' ({where}line {other_pos.line})",
                "pages will show 'mixed'; if one stance is a mistake, correct it, or use "
                "'conditional' and say in the summary on what the position depends",
            )

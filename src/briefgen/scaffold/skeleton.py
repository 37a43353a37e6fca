"""`briefgen new` and `briefgen import`: raw source documents -> briefing skeletons.

A seed file (see `seeds/`) is plain UTF-8 text:

    ␠date 2024-07-04 President Putin says ceasefire in Ukraine impossible
    <blank line>
    First paragraph ...
    <blank line>
    A subheading
    <blank line>
    More paragraphs, separated by blank lines ...

Subheading rule (`is_subheading`): a paragraph becomes a `## ` heading when it is one line of at
most SUBHEADING_MAX characters, contains a letter, does not start with a lowercase letter, does
not end with closing punctuation (. ! ? : ; , … or a closing quote, or a dash), and is neither the
first nor the last paragraph. Everything else stays a paragraph, verbatim apart from escaping the
characters that Markdown would otherwise read as markup (so the reader sees exactly the source).

The file goes to `content/briefings/<date>-<slug>.md`; the slug is python-slugify's ASCII
transliteration of the title, cut at a word boundary to SLUG_MAX characters, and `briefing` when
nothing is left. Nothing is ever overwritten, and all seeds of one `import` are read and checked
before any file is written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from slugify import slugify

from briefgen.content.files import decode
from briefgen.content.pasteable import yaml_scalar
from briefgen.content.schema import ID_RE
from briefgen.diagnostics import ContentError, Diagnostics, UsageError

SUBHEADING_MAX = 100
SLUG_MAX = 60
FALLBACK_SLUG = "briefing"
CLOSING = tuple(".!?:;,…\"'”’»«“‘-–—")
DATE_LINE = re.compile(r"^(?P<lead>[ \t]*)date(?P<gap>[ \t]+)(?P<rest>.*)$")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PLACEHOLDER = (
    "Paste the source text here, one paragraph per block, with `## ` subheadings. Annotations "
    "quote it exactly as a reader sees it."
)
SEED_HINT = "a seed starts with a line ' date YYYY-MM-DD Title', then a blank line, then the text"


@dataclass(frozen=True)
class Seed:
    path: Path
    date: dt.date
    title: str
    paragraphs: tuple[str, ...]  # each possibly several lines, stripped, never blank


@dataclass(frozen=True)
class Skeleton:
    """A briefing file to write: where, and its whole text."""

    path: Path
    text: str


# -- reading seeds ---------------------------------------------------------------------------


def read_seed(path: Path, shown: str, diags: Diagnostics) -> Seed | None:
    """Parse a seed file; every format problem becomes a diagnostic at its line and column."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"seed file {shown} not found") from None
    except IsADirectoryError:
        raise UsageError(f"{shown} is a directory, not a seed file") from None
    except OSError as exc:
        raise UsageError(f"cannot read seed file {shown}: {exc.strerror}") from None
    text = decode(data, shown, diags)
    if text is None:
        return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        diags.error(shown, line, 1, "seed file contains NUL bytes", "is it a text file?")
        return None
    lines = text.splitlines()
    if not lines or not "".join(lines).strip():
        diags.error(shown, 1, 1, "seed file is empty", SEED_HINT)
        return None
    head = _read_date_line(lines[0], shown, diags)
    if len(lines) > 1 and lines[1].strip():
        diags.error(
            shown,
            2,
            1,
            "the line after the date line must be blank",
            "the title is the rest of line 1; put a blank line before the text",
        )
        return None
    paragraphs = _paragraphs(lines[1:])
    if not paragraphs:
        diags.error(shown, 1, len(lines[0]) + 1, "seed file has no text after the date line", "")
        return None
    if head is None:
        return None
    date, title = head
    return Seed(path, date, title, tuple(paragraphs))


def _read_date_line(line: str, shown: str, diags: Diagnostics) -> tuple[dt.date, str] | None:
    match = DATE_LINE.match(line)
    if match is None:
        diags.error(shown, 1, 1, "the first line must be ' date YYYY-MM-DD Title'", SEED_HINT)
        return None
    rest = match["rest"]
    date_col = len(match["lead"]) + len("date") + len(match["gap"]) + 1
    raw_date = rest.split(maxsplit=1)[0] if rest.strip() else ""
    date = _parse_date(raw_date)
    if date is None:
        diags.error(
            shown,
            1,
            date_col,
            f"not a valid date: {raw_date!r}" if raw_date else "the date line has no date",
            "write the date as YYYY-MM-DD, e.g. 2024-07-04",
        )
        return None
    title = " ".join(rest[len(raw_date) :].split())
    if not title:
        diags.error(
            shown,
            1,
            date_col + len(raw_date),
            "the date line has no title",
            "write the title after the date: ' date 2024-07-04 Title'",
        )
        return None
    bad = _control_character(title)
    if bad is not None:
        diags.error(shown, 1, line.index(bad) + 1, "the title contains a control character", "")
        return None
    return date, title


def _parse_date(raw: str) -> dt.date | None:
    if not DATE.fullmatch(raw):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _paragraphs(lines: Sequence[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    return paragraphs


def _control_character(text: str) -> str | None:
    return next((c for c in text if unicodedata.category(c) == "Cc"), None)


# -- Markdown --------------------------------------------------------------------------------


def is_subheading(paragraph: str, index: int, count: int) -> bool:
    """The subheading rule of the module docstring."""
    text = paragraph.strip()
    return (
        0 < index < count - 1
        and "\n" not in text
        and len(text) <= SUBHEADING_MAX
        and any(c.isalpha() for c in text)
        and not text[0].islower()
        and not text.endswith(CLOSING)
    )


_INLINE = re.compile(r"([\\`*_\[\]<|~])|&(?=#?\w+;)")
_BLOCK_START = re.compile(r"^(?:([#>+=\-])|(\d{1,9})([.)])(?=\s|$))")


def _escape_inline(text: str) -> str:
    return _INLINE.sub(lambda m: "\\" + m.group(0), text)


def escape_markdown(line: str) -> str:
    """Backslash-escape what Markdown would read as markup; the reader sees the same text."""
    line = _escape_inline(line)
    match = _BLOCK_START.match(line)
    if match and match.group(1):
        return "\\" + line
    if match:
        digits = match.group(2)
        return digits + "\\" + line[len(digits) :]
    return line


def markdown_body(paragraphs: Sequence[str]) -> str:
    blocks = []
    for index, paragraph in enumerate(paragraphs):
        if is_subheading(paragraph, index, len(paragraphs)):
            blocks.append("## " + _escape_inline(paragraph).replace("#", "\\#"))
        else:
            blocks.append("\n".join(escape_markdown(line) for line in paragraph.split("\n")))
    return "\n\n".join(blocks) + "\n"


# -- front-matter ----------------------------------------------------------------------------


def _known_ids(site_dir: Path, name: str) -> list[str]:
    """Ids defined in content/<name>.yaml, for the example; [] when it cannot be read."""
    try:
        data: Any = yaml.safe_load((site_dir / "content" / name).read_text(encoding="utf-8-sig"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return []
    return [k for k in data if isinstance(k, str)] if isinstance(data, dict) else []


def _example_quote(paragraphs: Sequence[str]) -> str:
    for index, paragraph in enumerate(paragraphs):
        if not is_subheading(paragraph, index, len(paragraphs)):
            words = paragraph.split()[:8]
            return " ".join(words).rstrip(",;:")
    return "a passage of the text, exactly as a reader sees it"


def _id_list(ids: list[str], width: int = 60) -> str:
    shown = ""
    for ident in ids:
        more = f"{shown}, {ident}" if shown else ident
        if len(more) > width:
            return shown + ", …"
        shown = more
    return shown


def _example(fields: list[tuple[str, str, str]]) -> list[str]:
    lines = [f"#   {key}: {value}" for key, value, _ in fields]
    width = max(len(line) for line, (_, _, note) in zip(lines, fields, strict=True) if note) + 2
    return [
        f"{line:<{width}}# {note}" if note else line
        for line, (_, _, note) in zip(lines, fields, strict=True)
    ]


def front_matter(
    title: str,
    date: dt.date,
    seed: str | None,
    paragraphs: Sequence[str],
    site_dir: Path,
) -> str:
    actors = _known_ids(site_dir, "actors.yaml")
    topics = _known_ids(site_dir, "topics.yaml")
    actor = actors[0] if actors else "some-actor"
    topic = topics[0] if topics else "some-topic"
    lines = [
        "---",
        f"title: {yaml_scalar(title)}",
        f"date: {date.isoformat()}",
    ]
    if seed is not None:
        lines += ["source:", f"  seed: {yaml_scalar(seed)}"]
    lines += [
        'summary: ""            # one or two sentences for lists, feeds and search',
        "draft: true            # set to false to publish; `briefgen serve` shows drafts",
        "# Each annotation quotes a passage of the text below, as a reader sees it (no Markdown).",
        "# Example with every field; copy it under `annotations:` (and drop the `[]`):",
        *_example(
            [
                ("- id", f"{actor}-{topic}"[:48].strip("-"), "optional; stable, unique, a-z0-9-"),
                ("  kind", "position", "position (default) or context (quote and note only)"),
                ("  quote", yaml_scalar(_example_quote(paragraphs)), ""),
                ("  prefix", "...", "optional: the text just before, if the quote is not unique"),
                ("  suffix", "...", "optional: the text just after"),
                ("  actor", actor, _id_list(actors)),
                ("  topic", topic, _id_list(topics)),
                ("  stance", "opposes", "supports, opposes, conditional, unclear"),
                ("  summary", "The position in one sentence, in your words.", ""),
                ("  note", "The analyst's comment, in Markdown.", ""),
            ]
        ),
        "annotations: []",
        "---",
    ]
    return "\n".join(lines) + "\n"


# -- writing ---------------------------------------------------------------------------------


def slug_for(title: str) -> str:
    slug = slugify(title, max_length=SLUG_MAX, word_boundary=True, lowercase=True)
    return slug if ID_RE.match(slug) else FALLBACK_SLUG


def clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise UsageError("the title is empty; give the briefing a title")
    if _control_character(cleaned) is not None:
        raise UsageError("the title contains a control character")
    return cleaned


def briefings_dir(site_dir: Path) -> Path:
    if not (site_dir / "content").is_dir():
        raise UsageError(f"{site_dir} has no content/ directory; is it a briefgen site?")
    return site_dir / "content" / "briefings"


def skeleton(
    site_dir: Path,
    title: str,
    date: dt.date,
    paragraphs: Sequence[str] | None,
    seed: Path | None,
) -> Skeleton:
    name = f"{date.isoformat()}-{slug_for(title)}"
    assert ID_RE.match(name), name  # a date and a checked slug: nothing else reaches the path
    target = briefings_dir(site_dir) / f"{name}.md"
    seed_ref = None if seed is None else _relative(seed, site_dir)
    body = markdown_body(paragraphs) if paragraphs else PLACEHOLDER + "\n"
    text = front_matter(title, date, seed_ref, paragraphs or [PLACEHOLDER], site_dir) + body
    return Skeleton(target, text)


def _relative(path: Path, site_dir: Path) -> str:
    return Path(os.path.relpath(path.resolve(), site_dir.resolve())).as_posix()


def write_all(skeletons: Sequence[Skeleton], site_dir: Path) -> None:
    """Refuse if any target exists (or would share a slug), then write each exclusively."""
    root = briefings_dir(site_dir)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{_relative(root, site_dir)} exists and is not a directory")
    existing = {p.stem: p for p in root.rglob("*.md")} if root.is_dir() else {}
    seen: set[Path] = set()
    for item in skeletons:
        rel = _relative(item.path, site_dir)
        if item.path in seen:
            raise UsageError(f"two seeds would both become {rel}; import them one at a time")
        seen.add(item.path)
        if item.path.stem in existing:
            other = _relative(existing[item.path.stem], site_dir)
            raise UsageError(
                f"refusing to overwrite {other}: it already exists"
                if other == rel
                else f"refusing to create {rel}: {other} already uses the slug '{item.path.stem}'"
            )
    root.mkdir(parents=True, exist_ok=True)
    for item in skeletons:
        if item.path.parent.resolve() != root.resolve():  # pragma: no cover - slugs are checked
            raise UsageError(f"refusing to write {item.path} outside {root}")
        try:
            with item.path.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(item.text)
        except FileExistsError:
            raise UsageError(
                f"refusing to overwrite {_relative(item.path, site_dir)}: it already exists"
            ) from None


def new(
    site_dir: Path,
    title: str,
    seed_path: Path | None = None,
    date: dt.date | None = None,
    shown: str | None = None,
) -> Path:
    """`briefgen new`: the given title wins over the seed's; --date over the seed's date."""
    title = clean_title(title)
    briefings_dir(site_dir)
    paragraphs: Sequence[str] | None = None
    if seed_path is not None:
        diags = Diagnostics()
        seed = read_seed(seed_path, shown or str(seed_path), diags)
        if seed is None:
            raise ContentError(diags)
        paragraphs = seed.paragraphs
        date = date or seed.date
    item = skeleton(site_dir, title, date or dt.date.today(), paragraphs, seed_path)
    write_all([item], site_dir)
    return item.path


def import_seeds(site_dir: Path, seeds: Sequence[tuple[Path, str]]) -> list[Path]:
    """`briefgen import`: read and check every seed first; write only if all are good."""
    briefings_dir(site_dir)
    diags = Diagnostics()
    parsed = [read_seed(path, shown, diags) for path, shown in seeds]
    if diags.errors():
        raise ContentError(diags)
    items = [
        skeleton(site_dir, s.title, s.date, s.paragraphs, s.path) for s in parsed if s is not None
    ]
    write_all(items, site_dir)
    return [item.path for item in items]

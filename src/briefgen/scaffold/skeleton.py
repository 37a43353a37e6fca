"""`briefgen new` and `briefgen import`: source articles -> briefing skeletons.

article.py reads the article (plain text, Markdown, or the seed format of `seeds/`). Plain
text becomes Markdown that reads the same:

Subheading rule (`is_subheading`): a paragraph becomes a `## ` heading when it is one line of at
most SUBHEADING_MAX characters, contains a letter, does not start with a lowercase letter, does
not end with closing punctuation (. ! ? : ; , … or a closing quote, or a dash), and is neither the
first nor the last paragraph. A paragraph whose lines all start with '>' is a pull quote.
Everything else stays a paragraph, verbatim apart from escaping the characters that Markdown
would otherwise read as markup (so the reader sees exactly the source).

The file goes to `content/briefings/<date>-<slug>.md`; the slug is python-slugify's ASCII
transliteration of the title, cut at a word boundary to SLUG_MAX characters, and `briefing` when
nothing is left. Nothing is ever overwritten, and all articles of one `import` are read and
checked before any file is written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from slugify import slugify

from briefgen.content.briefings import briefing_files
from briefgen.content.pasteable import yaml_scalar
from briefgen.content.schema import ID_RE
from briefgen.diagnostics import ContentError, Diagnostics, UsageError
from briefgen.scaffold.article import DATE_HINT, Seed, control_character, read_seed
from briefgen.scaffold.init import SCHEMA_DIR

SUBHEADING_MAX = 100
SLUG_MAX = 60
FALLBACK_SLUG = "briefing"
CLOSING = tuple(".!?:;,…\"'”’»«“‘-–—")
PLACEHOLDER = (
    "Paste the source text here, one paragraph per block, with `## ` subheadings. Annotations "
    "quote it exactly as a reader sees it."
)


@dataclass(frozen=True)
class Skeleton:
    """A briefing file to write: where, and its whole text."""

    path: Path
    text: str


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


def markdown_body(paragraphs: Sequence[str], markdown: bool = False) -> str:
    """Plain text as Markdown that reads the same: subheadings become `## `, paragraphs whose
    lines all start with '>' pull quotes; a Markdown article is kept as it is."""
    if markdown:
        return "\n\n".join(paragraphs) + "\n"
    blocks = []
    for index, paragraph in enumerate(paragraphs):
        lines = paragraph.split("\n")
        if is_subheading(paragraph, index, len(paragraphs)):
            blocks.append("## " + _escape_inline(paragraph).replace("#", "\\#"))
        elif all(line.startswith(">") for line in lines):
            blocks.append("\n".join("> " + escape_markdown(x[1:].strip()) for x in lines))
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
        if not is_subheading(paragraph, index, len(paragraphs)) and paragraph[:1].isalnum():
            words = paragraph.split()[:8]
            if not any(c in paragraph for c in "*_`[]<\\"):  # a quote is the text, not markup
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
    lines = ["---"]
    if (site_dir / SCHEMA_DIR / "briefing.schema.json").is_file():  # written by `briefgen init`
        lines.append(f"# yaml-language-server: $schema=../../{SCHEMA_DIR}/briefing.schema.json")
    lines += [
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
    if control_character(cleaned) is not None:
        raise UsageError("the title contains a control character")
    return cleaned


def briefings_dir(site_dir: Path) -> Path:
    if not (site_dir / "content").is_dir():
        raise UsageError(f"{site_dir} has no content/ directory; is it a briefgen site?")
    return site_dir / "content" / "briefings"


def skeleton(site_dir: Path, title: str, date: dt.date, seed: Seed | None) -> Skeleton:
    name = f"{date.isoformat()}-{slug_for(title)}"
    assert ID_RE.match(name), name  # a date and a checked slug: nothing else reaches the path
    target = briefings_dir(site_dir) / f"{name}.md"
    if seed is None:
        text = front_matter(title, date, None, [PLACEHOLDER], site_dir) + PLACEHOLDER + "\n"
        return Skeleton(target, text)
    body = markdown_body(seed.paragraphs, seed.markdown)
    seed_ref = _relative(seed.path, site_dir)
    return Skeleton(target, front_matter(title, date, seed_ref, seed.paragraphs, site_dir) + body)


def _relative(path: Path, site_dir: Path) -> str:
    return Path(os.path.relpath(path.resolve(), site_dir.resolve())).as_posix()


def write_all(skeletons: Sequence[Skeleton], site_dir: Path) -> None:
    """Refuse if any target exists (or would share a slug), then write each exclusively."""
    root = briefings_dir(site_dir)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{_relative(root, site_dir)} exists and is not a directory")
    existing = {p.stem: p for p in briefing_files(site_dir)}  # as the build lists them
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
    """`briefgen new`: the given title wins over the article's; --date over its date; the date
    is today when neither gives one."""
    title = clean_title(title)
    briefings_dir(site_dir)
    seed = None
    if seed_path is not None:
        diags = Diagnostics()
        seed = read_seed(seed_path, shown or str(seed_path), diags, title, date)
        if seed is None:
            raise ContentError(diags)
        date = seed.date
    item = skeleton(site_dir, title, date or dt.date.today(), seed)
    write_all([item], site_dir)
    return item.path


def import_seeds(
    site_dir: Path,
    seeds: Sequence[tuple[Path, str]],
    title: str | None = None,
    date: dt.date | None = None,
) -> list[Path]:
    """`briefgen import`: read and check every article first; write only if all are good.
    An article needs a date (from `date`, its front-matter or its first line)."""
    briefings_dir(site_dir)
    if title is not None and len(seeds) > 1:
        raise UsageError("--title names one briefing: import the files one at a time")
    title = clean_title(title) if title is not None else None
    diags = Diagnostics()
    parsed = [(read_seed(path, shown, diags, title, date), shown) for path, shown in seeds]
    for seed, shown in parsed:
        if seed is not None and seed.date is None:
            diags.error(shown, 1, 1, "the article has no date", DATE_HINT)
    if diags.errors():
        raise ContentError(diags)
    items = [skeleton(site_dir, s.title, s.date, s) for s, _ in parsed if s is not None and s.date]
    write_all(items, site_dir)
    return [item.path for item in items]

"""Reading a source article for `new --from` and `import`: any plain text or Markdown file.

Title and date come from the command line, else the file's front-matter, else its first line;
in that order. The first line gives them as

- the seed format `␠date YYYY-MM-DD Title` (see `seeds/`), checked strictly as before;
- `YYYY-MM-DD Title`, a date then the title;
- a title alone (`# Title` in Markdown), on a line of its own followed by a blank line.

A Markdown file (`.md`, `.markdown`, or any file with front-matter) keeps its body verbatim:
headings, block quotes and emphasis are already Markdown. Plain text is split into
paragraphs; skeleton.markdown_body() makes subheadings and pull quotes of them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from briefgen.content.briefings import split_front_matter
from briefgen.content.files import decode
from briefgen.diagnostics import Diagnostics, UsageError

DATE_LINE = re.compile(r"^(?P<lead>[ \t]*)date(?P<gap>[ \t]+)(?P<rest>.*)$")
DATED_TITLE = re.compile(r"^[ \t]*(?P<date>\d{4}-\d{2}-\d{2})[ \t]+(?P<title>\S.*)$")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TITLE_MAX = 200
SEED_HINT = "a seed starts with a line ' date YYYY-MM-DD Title', then a blank line, then the text"
TITLE_HINT = (
    "give --title, a front-matter 'title:', or start the file with the title on a line of its "
    "own, then a blank line"
)
DATE_HINT = (
    "give --date YYYY-MM-DD, a front-matter 'date: YYYY-MM-DD', or start the first line with "
    "the date: '2024-07-04 Title'"
)
MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True)
class Seed:
    path: Path
    date: dt.date | None  # None: the article gives none (`new` then uses today)
    title: str
    paragraphs: tuple[str, ...]  # each possibly several lines, stripped, never blank
    markdown: bool = False  # paragraphs are Markdown already: kept verbatim


def read_seed(
    path: Path,
    shown: str,
    diags: Diagnostics,
    title: str | None = None,
    date: dt.date | None = None,
) -> Seed | None:
    """Read an article; every format problem becomes a diagnostic at its line and column."""
    text = _read_text(path, shown, diags)
    if text is None:
        return None
    lines = text.splitlines()
    if DATE_LINE.match(lines[0]):
        return _read_seed_format(path, shown, lines, diags, title, date)
    markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
    front: dict[str, Any] = {}
    offset = 0
    parts = split_front_matter(text)
    if parts is not None:
        markdown = True
        front = _front_matter(parts[0], shown, diags)
        offset = parts[2] - 1
        lines = parts[1].splitlines()
    title = title or _text(front.get("title"))
    date = date or _date(front.get("date"))
    paragraphs = _paragraphs(lines, markdown)
    if paragraphs and (title is None or date is None) and _one_line(paragraphs[0]):
        title, date, used = _from_first_line(paragraphs[0], title, date, markdown)
        paragraphs = paragraphs[1:] if used else paragraphs
    if not paragraphs:
        diags.error(shown, offset + 1, 1, "the article has no text", "")
        return None
    if not title:
        diags.error(shown, offset + 1, 1, "the article has no title", TITLE_HINT)
        return None
    bad = control_character(title)
    if bad is not None:
        diags.error(shown, offset + 1, 1, "the title contains a control character", "")
        return None
    return Seed(path, date, title, tuple(paragraphs), markdown)


def _one_line(paragraph: str) -> bool:
    return "\n" not in paragraph and len(paragraph) <= TITLE_MAX


def _from_first_line(
    line: str, title: str | None, date: dt.date | None, markdown: bool
) -> tuple[str | None, dt.date | None, bool]:
    """Title and date completed from the first line; whether that line was used up."""
    dated = DATED_TITLE.match(line)
    line_date = parse_date(dated["date"]) if dated else None
    line_title = dated["title"] if dated and line_date else line
    if markdown:
        line_title = line_title.lstrip("#").strip()
    used = False
    if date is None and line_date is not None:
        date, used = line_date, True
    if title is None:
        title, used = line_title, True
    return title, date, used


def _read_text(path: Path, shown: str, diags: Diagnostics) -> str | None:
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
    if not text.strip():
        diags.error(shown, 1, 1, "seed file is empty", SEED_HINT)
        return None
    return text


def _front_matter(text: str, shown: str, diags: Diagnostics) -> dict[str, Any]:
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError:
        diags.error(shown, 2, 1, "the article's front-matter is not valid YAML", "fix or remove it")
        return {}
    return data if isinstance(data, dict) else {}


def _text(value: object) -> str | None:
    return " ".join(str(value).split()) or None if value is not None else None


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_date(str(value)) if value is not None else None


def _read_seed_format(
    path: Path,
    shown: str,
    lines: list[str],
    diags: Diagnostics,
    title: str | None,
    date: dt.date | None,
) -> Seed | None:
    """The seed format: ' date YYYY-MM-DD Title', a blank line, the text."""
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
    paragraphs = _paragraphs(lines[1:], False)
    if not paragraphs:
        diags.error(shown, 1, len(lines[0]) + 1, "seed file has no text after the date line", "")
        return None
    if head is None:
        return None
    return Seed(path, date or head[0], title or head[1], tuple(paragraphs))


def _read_date_line(line: str, shown: str, diags: Diagnostics) -> tuple[dt.date, str] | None:
    match = DATE_LINE.match(line)
    assert match is not None
    rest = match["rest"]
    date_col = len(match["lead"]) + len("date") + len(match["gap"]) + 1
    raw_date = rest.split(maxsplit=1)[0] if rest.strip() else ""
    date = parse_date(raw_date)
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
    bad = control_character(title)
    if bad is not None:
        diags.error(shown, 1, line.index(bad) + 1, "the title contains a control character", "")
        return None
    return date, title


def parse_date(raw: str) -> dt.date | None:
    if not DATE.fullmatch(raw):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _paragraphs(lines: Sequence[str], markdown: bool) -> list[str]:
    """Blocks between blank lines; plain text's lines stripped, Markdown's only dedented."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.rstrip() if markdown else line.strip())
        elif current:
            paragraphs.append(_dedent(current))
            current = []
    return paragraphs


def _dedent(lines: list[str]) -> str:
    """A paragraph's lines without their common indentation (Markdown keeps nesting)."""
    margin = min(len(line) - len(line.lstrip()) for line in lines)
    return "\n".join(line[margin:] for line in lines)


def control_character(text: str) -> str | None:
    return next((c for c in text if unicodedata.category(c) == "Cc"), None)

"""Fixes an author can paste: YAML scalars quoted in the right style, and hints for YAML syntax
errors that show the corrected line (indentation, tabs, a ': ' in a plain value).

A hint's fix is its last line, the whole corrected line as it should stand in the file, so that
copying it over the offending line repairs the file (tests do exactly that).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

_KEY_LINE = re.compile(
    r"^(?P<lead>[ \t]*(?:-[ \t]+)*)(?P<key>[^\s:#'\"][^:#]*?):(?:[ \t]+(?P<value>.*))?$"
)


def yaml_scalar(value: str) -> str:
    """`value` as a one-line YAML scalar: plain when that reads back the same, else quoted,
    single quotes when the value has double quotes but no single ones, else double quotes."""
    if value and _round_trips(value, value):
        return value
    if '"' in value and "'" not in value and _round_trips(f"'{value}'", value):
        return f"'{value}'"
    quoted = json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one
    if not _round_trips(quoted, value):  # pragma: no cover - JSON strings always are
        raise ValueError(f"cannot write {value!r} as YAML")
    return quoted


def _round_trips(text: str, value: str) -> bool:
    try:
        loaded: Any = yaml.safe_load(f"k: {text}\n")
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and loaded == {"k": value} and "\n" not in text


def key_line(current: str | None, col: int, key: str, value: str) -> str:
    """The line `current` (or a line whose key stands at `col`) with `key: value` from `col`."""
    lead = current[: col - 1] if current is not None else " " * (col - 1)
    return f"{lead}{key}: {value}"


def fix_hint(what: str, line: int, fixed: str) -> str:
    return f"{what}; write line {line} as:\n{fixed}"


def _indent(line: str) -> int:
    """Where a line's key starts: its leading spaces plus any '- ' sequence markers."""
    match = _KEY_LINE.match(line)
    return len(match["lead"]) if match else len(line) - len(line.lstrip(" "))


def _previous(lines: list[str], index: int) -> int | None:
    for i in range(index - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#") and stripped != "---":
            return i
    return None


def _valid(indent: str, rest: str) -> str:
    """`indent` + `rest`, its value quoted when it would not parse as written (a ': ' in it)."""
    try:
        yaml.safe_load(rest)
        return indent + rest
    except yaml.YAMLError:
        match = _KEY_LINE.match(rest)
        if match is None or not match["value"]:
            return indent + rest
        return f"{indent}{rest[: match.end('key')]}: {yaml_scalar(match['value'].strip())}"


def syntax_fix(
    text: str, index: int, col: int, problem: str, shown_line: int
) -> tuple[str, int, int, str] | None:
    """(message, line, col, hint) for a scanner error at 0-based line `index` of `text`, or None
    when no specific fix is known. `shown_line` is that line's number in the file."""
    lines = text.splitlines()
    if index >= len(lines):
        return None
    line = lines[index]
    match = _KEY_LINE.match(line.replace("\t", " "))
    prev = _previous(lines, index)
    expected = None
    if prev is not None and not lines[prev].rstrip().endswith(":"):
        expected = _indent(lines[prev].replace("\t", "    "))
    head = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" in head and match:
        width = expected if expected is not None else len(head.replace("\t", "  "))
        fixed = _valid(" " * width, line.lstrip(" \t"))
        return (
            f"malformed YAML: a tab in the indentation of line {shown_line}",
            shown_line,
            head.index("\t") + 1,
            fix_hint(f"YAML indents with spaces only; indent it {width} spaces", shown_line, fixed),
        )
    if match and expected is not None and prev is not None and len(match["lead"]) != expected:
        above = _KEY_LINE.match(lines[prev].strip(" -"))
        name = f"'{above['key']}'" if above else "the line"
        fixed = _valid(" " * expected, line.lstrip(" "))
        more = "more" if len(match["lead"]) > expected else "less"
        return (
            f"malformed YAML: '{match['key'].strip()}' is indented {more} than the key above it",
            shown_line,
            1,
            fix_hint(
                f"line {shown_line} is indented {len(match['lead'])} spaces, {name} above it "
                f"{expected}: keys of one mapping must line up",
                shown_line,
                fixed,
            ),
        )
    if match and match["value"] and ("mapping values" in problem or "expected key" in problem):
        value = match["value"].strip()
        fixed = f"{line[: match.end('key') + 1]} {yaml_scalar(value)}"
        return (
            f"malformed YAML: {problem}",
            shown_line,
            col,
            fix_hint(
                "a value containing ': ' or starting with a quote must be quoted whole",
                shown_line,
                fixed,
            ),
        )
    return None

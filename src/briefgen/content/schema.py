"""Typed reading of YAML mappings, one key at a time, with messages an author can act on.

Modelled on MkDocs' config options: each accessor checks presence and type and records a
diagnostic at the offending key or value; `finish()` rejects keys nobody asked for.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Iterable

from briefgen.content.pasteable import fix_hint, key_line, yaml_scalar
from briefgen.content.yamlsrc import Pos, YMap, YNode, YScalar, YSeq
from briefgen.diagnostics import Diagnostics

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_HINT = "use lowercase letters a-z, digits and single hyphens, e.g. putin-ceasefire-hope"


def reserved_fragment(ident: str) -> bool:
    """Ids the page chrome uses: `main` (the skip link's target) and `note-*` (notes)."""
    return ident == "main" or ident.startswith("note-")


# Actor ids become CSS classes beside the theme's own `hl-end` and `hl-context`.
RESERVED_ACTOR_IDS = frozenset({"end", "context"})


def type_name(node: YNode) -> str:
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YSeq):
        return "a list"
    if node.value is None:
        return "empty"
    return {bool: "a boolean", int: "a number", float: "a number"}.get(type(node.value), "text")


class Reader:
    """Reads the keys of one mapping; `where` names it in messages ("annotation 'x-y'").

    A missing required key is reported by `finish()`, so that a misspelt key near it gives one
    message ("did you mean") instead of two. `lines` (the file's lines, when known) lets hints
    show the corrected line whole.
    """

    def __init__(
        self,
        node: YMap,
        path: str,
        diags: Diagnostics,
        where: str,
        lines: list[str] | None = None,
    ) -> None:
        self.node = node
        self.path = path
        self.diags = diags
        self.where = where
        self.lines = lines
        self.seen: set[str] = set()
        self.missing: dict[str, tuple[Pos, str, str]] = {}

    def child(self, node: YMap, where: str) -> Reader:
        return Reader(node, self.path, self.diags, where, self.lines)

    def line_text(self, line: int) -> str | None:
        lines = self.lines
        return lines[line - 1] if lines is not None and 0 < line <= len(lines) else None

    def replacement(self, key: str, value: str) -> str:
        """The line of `key` rewritten as `key: value` (a pasteable fix)."""
        pos = self.key_pos(key)
        return key_line(self.line_text(pos.line), pos.col, key, value)

    def error(self, pos: Pos, message: str, hint: str = "") -> None:
        self.diags.error(self.path, pos.line, pos.col, message, hint)

    def _get(self, key: str, required: bool) -> YNode | None:
        self.seen.add(key)
        node = self.node.values.get(key)
        if node is None and required:
            self.missing[key] = (
                self.node.pos,
                f"{self.where} is missing the required field '{key}'",
                f"add '{key}: ...' to {self.where}",
            )
        if isinstance(node, YScalar) and node.value is None:
            if required:
                self.error(
                    self.key_pos(key), f"'{key}' of {self.where} is empty", "give it a value"
                )
            return None
        return node

    def key_pos(self, key: str) -> Pos:
        return self.node.keys.get(key, self.node.pos)

    def text(self, key: str, required: bool = True, default: str = "") -> str:
        node = self._get(key, required)
        if node is None:
            return default
        if not isinstance(node, YScalar) or isinstance(node.value, bool):
            self.error(
                node.pos,
                f"'{key}' of {self.where} must be text, not {type_name(node)}",
                "quote the value if it contains ':' or starts with '[' or '{'",
            )
            return default
        text = str(node.raw if node.tag != "tag:yaml.org,2002:str" else node.value).strip()
        if required and not text:
            self.error(node.pos, f"'{key}' of {self.where} is empty", "give it a value")
        return text

    def ident(self, key: str, required: bool = True) -> str | None:
        node = self.node.values.get(key)
        value = self.text(key, required)
        if value and not ID_RE.match(value):
            pos = node.pos if node else self.key_pos(key)
            self.error(pos, f"'{key}' of {self.where} is not a valid id: {value!r}", ID_HINT)
            return None
        return value or None

    def choice(
        self, key: str, choices: Iterable[str] | None, what: str, required: bool = True
    ) -> str:
        """A value from `choices`; None: the choices are unknown (their file is unreadable)."""
        node = self.node.values.get(key)
        value = self.text(key, required)
        if choices is None:
            return value
        options = sorted(choices)
        if value and value not in options:
            pos = node.pos if node else self.key_pos(key)
            close = closest(value, options)
            if close is None:
                self.error(
                    pos,
                    f"unknown {what} '{value}' in {self.where}",
                    did_you_mean(value, options, what),
                )
            else:
                self.error(
                    pos,
                    f"unknown {what} '{value}' in {self.where}: did you mean '{close}'?",
                    fix_hint(
                        f"known {what}s: {', '.join(options[:12])}",
                        pos.line,
                        self.replacement(key, yaml_scalar(close)),
                    ),
                )
            return ""
        return value

    def flag(self, key: str, default: bool) -> bool:
        node = self._get(key, False)
        if node is None:
            return default
        if not isinstance(node, YScalar) or not isinstance(node.value, bool):
            self.error(node.pos, f"'{key}' of {self.where} must be true or false")
            return default
        return node.value

    def date(self, key: str) -> dt.date | None:
        node = self._get(key, True)
        if node is None:
            return None
        raw = node.raw.strip() if isinstance(node, YScalar) else ""
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                return dt.date.fromisoformat(raw)
        except ValueError:
            pass
        hint = "write the date as YYYY-MM-DD, e.g. 2024-07-04"
        guess = guess_date(raw)
        if guess is not None:
            line = self.replacement(key, guess.isoformat())
            hint = fix_hint(f"{hint}; perhaps {guess.isoformat()}", self.key_pos(key).line, line)
        self.error(node.pos, f"'{key}' of {self.where} is not a valid date: {raw!r}", hint)
        return None

    def mapping(self, key: str, required: bool = False) -> YMap | None:
        node = self._get(key, required)
        if node is None:
            return None
        if not isinstance(node, YMap):
            self.error(node.pos, f"'{key}' of {self.where} must be a mapping (key: value lines)")
            return None
        return node

    def sequence(self, key: str, required: bool = False) -> YSeq | None:
        node = self._get(key, required)
        if node is None:
            return None
        if not isinstance(node, YSeq):
            self.error(node.pos, f"'{key}' of {self.where} must be a list", "write it as [a, b]")
            return None
        return node

    def id_list(self, key: str) -> list[tuple[str, Pos]]:
        seq = self.sequence(key)
        out: list[tuple[str, Pos]] = []
        for item in seq.items if seq else []:
            if (
                isinstance(item, YScalar)
                and isinstance(item.value, str)
                and ID_RE.match(item.value)
            ):
                out.append((item.value, item.pos))
            else:
                self.error(item.pos, f"'{key}' of {self.where} must list ids", ID_HINT)
        return out

    def finish(self, allowed_hint: Iterable[str] | None = None) -> None:
        """Reject every key that no accessor asked for: typos must not pass silently. A typo
        of a missing required key is one message, with the corrected line."""
        known = sorted(allowed_hint if allowed_hint is not None else self.seen)
        for key, pos in self.node.keys.items():
            if key in self.seen:
                continue
            close = closest(key, known)
            if close is None:
                hint = did_you_mean(key, known, "key", listing=True)
                self.error(pos, f"unknown key '{key}' in {self.where}", hint)
                continue
            self.missing.pop(close, None)
            node = self.node.values[key]
            hint = f"rename '{key}' to '{close}'"
            if close in self.node.keys:  # both spellings present: a paste would duplicate it
                hint = f"'{close}' is set already (line {self.key_pos(close).line}); remove '{key}'"
            elif isinstance(node, YScalar) and node.value is not None and "\n" not in node.raw:
                value = yaml_scalar(str(node.value)) if isinstance(node.value, str) else node.raw
                line = self.line_text(pos.line)
                hint = fix_hint(hint, pos.line, key_line(line, pos.col, close, value))
            self.error(pos, f"unknown key '{key}' in {self.where}: did you mean '{close}'?", hint)
        for pos, message, hint in self.missing.values():
            self.error(pos, message, hint)
        self.missing.clear()


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y")


def guess_date(raw: str) -> dt.date | None:
    """The date an invalid one most likely means: a day past the month's end as its last day,
    unpadded or slashed ISO dates, and spelt-out English dates (never the ambiguous 04/07)."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
    if match:
        year, month, day = (int(x) for x in match.groups())
        if 1 <= month <= 12 and day >= 1:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, min(day, last))
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def closest(value: str, options: list[str]) -> str | None:
    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(value: str, options: list[str], what: str, listing: bool = True) -> str:
    close = closest(value, options)
    if close:
        return f"did you mean '{close}'?"
    if listing and options:
        shown = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
        return f"known {what}s: {shown}"
    return ""


def require_map(node: YNode | None, path: str, diags: Diagnostics, what: str) -> YMap | None:
    if isinstance(node, YMap):
        return node
    pos = node.pos if node is not None else Pos(1, 1)
    found = "empty" if node is None else type_name(node)
    diags.error(path, pos.line, pos.col, f"{what} must be a mapping, found {found}")
    return None

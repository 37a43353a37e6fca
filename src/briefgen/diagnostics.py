"""Diagnostics an author can act on: `path:line:col: severity: message`, then a hint."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int
    col: int
    severity: Severity
    message: str
    hint: str = ""
    code: str = "content"

    def printable(self) -> Diagnostic:
        """The same diagnostic with terminal control characters in its texts escaped."""
        return replace(
            self,
            path=printable(self.path),
            message=printable(self.message),
            hint=printable(self.hint, lines=True),
        )

    def as_text(self) -> str:
        d = self.printable()
        # Without a file there is no place to give: never a made-up `:0:0:`.
        where = f"{d.path}:{d.line}:{d.col}" if d.path else "briefgen"
        head = f"{where}: {d.severity}: {d.message}"
        return f"{head}\n  hint: {d.hint}" if d.hint else head

    def as_github(self) -> str:
        # Workflow commands: properties and message need their own escaping.
        def prop(value: str) -> str:
            return _gh_escape(value).replace(":", "%3A").replace(",", "%2C")

        d = self.printable()
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        where = f"file={prop(d.path)},line={d.line},col={d.col}," if d.path else ""
        return f"::{d.severity} {where}title={prop('briefgen ' + d.code)}::{_gh_escape(message)}"


# C0 and C1 controls, DEL, and the bidirectional overrides and isolates ("Trojan Source"):
# text from content or file names must not move the cursor, recolour or reorder a terminal.
# Lone surrogates (file names that are not UTF-8) are escaped too: they cannot be printed.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape_control(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, lines: bool = False) -> str:
    """`text` with every terminal control character shown as an escape (ESC as `\\x1b`).

    With `lines`, line breaks stay: a hint may end in a whole corrected line to paste, which
    briefgen puts after a break of its own (a line of content can hold no break)."""
    if lines:
        return "\n".join(_CONTROL.sub(_escape_control, part) for part in text.split("\n"))
    return _CONTROL.sub(_escape_control, text)


def _gh_escape(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


@dataclass
class Diagnostics:
    """Collects every problem of a run, so one run reports all of them."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(
        self, path: str, line: int, col: int, message: str, hint: str = "", code: str = "content"
    ) -> None:
        self.items.append(Diagnostic(path, line, col, "error", message, hint, code))

    def warning(
        self, path: str, line: int, col: int, message: str, hint: str = "", code: str = "content"
    ) -> None:
        self.items.append(Diagnostic(path, line, col, "warning", message, hint, code))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    def errors(self, strict: bool = False) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error" or strict]

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.path, d.line, d.col, d.message))


class ContentError(Exception):
    """Raised by a stage when the content has errors; carries every diagnostic found."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        super().__init__(f"{len(diagnostics.errors())} content error(s)")
        self.diagnostics = diagnostics


class UsageError(Exception):
    """A mistake in how briefgen was invoked or configured outside the content (exit 2)."""


class SearchIndexError(Exception):
    """Pagefind is missing or failed; the build stops and the previous site stays (exit 2)."""


class BuildInterrupted(Exception):
    """The caller asked a build to stop (serve, on a newer save); the output is untouched."""


def format_diagnostics(items: list[Diagnostic], fmt: str) -> str:
    if fmt == "json":
        data = [asdict(d.printable()) for d in items]
        return json.dumps(data, indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(d.as_github() for d in items)
    return "\n".join(d.as_text() for d in items)

"""Diagnostics an author can act on: `path:line:col: severity: message`, then a hint."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
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

    def as_text(self) -> str:
        head = f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"
        return f"{head}\n  hint: {self.hint}" if self.hint else head

    def as_github(self) -> str:
        # Workflow commands: properties and message need their own escaping.
        def prop(value: str) -> str:
            return _gh_escape(value).replace(":", "%3A").replace(",", "%2C")

        message = self.message + (f"\nhint: {self.hint}" if self.hint else "")
        return (
            f"::{self.severity} file={prop(self.path)},line={self.line},col={self.col},"
            f"title={prop('briefgen ' + self.code)}::{_gh_escape(message)}"
        )


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
        return json.dumps([asdict(d) for d in items], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(d.as_github() for d in items)
    return "\n".join(d.as_text() for d in items)

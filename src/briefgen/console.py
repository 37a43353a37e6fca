"""What briefgen prints for people: diagnostics, progress and one-line summaries.

Rules, in one place:
- stdout carries only documents for tools (`check --format json`); everything a person reads
  (diagnostics, progress, summaries) goes to stderr;
- progress is shown only when stderr is a terminal and `CI` is not set, and only for builds that
  take a while (after PROGRESS_DELAY seconds); it redraws one line and erases it when done;
- colour only when the stream is a terminal, `TERM` is not `dumb` and `NO_COLOR` is unset or
  empty (https://no-color.org);
- `--quiet` drops progress and summaries; diagnostics and errors are always printed.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

from briefgen.diagnostics import Diagnostic, format_diagnostics, printable

PROGRESS_DELAY = 0.3  # seconds before a progress line appears; quick builds never show one
PROGRESS_TICK = 0.1

_RESET = "\x1b[0m"
_STYLES = {"bold": "\x1b[1m", "dim": "\x1b[2m", "red": "\x1b[1;31m", "yellow": "\x1b[1;33m"}
_STYLES["green"] = "\x1b[32m"
_STYLES["cyan"] = "\x1b[36m"


def in_ci(environ: dict[str, str] | None = None) -> bool:
    value = (environ if environ is not None else os.environ).get("CI", "")
    return value.strip().lower() not in ("", "0", "false", "no")


def wants_colour(stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    env = environ if environ is not None else os.environ
    if env.get("NO_COLOR", "") != "" or env.get("TERM", "") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass
class Console:
    quiet: bool = False
    err: TextIO = field(default_factory=lambda: sys.stderr)
    out: TextIO = field(default_factory=lambda: sys.stdout)
    colour: bool = False
    interactive: bool = False  # a terminal outside CI: progress lines allowed

    @classmethod
    def from_env(cls, quiet: bool = False) -> Console:
        err = sys.stderr
        isatty = getattr(err, "isatty", None)
        tty = bool(isatty and isatty())
        return cls(
            quiet=quiet,
            err=err,
            out=sys.stdout,
            colour=wants_colour(err),
            interactive=tty and not in_ci(),
        )

    def style(self, text: str, *names: str) -> str:
        if not self.colour or not names:
            return text
        return "".join(_STYLES[n] for n in names) + text + _RESET

    # -- diagnostics -------------------------------------------------------------------------

    def diagnostics(self, items: list[Diagnostic], fmt: str = "text") -> None:
        """Diagnostics go to stderr, except the JSON document, which is stdout's business."""
        if fmt == "json":
            print(format_diagnostics(items, "json"), file=self.out, flush=True)
            return
        if not items:
            return
        if fmt == "text" and self.colour:
            text = "\n".join(self._coloured(d) for d in items)
        else:
            text = format_diagnostics(items, fmt)
        print(text, file=self.err, flush=True)

    def _coloured(self, d: Diagnostic) -> str:
        d = d.printable()
        severity = self.style(d.severity, "red" if d.severity == "error" else "yellow")
        where = f"{d.path}:{d.line}:{d.col}:" if d.path else "briefgen:"
        head = f"{self.style(where, 'bold')} {severity}: {d.message}"
        return f"{head}\n  {self.style('hint:', 'cyan')} {d.hint}" if d.hint else head

    # -- messages ----------------------------------------------------------------------------

    def error(self, message: str) -> None:
        print(
            f"briefgen: {self.style('error', 'red')}: {printable(message)}",
            file=self.err,
            flush=True,
        )

    def failure(self, message: str) -> None:
        """The closing line of a failed run; printed even with --quiet."""
        print(f"briefgen: {self.style(printable(message), 'red')}", file=self.err, flush=True)

    def summary(self, message: str) -> None:
        if not self.quiet:
            print(self.style(printable(message), "green"), file=self.err, flush=True)

    def info(self, message: str) -> None:
        if not self.quiet:
            print(printable(message), file=self.err, flush=True)

    # -- progress ----------------------------------------------------------------------------

    @contextmanager
    def progress(self, label: str) -> Iterator[Progress]:
        """A progress line for long work, on a terminal outside CI; a no-op elsewhere."""
        bar = Progress(self, label, enabled=self.interactive and not self.quiet)
        bar.start()
        try:
            yield bar
        finally:
            bar.stop()


class Progress:
    """One redrawn line: `label… done/total detail 1.2 s`. Stages may call `update()`."""

    def __init__(self, console: Console, label: str, enabled: bool) -> None:
        self.console = console
        self.label = label
        self.enabled = enabled
        self.detail = ""
        self.done: int | None = None
        self.total: int | None = None
        self._started = time.perf_counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._drawn = False
        self._lock = threading.Lock()

    def update(
        self, done: int | None = None, total: int | None = None, detail: str | None = None
    ) -> None:
        """Report how far a stage is (e.g. pages rendered of total); safe from any thread."""
        with self._lock:
            if done is not None:
                self.done = done
            if total is not None:
                self.total = total
            if detail is not None:
                self.detail = detail

    def start(self) -> None:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="briefgen-progress", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._drawn:
            self.console.err.write("\r\x1b[2K")
            self.console.err.flush()

    def line(self) -> str:
        with self._lock:
            parts = [f"{self.label}…"]
            if self.done is not None and self.total:
                parts.append(f"{self.done}/{self.total}")
            if self.detail:
                parts.append(self.detail)
        parts.append(f"{time.perf_counter() - self._started:.1f} s")
        return " ".join(parts)

    def _run(self) -> None:
        if self._stop.wait(PROGRESS_DELAY):
            return
        while not self._stop.is_set():
            self.console.err.write("\r\x1b[2K" + self.console.style(self.line(), "dim"))
            self.console.err.flush()
            self._drawn = True
            self._stop.wait(PROGRESS_TICK)

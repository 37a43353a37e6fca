"""The rebuild session of `serve`: build, keep results in memory, report, index search later.

- Builds go through a `Rebuild` callable: build/warm.py's WarmRebuild, which keeps every
  briefing's result in memory between builds, so a save re-renders what it touched.
- Search comes last: a rebuild after a save keeps the previous Pagefind index and reloads
  pages at once; then, unless another save is waiting, the search index is brought up to date
  from what that rebuild prepared (pipeline.index_deferred: no second build), without
  reloading pages. A save during that indexing stops it (Pagefind is killed, the output left
  as it was) and is built at once; indexing starts again after it.
- No input stops the session: every failure (content, theme, OS, or a bug) is told to the
  terminal and to open pages, without a traceback, and the last good site stays served. A file
  that vanishes mid-build (an editor's rename-on-save) makes the build start over.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import queue
import secrets
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from jinja2 import TemplateError

from briefgen.build.pipeline import BuildOptions, BuildResult
from briefgen.build.warm import WarmRebuild as WarmRebuild  # its home was here
from briefgen.console import Console, plural
from briefgen.content.siteyaml import basics
from briefgen.diagnostics import (
    BuildInterrupted,
    ContentError,
    Diagnostic,
    SearchIndexError,
    UsageError,
)
from briefgen.serve.http import App
from briefgen.serve.watch import Watcher
from briefgen.theme.render import exception_problems

DEBOUNCE = 0.08  # seconds without a new change, after watchfiles' batch, before rebuilding
# Seconds without a save before a deferred search index is brought up to date. Zero: a burst
# of saves is already one build (watchfiles' batch, then DEBOUNCE), a save that comes while
# Pagefind runs stops it within POLL_SECONDS, and indexing reuses the page build's work, so
# waiting would only add its own length to every save's time to search results (it was 0.5 s
# when indexing was a second whole build). What a save may wait for is the part of indexing
# that is not stopped: the merge and publishing of one slice's index, a few tenths of a second.
SEARCH_QUIET = 0.0
RACE_RETRIES = 3  # builds started over when a file vanishes between listing and reading it
DEBUG = "BRIEFGEN_DEBUG"  # set in the environment: print the traceback of an internal error


class Rebuild(Protocol):
    """Build the site into options.output; `changed` is None for a full build. `interrupted`
    is polled while indexing search (see build())."""

    def __call__(
        self,
        options: BuildOptions,
        changed: frozenset[Path] | None,
        interrupted: Callable[[], bool] | None = None,
    ) -> BuildResult: ...

    def index_search(self, options: BuildOptions, interrupted: Callable[[], bool]) -> BuildResult:
        """Bring the search index up to date after a build with `defer_search`."""
        ...


def _never() -> bool:
    return False


def base_path(site_dir: Path) -> str:
    """The path part of site.yaml's base_url ("/" when it cannot be read: the build will say
    why). Read afresh before each build, so editing base_url moves the served site."""
    return basics(site_dir).base_path


class Session:
    """One `briefgen serve` run: builds into `app.root`, tells open pages, rebuilds on change.

    `production`: build as `briefgen build` would (the site's own base_url, drafts hidden,
    search indexed every time) and serve that, for a preview of what will be published."""

    def __init__(
        self,
        site_dir: Path,
        app: App,
        origin: str,
        console: Console,
        rebuild: Rebuild | None = None,
        production: bool = False,
    ) -> None:
        self.site_dir = site_dir
        self.app = app
        self.origin = origin  # http://host:port
        self.console = console
        self.rebuild = rebuild or WarmRebuild()
        self.production = production
        self.search_stale = False  # pages were rebuilt, the search index not yet
        self.id_prefix = secrets.token_hex(4)  # a restarted server's builds never look current
        self.builds = 0
        self.search = importlib.util.find_spec("pagefind_bin") is not None
        app.base_path = base_path(site_dir)

    @property
    def url(self) -> str:
        return self.origin + quote(self.app.base_path)

    def build(self, changed: frozenset[Path] | None) -> bool:
        """Build once; publish the result to open pages. False when the build failed.

        After a save, the search index is left as it was so the page refreshes at once;
        `index_search()` brings it up to date once the saves pause."""
        moved = base_path(self.site_dir)
        if moved != self.app.base_path:
            self.app.base_path = moved
            self.console.info(f"base_url changed: now serving {self.url}")
        defer = self.search and changed is not None and not self.production
        result = self._attempt(self._options(defer_search=defer), changed)
        if result is None:
            return False
        self.search_stale = defer and not result.unchanged
        self.console.diagnostics(result.diagnostics.sorted())  # warnings
        self.builds += 1
        self.app.state.publish(f"{self.id_prefix}-{self.builds}", [])
        what = "built" if changed is None else "rebuilt"
        names = sorted(self._rel(p) for p in changed or ())
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        files = f" after {', '.join(names[:3])}{more}" if names else ""
        self.console.summary(
            f"{what} {plural(result.pages, 'page')}, {plural(result.annotations, 'annotation')}"
            f" in {result.seconds:.2f} s{files}"
        )
        return True

    def index_search(self, interrupted: Callable[[], bool]) -> None:
        """Index the site for search after deferred builds. Pages are unchanged: no reload.
        A new save (`interrupted()`) stops it; it runs again once the saves pause."""
        options = self._options(defer_search=False)
        try:
            result = self._attempt(options, frozenset(), interrupted, search_only=True)
        except BuildInterrupted:
            return
        self.search_stale = False
        if result is not None:
            self.console.info(f"search index up to date ({result.seconds:.2f} s)")

    def _options(self, defer_search: bool) -> BuildOptions:
        return BuildOptions(
            self.site_dir,
            out_dir=self.app.root,
            base_url=None if self.production else self.url,
            drafts=not self.production,
            search=self.search,
            defer_search=defer_search,
            publish_in_place=True,  # its own private folder: see build/inplace.py
        )

    def _attempt(
        self,
        options: BuildOptions,
        changed: frozenset[Path] | None,
        interrupted: Callable[[], bool] | None = None,
        search_only: bool = False,
    ) -> BuildResult | None:
        """One build (`search_only`: Rebuild.index_search); a failure is told to the console
        and to open pages, and gives None.

        Reason for the length: one `except` per kind of failure, each told its own way."""
        vanished: OSError = FileNotFoundError()
        for _ in range(RACE_RETRIES):
            try:
                if search_only:
                    return self.rebuild.index_search(options, interrupted or _never)
                return self.rebuild(options, changed, interrupted)
            except FileNotFoundError as exc:  # listed, then gone: build the new listing
                vanished = exc
                continue
            except BuildInterrupted:
                raise
            except ContentError as exc:
                self._failed(exc.diagnostics.sorted())
            except UsageError as exc:
                self._failed([Diagnostic("", 0, 0, "error", str(exc), "", "usage")])
            except SearchIndexError as exc:
                self.console.error(f"{exc}; serving without search")
                self.search = False
                options = dataclasses.replace(options, search=False)
                continue
            except OSError as exc:
                self._failed([self._os_problem(exc)])
            except Exception as exc:
                self._failed(self._exception_problems(exc))
            return None
        self._failed([self._os_problem(vanished)])
        return None

    def _os_problem(self, exc: OSError) -> Diagnostic:
        """An unreadable (or vanished) file, as a diagnostic at that file."""
        name = exc.filename if isinstance(exc.filename, str) else ""
        path = self._rel(Path(name)) if name else ""
        reason = exc.strerror or type(exc).__name__
        hint = "check that the file exists and can be read, then save again"
        return Diagnostic(path, 1 if path else 0, 1 if path else 0, "error", reason, hint, "os")

    def _exception_problems(self, exc: Exception) -> list[Diagnostic]:
        """A template that raised, at its line; anything else is a bug of briefgen's, told in
        one line (the traceback only when BRIEFGEN_DEBUG is set)."""
        problems = exception_problems(exc, self.site_dir)
        if isinstance(exc, TemplateError) or any(p.path for p in problems):
            return problems
        if os.environ.get(DEBUG):
            self.console.err.write(traceback.format_exc())
        message = f"internal error: {type(exc).__name__}: {exc}"
        hint = f"this is a bug in briefgen; run with {DEBUG}=1 for the traceback and report it"
        return [Diagnostic("", 0, 0, "error", message, hint, "internal")]

    def _rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.site_dir.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def _failed(self, items: list[Diagnostic]) -> None:
        placed = [d for d in items if d.path]
        self.console.diagnostics(placed)
        for d in items:
            if not d.path:
                self.console.error(d.message + (f"\n  hint: {d.hint}" if d.hint else ""))
        serving = "still serving the last good build" if self.app.state.snapshot().good else ""
        errors = sum(1 for d in items if d.severity == "error")
        self.console.failure(f"{plural(errors, 'error')}" + (f"; {serving}" if serving else ""))
        self.app.state.publish(None, [dataclasses.asdict(d) for d in items])

    def watch_paths(self) -> list[Path]:
        return [p for p in (self.site_dir / "content", self.site_dir / "themes") if p.is_dir()]

    def watching(self, paths: list[Path]) -> str:
        return ", ".join(self._rel(p) + "/" for p in paths) or "nothing"

    def loop(self, watcher: Watcher, stop_requested: Callable[[], bool] = lambda: False) -> None:
        """Wait for a batch of changes, let the burst settle, rebuild; until `stop_requested`
        (checked at least once a second), as KeyboardInterrupt. A themes/ (or content/)
        folder that appears later is watched from then on."""
        while True:
            if stop_requested():
                raise KeyboardInterrupt
            wait = SEARCH_QUIET if self.search_stale else 1.0
            try:
                changed = set(watcher.changes.get(timeout=wait))
            except queue.Empty:
                if self.search_stale:
                    self.index_search(lambda: not watcher.changes.empty())
                    continue
                paths = self.watch_paths()
                if paths != watcher.paths:
                    watcher.restart(paths)
                    self.console.info("briefgen: watching " + self.watching(paths))
                    self.build(None)
                continue
            while True:
                try:
                    changed |= watcher.changes.get(timeout=DEBOUNCE)
                except queue.Empty:
                    break
            self.build(frozenset(changed))

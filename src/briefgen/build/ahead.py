"""serve: Pagefind indexes a save's slice while the page build renders and publishes.

A save that defers the search index (BuildOptions.defer_search) still knows, once phase one
is done, which slices of the index its edit changed: usually one. Pagefind is another
process, so it can index that slice on the second core while this one renders and publishes
the pages; the search step after the page build (pipeline.index_deferred) then takes the
slice as indexed and only merges. Only a few slices go ahead (an edit, not a theme change
that touches every slice: index_site() spreads those over its workers).

What goes ahead is what a search step would index, keyed the same way (search/index.py):
a result is used only under the key the search step computes for it, so it can never stand
for other records. A newer build, a failed one, or serve stopping cancels it (Pagefind is
killed); a cancelled or failed one is indexed again by the search step, which reports
failures as before.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Mapping, Sequence

from briefgen.diagnostics import BuildInterrupted
from briefgen.document.model import Briefing
from briefgen.search.index import Complete, slice_records, slices
from briefgen.search.merge import Slice
from briefgen.search.service import POLL_SECONDS, PagefindService, pagefind_version
from briefgen.search.slices import from_bundle, slice_key

AHEAD_SLICES = 2  # at most this many slices go ahead: an edit, or a briefing renamed
# Pagefind going ahead yields the processor to the page build (on a busy machine: with a core
# to spare it runs at full speed anyway); once the search step waits for it, it is set back
# to normal where the system allows.
AHEAD_NICENESS = 10


class Ahead:
    """Slices being indexed on a thread of their own (one Pagefind process)."""

    def __init__(
        self, language: str, todo: list[tuple[str, list[Briefing]]], complete: Complete
    ) -> None:
        self.language = language
        self.todo = todo
        self.complete = complete
        self.stop = threading.Event()
        self.done = threading.Event()
        self.files: dict[str, dict[str, bytes]] = {}  # key -> the bundle Pagefind made
        self.error: BaseException | None = None
        self.pid: int | None = None  # Pagefind's
        self.thread = threading.Thread(target=self._run, name="briefgen-search-ahead")
        self.thread.daemon = True  # serve stopping cancels it first; never wait for it
        self.thread.start()

    def _run(self) -> None:
        try:
            with PagefindService(self.stop.is_set) as service:
                self.pid = service.process.pid if service.process is not None else None
                _renice(self.pid, AHEAD_NICENESS)
                for key, group in self.todo:
                    records = slice_records(self.language, [self.complete(b) for b in group])
                    self.files[key] = service.index(self.language, records)
        except BaseException as exc:  # told by result(); a cancelled run's is not wanted
            self.error = exc
        finally:
            self.done.set()

    def cancel(self) -> None:
        self.stop.set()

    def result(self, interrupted: Callable[[], bool] | None) -> dict[str, Slice]:
        """The slices, once indexed: key -> slice. Nothing when cancelled or failed (the
        search step indexes them itself, and tells a failure as it would). `interrupted`
        stops the wait as it stops indexing: BuildInterrupted."""
        if not self.done.is_set():
            _renice(self.pid, 0)  # the search step waits for it now
        while not self.done.wait(POLL_SECONDS):
            if interrupted is not None and interrupted():
                raise BuildInterrupted("search indexing stopped for a newer change")
        if self.error is not None or self.stop.is_set():
            return {}
        return {key: from_bundle(files) for key, files in self.files.items()}


def _renice(pid: int | None, niceness: int) -> None:
    if pid is None or not hasattr(os, "setpriority"):
        return
    with contextlib.suppress(OSError):  # not allowed, or already gone: only slower
        os.setpriority(os.PRIO_PROCESS, pid, niceness)


def start(
    language: str,
    briefings: Sequence[Briefing],
    digests: Mapping[str, str],
    complete: Complete,
    indexed: Mapping[str, Slice],
) -> Ahead | None:
    """Index the slices whose key is not among `indexed` (the last merge's slices), if
    there are a few; None when there are none or too many."""
    pagefind = pagefind_version()
    todo = []
    for group in slices(briefings):
        key = slice_key(language, pagefind, [digests[b.slug] for b in group])
        if key not in indexed:
            todo.append((key, group))
    if not todo or len(todo) > AHEAD_SLICES:
        return None
    return Ahead(language, todo, complete)

"""serve: Pagefind indexes a save's slice while the page build renders and publishes.

A save that defers the search index (BuildOptions.defer_search) still knows, once phase one
is done, which slices of the index its edit changed: usually one. Pagefind is another
process, so it can index that slice on the second core while this one renders and publishes
the pages; the search step after the page build (pipeline.index_deferred) then takes the
slice as indexed and only merges. Only a few slices go ahead (an edit, not a theme change
that touches every slice: index_site() spreads those over its workers).

The slice's records are made and sent to Pagefind by a forked child, not by a thread: a
thread talking to Pagefind wakes for each of its hundreds of replies and takes the
interpreter lock from the page build each time, which on a busy machine slowed the page
build by half. The child (and its Pagefind) runs niced, so that the page build comes first
where the processors are short; its result comes back through a pipe, read by the search
step. It shares the page build's memory copy-on-write, with the garbage collector off.

What goes ahead is what a search step would index, keyed the same way (search/index.py):
a result is used only under the key the search step computes for it, so it can never stand
for other records. A newer build, a failed one, or serve stopping cancels it (the child and
its Pagefind are killed); a cancelled or failed one is indexed again by the search step,
which reports failures as before.
"""

from __future__ import annotations

import contextlib
import gc
import os
import select
import signal
from collections.abc import Callable, Mapping, Sequence
from typing import NoReturn

import msgspec

from briefgen.diagnostics import BuildInterrupted
from briefgen.document.model import Briefing
from briefgen.search.index import Complete, slice_records, slices
from briefgen.search.merge import Slice
from briefgen.search.service import POLL_SECONDS, PagefindService, pagefind_version
from briefgen.search.slices import from_bundle, slice_key

AHEAD_SLICES = 2  # at most this many slices go ahead: an edit, or a briefing renamed
AHEAD_NICENESS = 10  # set back to normal, where allowed, once the search step waits for it

_MAX_FD = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1 << 16
_Bundles = dict[str, dict[str, bytes]]  # slice key -> the bundle Pagefind made of it


class Ahead:
    """Slices being indexed by a forked child (one Pagefind process)."""

    def __init__(
        self, language: str, todo: list[tuple[str, list[Briefing]]], complete: Complete
    ) -> None:
        self.keys = [key for key, _ in todo]
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
            _child(write, language, todo, complete)
        os.close(write)
        with contextlib.suppress(OSError):  # as the child does: its group exists from now
            os.setpgid(pid, pid)
        self.pid: int | None = pid
        self.pipe: int | None = read
        self.cancelled = False

    def cancel(self) -> None:
        """Kill the child and its Pagefind (its own process group), and wait for it."""
        self.cancelled = True
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        self._close()

    def _close(self) -> None:
        if self.pipe is not None:
            os.close(self.pipe)
            self.pipe = None
        if self.pid is not None:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = None

    def result(self, interrupted: Callable[[], bool] | None) -> dict[str, Slice]:
        """The slices, once indexed: key -> slice. Nothing when cancelled or failed (the
        search step indexes them itself, and tells a failure as it would). `interrupted`
        stops the wait as it stops indexing: BuildInterrupted, the child left running."""
        if self.pipe is None:
            return {}
        if self.pid is not None:
            _renice(os.PRIO_PGRP, self.pid, 0)  # the search step waits for it now
        parts = []
        while True:
            if not select.select([self.pipe], [], [], POLL_SECONDS)[0]:
                if interrupted is not None and interrupted():
                    raise BuildInterrupted("search indexing stopped for a newer change")
                continue
            part = os.read(self.pipe, 1 << 20)
            if not part:
                break
            parts.append(part)
        self._close()
        try:
            bundles = msgspec.msgpack.decode(b"".join(parts), type=_Bundles)
        except msgspec.DecodeError:  # the child failed (it wrote nothing whole)
            return {}
        if set(bundles) != set(self.keys):
            return {}
        return {key: from_bundle(files) for key, files in bundles.items()}


def _child(
    pipe: int, language: str, todo: list[tuple[str, list[Briefing]]], complete: Complete
) -> NoReturn:
    """Index `todo`, write the bundles to `pipe`, exit. Any failure: exit with nothing
    written (the search step indexes the slices itself and reports what goes wrong)."""
    status = 1
    try:
        gc.disable()  # a collection would touch, and so copy, every inherited object
        # Only the pipe and stdio: an inherited descriptor would hold what the parent holds
        # after this build (the output's lock, a listening socket) as long as the child runs.
        os.closerange(3, pipe)
        os.closerange(pipe + 1, _MAX_FD)
        with contextlib.suppress(OSError):  # cancel() kills the child and its Pagefind
            os.setpgid(0, 0)
        _renice(os.PRIO_PROCESS, 0, AHEAD_NICENESS)
        bundles: _Bundles = {}
        with PagefindService() as service:
            for key, group in todo:
                records = slice_records(language, [complete(b) for b in group])
                bundles[key] = service.index(language, records)
        with os.fdopen(pipe, "wb") as out:
            out.write(msgspec.msgpack.encode(bundles))
        status = 0
    except BaseException:  # reported by the search step, which indexes the slice again
        pass
    finally:
        os._exit(status)


def _renice(which: int, who: int, niceness: int) -> None:
    with contextlib.suppress(OSError):  # not allowed, or already gone: only slower
        os.setpriority(which, who, niceness)


def start(
    language: str,
    briefings: Sequence[Briefing],
    digests: Mapping[str, str],
    complete: Complete,
    indexed: Mapping[str, Slice],
) -> Ahead | None:
    """Index the slices whose key is not among `indexed` (the last merge's slices), if
    there are a few; None when there are none, too many, or no fork() on this system."""
    if not hasattr(os, "fork") or not hasattr(os, "setpriority"):
        return None
    pagefind = pagefind_version()
    todo = []
    for group in slices(briefings):
        key = slice_key(language, pagefind, [digests[b.slug] for b in group])
        if key not in indexed:
            todo.append((key, group))
    if not todo or len(todo) > AHEAD_SLICES:
        return None
    return Ahead(language, todo, complete)

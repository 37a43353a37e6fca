"""The file watcher of `serve`: watchfiles in a thread, batches of changed paths in a queue.

watchfiles' recursive watch follows symbolic links to folders (and skips link cycles), so a
save in a folder behind a link is a change too; the build it starts finds what changed by
hashing every input (build/warm.py), through the same links."""

from __future__ import annotations

import queue
import sys
import threading
from pathlib import Path

WATCH_STEP_MS = 50  # watchfiles: quiet time that ends a batch
WATCH_MAX_MS = 1600  # watchfiles: longest a batch may grow


class Watcher:
    """Watches `paths` (restartable with others); each batch of changes is put on `changes`."""

    def __init__(self) -> None:
        self.changes: queue.Queue[frozenset[Path]] = queue.Queue()
        self.paths: list[Path] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def restart(self, paths: list[Path]) -> None:
        self.stop()
        self.paths = paths
        if not paths:
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(paths, self._stop), name="briefgen-watch", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self, paths: list[Path], stop: threading.Event) -> None:
        from watchfiles import DefaultFilter, watch

        try:
            for batch in watch(
                *paths,
                watch_filter=DefaultFilter(),
                debounce=WATCH_MAX_MS,
                step=WATCH_STEP_MS,
                stop_event=stop,
                raise_interrupt=False,
            ):
                self.changes.put(frozenset(Path(p) for _, p in batch))
        except Exception as exc:  # a watched folder vanished, say: keep serving, retry later
            if not stop.is_set():
                print(f"briefgen: watching stopped: {exc}", file=sys.stderr, flush=True)
                self.paths = []

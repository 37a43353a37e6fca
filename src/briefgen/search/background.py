"""Work in a thread beside the build's, which the build checks on and can stop.

The search stage's indexing runs this way (build/search_stage.py): Pagefind indexes on the
other core while the pages are rendered. A failure on either side stops the other: the
thread's error is raised in the build's thread at its next check(), and stop() has the
thread give up (its `stopped()` turns true; Pagefind is polled with it) and waits for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """`work(stopped)` run in a thread of its own, started at once."""

    def __init__(self, work: Callable[[Callable[[], bool]], T], name: str) -> None:
        self._work = work
        self._stop = threading.Event()
        self._result: list[T] = []  # its one result, once made
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result.append(self._work(self._stop.is_set))
        except BaseException as exc:  # handed to the build's thread
            self._error = exc

    def check(self) -> None:
        """Raise the thread's error, if it stopped with one."""
        if self._error is not None:  # the thread's last act: it is done with it
            raise self._error

    def result(self) -> T:
        """Wait for the thread; its result, or its error raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result[0]

    def stop(self) -> None:
        """Have the thread give up, and wait until it has (what it made is dropped)."""
        self._stop.set()
        self._thread.join()

"""Work spread over processes, forked after the shared state is built.

Forked workers inherit the parent's memory (settings, the site model, the Jinja environment)
without pickling it; only each chunk's small inputs and results cross the process boundary.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS_PER_JOB = 64  # below this, forking costs more than it saves

_TASK: Callable[[Any], Any] | None = None


def _worker_init() -> None:
    # The inherited heap is frozen (see run); the workers' own garbage is short-lived.
    gc.disable()


def _run_chunk(chunk: Sequence[Any]) -> list[Any]:
    assert _TASK is not None
    return [_TASK(item) for item in chunk]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run(task: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """`[task(i) for i in items]`, in order, over up to `jobs` processes."""
    global _TASK
    jobs = min(jobs, len(items) // MIN_ITEMS_PER_JOB)
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [task(item) for item in items]
    size = max(1, len(items) // (jobs * 4))  # a few chunks per worker evens out the load
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    _TASK = task
    gc.freeze()  # a forked child's collector would touch, and so copy, every inherited object
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_init) as pool:
            results = pool.map(_run_chunk, chunks)
    finally:
        gc.unfreeze()
        _TASK = None
    return [result for chunk in results for result in chunk]

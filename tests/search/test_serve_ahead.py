"""serve's save: the edited slice goes to Pagefind while the page build runs (build/ahead.py),
and the search step after it (pipeline.index_deferred) only merges; the index is a cold
build's whatever happens to the slice that went ahead."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.build.pipeline import BuildOptions, Memory, build, index_deferred
from briefgen.search import service
from tests.support.files import snapshot
from tests.support.search_builds import cold_index
from tests.support.sliced_site import write_briefing, write_sliced_site


def _options(site: Path, out: Path, defer: bool) -> BuildOptions:
    return BuildOptions(site, out, search=True, defer_search=defer, publish_in_place=True)


def _served(tmp_path: Path) -> tuple[Path, Path, Memory]:
    site, out, memory = write_sliced_site(tmp_path / "site"), tmp_path / "out", Memory()
    build(_options(site, out, False), memory)
    return site, out, memory


def _save(site: Path, out: Path, memory: Memory, n: int, text: str) -> None:
    """A save as serve builds it: the pages first, the search index deferred."""
    write_briefing(site, n, extra=f"\n\nAn appended synthetic sentence about {text}.")
    assert not build(_options(site, out, True), memory).unchanged


def _starts(log: Path) -> int:
    return log.read_text().count("start")


def _wait_for(check: Callable[[], bool], timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "not in time"
        time.sleep(0.01)


def test_the_saved_slice_is_indexed_during_the_page_build_and_only_merged_after(
    small_slices: None, pagefind_runs: Path, tmp_path: Path
) -> None:
    site, out, memory = _served(tmp_path)
    pagefind_runs.write_text("")
    _save(site, out, memory, 5, "zeal")
    deferred = memory.deferred
    assert deferred is not None and deferred.ahead is not None  # the edited slice went
    _wait_for(lambda: _starts(pagefind_runs) == 1)  # to Pagefind, from the page build
    assert index_deferred(_options(site, out, False), memory) is not None
    assert _starts(pagefind_runs) == 1  # that one: the search step started no Pagefind
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)


def test_a_newer_save_cancels_the_slice_that_went_ahead(
    small_slices: None, pagefind_runs: Path, tmp_path: Path
) -> None:
    site, out, memory = _served(tmp_path)
    _save(site, out, memory, 5, "zeal")
    first = memory.deferred
    assert first is not None and first.ahead is not None
    _save(site, out, memory, 9, "vigour")
    assert first.ahead.cancelled and first.ahead.pid is None  # killed, and waited for
    assert index_deferred(_options(site, out, False), memory) is not None
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)


def test_a_slice_that_failed_ahead_is_indexed_by_the_search_step(
    small_slices: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, out, memory = _served(tmp_path)
    tried = tmp_path / "failing-pagefind.log"
    failing = tmp_path / "pagefind-failing"
    failing.write_text(f'#!/bin/sh\necho tried >> "{tried}"\nexit 3\n')
    failing.chmod(0o755)
    with monkeypatch.context() as patched:
        patched.setattr(service, "_pagefind_binary", lambda: failing)
        _save(site, out, memory, 5, "zeal")
    deferred = memory.deferred
    assert deferred is not None and deferred.ahead is not None
    assert index_deferred(_options(site, out, False), memory) is not None
    assert tried.read_text() == "tried\n"  # it went ahead, and failed
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)

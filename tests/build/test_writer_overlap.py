"""The search stage beside the pages (build/search_stage.py): after an edit that changes a few
search slices, Pagefind indexes them while the pages are rendered; a failure on either side
stops the other, leaves the output as it was, and leaves no Pagefind process or thread
behind; the output after edits is a cold build's."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from briefgen.build import output, parallel
from briefgen.build.cache import CACHE_DIR
from briefgen.build.pipeline import BuildOptions, Memory, build
from briefgen.diagnostics import BuildInterrupted, SearchIndexError
from briefgen.search import service, slices
from tests.support.files import snapshot
from tests.support.sites import SITE
from tests.support.sliced_site import write_briefing, write_sliced_site

SEARCH_THREAD = "briefgen-search"  # search_stage.py's indexing thread


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sliced site (slices of two briefings: eight of them), built once, cold, with the
    real Pagefind, into site/out."""
    monkeypatch.setattr(slices, "SLICE_BRIEFINGS", 2)
    root = write_sliced_site(tmp_path / "site")
    build(BuildOptions(root, root / "out", jobs=1))
    return root


@pytest.fixture(autouse=True)
def no_fake_pagefind_left(tmp_path: Path) -> Iterator[None]:
    """Should a test fail with a fake Pagefind still running, it is ended (else the stuck
    indexing thread would keep pytest from exiting)."""
    yield
    pids = tmp_path / "pagefind.pids"
    for pid in map(int, pids.read_text().split() if pids.exists() else []):
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def edit_every_page_and_one_slice(root: Path, n: int = 5) -> None:
    """A new site title (every page is rendered again, no search record changes) and one
    briefing's body (its slice is indexed again, the others merged as they were)."""
    (root / "content/site.yaml").write_text(SITE.replace("Synthetic Site", f"Synthetic Site {n}"))
    write_briefing(root, n, extra=f"\n\nAn appended synthetic sentence, zeal {n}.")


def fake_pagefind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """Pagefind's lookup gives this shell script; it writes its pid to the file returned."""
    pids = tmp_path / "pagefind.pids"
    binary = tmp_path / "pagefind-fake"
    binary.write_text(f'#!/bin/sh\necho $$ >> "{pids}"\n{script}\n')
    binary.chmod(0o755)
    monkeypatch.setattr(service, "_pagefind_binary", lambda: binary)
    return pids


def real_pagefind_logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    real = service._pagefind_binary()
    return fake_pagefind(tmp_path, monkeypatch, f'exec "{real}" "$@"')


def children() -> list[int]:
    """This process's live child processes (the build's Pagefind processes among them)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # gone meanwhile
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == os.getpid() and state != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class Staged:
    """The pages the writer staged (their HTML files), and what `first` did at the first."""

    pages: list[str] = field(default_factory=list)
    saw_search_thread: bool = False


@pytest.fixture
def staged(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Callable[[], None]], Staged]]:
    """Watch the writer stage its pages (the real staging, observed): `first` is called
    when the first page is staged, before that page is."""

    def watch(first: Callable[[], None]) -> Staged:
        seen = Staged()
        real = output.stage_if_changed

        def stage(staging: Path, name: str, *rest: object) -> tuple[str, str, bool]:
            if name.endswith(".html") and not name.startswith("pagefind/"):
                if not seen.pages:
                    seen.saw_search_thread = bool(search_threads())
                    seen.pages.append(name)
                    first()
                else:
                    seen.pages.append(name)
            return real(staging, name, *rest)  # type: ignore[arg-type]

        monkeypatch.setattr(output, "stage_if_changed", stage)
        return seen

    yield watch


def wait_for_start(pids: Path) -> None:
    """Until the fake Pagefind has written its pid."""
    deadline = time.monotonic() + 60
    while not (pids.exists() and pids.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.01)


def search_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == SEARCH_THREAD]


def wait_for_search_thread() -> None:
    for thread in search_threads():
        thread.join()


def test_a_pagefind_failure_while_pages_render_stops_the_pages(
    site: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    staged: Callable[[Callable[[], None]], Staged],
) -> None:
    out = site / "out"
    before, threads, running = snapshot(out), set(threading.enumerate()), set(children())
    edit_every_page_and_one_slice(site)
    # A Pagefind that fails once the first page is rendered, which waits until it has.
    go = tmp_path / "go"
    pids = fake_pagefind(tmp_path, monkeypatch, f'until [ -e "{go}" ]; do sleep 0.01; done; exit 3')

    def fail_pagefind() -> None:
        go.touch()
        wait_for_search_thread()

    seen = staged(fail_pagefind)
    with pytest.raises(SearchIndexError, match="Pagefind stopped unexpectedly"):
        build(BuildOptions(site, out, jobs=1))
    assert seen.saw_search_thread  # Pagefind was indexing while the pages were rendered
    assert len(seen.pages) == 1  # and its failure stopped them
    assert snapshot(out) == before
    assert len(pids.read_text().split()) == 1
    assert set(children()) <= running  # (other tests' servers may run)
    assert set(threading.enumerate()) == threads


def test_a_page_failure_while_pagefind_runs_stops_pagefind(
    site: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    staged: Callable[[Callable[[], None]], Staged],
) -> None:
    out = site / "out"
    before, threads, running = snapshot(out), set(threading.enumerate()), set(children())
    edit_every_page_and_one_slice(site)
    # A Pagefind that never answers: only being stopped ends it.
    pids = fake_pagefind(tmp_path, monkeypatch, "exec sleep 600")

    def fail_once_pagefind_runs() -> None:
        wait_for_start(pids)
        raise OSError(28, "No space left on device (synthetic)")

    seen = staged(fail_once_pagefind_runs)
    with pytest.raises(OSError, match="synthetic"):
        build(BuildOptions(site, out, jobs=1))
    assert seen.saw_search_thread
    (pid,) = map(int, pids.read_text().split())
    assert not alive(pid)
    assert set(children()) <= running  # (other tests' servers may run)
    assert set(threading.enumerate()) == threads
    assert snapshot(out) == before


def test_a_save_stops_indexing_and_pages_and_the_next_build_is_a_cold_builds(
    site: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    staged: Callable[[Callable[[], None]], Staged],
) -> None:
    """serve's `interrupted` (a newer save waits) stops the indexing, which stops the pages:
    BuildInterrupted, output untouched; the next build (same memory) makes a cold build's."""
    out, memory = site / "out", Memory()
    build(BuildOptions(site, out, jobs=1), memory)  # serve's first build: memory filled
    before, threads, running = snapshot(out), set(threading.enumerate()), set(children())
    edit_every_page_and_one_slice(site)
    # The real Pagefind, started once `go` is there: busy, as far as the build can tell.
    go = tmp_path / "go"
    real = service._pagefind_binary()
    script = f'until [ -e "{go}" ]; do sleep 0.01; done; exec "{real}" "$@"'
    pids = fake_pagefind(tmp_path, monkeypatch, script)
    saved = threading.Event()

    def save() -> None:  # a newer save, while the first page is rendered
        wait_for_start(pids)
        saved.set()
        wait_for_search_thread()

    seen = staged(save)
    with pytest.raises(BuildInterrupted):
        build(BuildOptions(site, out, jobs=1), memory, interrupted=saved.is_set)
    assert seen.saw_search_thread and len(seen.pages) == 1
    (pid,) = map(int, pids.read_text().split())
    assert not alive(pid)
    assert set(children()) <= running  # (other tests' servers may run)
    assert set(threading.enumerate()) == threads
    assert snapshot(out) == before
    go.touch()
    build(BuildOptions(site, out, jobs=1), memory)
    assert snapshot(out) == cold(site, tmp_path)


def test_edits_indexed_beside_the_pages_give_a_cold_builds_output(
    site: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    staged: Callable[[Callable[[], None]], Staged],
) -> None:
    out, memory = site / "out", Memory()
    pids = real_pagefind_logged(tmp_path, monkeypatch)
    for n, kept in ((3, memory), (8, memory), (11, None)):  # a long-lived caller, then not
        pids.write_text("")
        edit_every_page_and_one_slice(site, n)
        seen = staged(lambda: None)
        build(BuildOptions(site, out), kept)  # all cores
        assert seen.saw_search_thread, n
        assert len(pids.read_text().split()) == 1, n  # the edited slice only
        assert snapshot(out) == cold(site, tmp_path, f"cold-{n}"), n


def cold(root: Path, tmp_path: Path, name: str = "cold") -> dict[str, bytes]:
    """A fresh build of a copy of the site, without its cache or output."""
    fresh = tmp_path / name
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(CACHE_DIR, "out"))
    build(BuildOptions(fresh, fresh / "out", jobs=1))
    return snapshot(fresh / "out")


def test_pagefind_beside_forked_page_workers_gives_a_cold_builds_output(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page workers, forked while Pagefind indexes, hold a copy of its input pipe: it
    sees no end of its input while they live. Here it is done while they are: it is waited
    for a while (service.EXIT_SECONDS), then ended, and what it made is used."""
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_JOB", 2)  # this small site's pages forked
    monkeypatch.setattr(service, "EXIT_SECONDS", 0.5)
    go = tmp_path / "go"
    real = service._pagefind_binary()
    script = f'until [ -e "{go}" ]; do sleep 0.01; done; exec "{real}" "$@"'
    pids = fake_pagefind(tmp_path, monkeypatch, script)  # the real one, once `go` is there
    workers: list[int] = []
    real_run = parallel.run_unordered
    before = set(children())  # the session's own (a test server, say): not the build's

    def run(*args: Any, **kwargs: Any) -> Iterator[tuple[int, Any]]:
        for index, result in real_run(*args, **kwargs):
            if not workers and search_threads():  # a first page back: the workers are there
                wait_for_start(pids)
                pagefind = {int(p) for p in pids.read_text().split()}
                workers.extend(set(children()) - pagefind - before)
                go.touch()
                wait_for_search_thread()  # Pagefind done, and ended
            yield index, result

    monkeypatch.setattr(parallel, "run_unordered", run)
    out = site / "out"
    edit_every_page_and_one_slice(site)
    build(BuildOptions(site, out, jobs=2))
    assert len(workers) == 2
    assert snapshot(out) == cold(site, tmp_path)


def test_a_pagefind_that_lingers_once_done_is_ended_not_an_error(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every reply read, Pagefind is waited for a while, then ended: what it made is used."""
    real = service._pagefind_binary()
    pids = fake_pagefind(tmp_path, monkeypatch, f'"{real}" "$@"; exec sleep 600')
    monkeypatch.setattr(service, "EXIT_SECONDS", 0.2)
    out = site / "out"
    write_briefing(site, 5, extra="\n\nAn appended synthetic sentence, zeal.")
    build(BuildOptions(site, out, jobs=1))
    (pid,) = map(int, pids.read_text().split())
    assert not alive(pid)
    assert snapshot(out) == cold(site, tmp_path)

"""The rebuild session in-process, with the file system misbehaving the way editors and
permissions make it: a file deleted between the build's listing and its reading (an editor's
rename-on-save), and a file the build may not read. No traceback; the last good site stays."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

from briefgen.build.inputs import FileHashes
from briefgen.console import Console
from briefgen.serve.http import App
from briefgen.serve.session import Session, WarmRebuild
from tests.support.served import BRIEFING_FILE, BRIEFING_PATH, append_paragraph
from tests.support.sites import BRIEFING, briefing, write_site


class EditorHashes(FileHashes):
    """Hashes files like the build does; meanwhile an editor deletes its scratch file `victim`
    right after the build listed it, and the OS refuses to read `locked` files."""

    def __init__(self, victim: Path) -> None:
        super().__init__()
        self.victim = victim
        self.locked: set[Path] = set()

    def of(self, path: Path | str) -> bytes:
        path = Path(path)  # the build passes names as text
        if path == self.victim:
            path.unlink()
        if path in self.locked:
            raise PermissionError(13, "Permission denied", str(path))
        return super().of(path)


def session_for(site: Path, tmp_path: Path, hashes: FileHashes) -> tuple[Session, io.StringIO]:
    err = io.StringIO()
    app = App(tmp_path / "out" / "site", "/")
    console = Console(err=err, out=io.StringIO(), colour=False)
    rebuild = WarmRebuild(hashes)
    session = Session(site, app, "http://127.0.0.1:8000", console, rebuild)
    session.search = False  # the search index is not what these tests are about
    return session, err


def page(session: Session) -> str:
    return (session.app.root / BRIEFING_PATH / "index.html").read_text(encoding="utf-8")


def test_a_file_deleted_between_listing_and_reading_is_built_without_it(
    demo_site: Path, tmp_path: Path
) -> None:
    scratch = demo_site / "content" / "briefings" / "4913"  # vim's write-permission probe
    hashes = EditorHashes(scratch)
    session, err = session_for(demo_site, tmp_path, hashes)
    assert session.build(None)

    append_paragraph(demo_site / BRIEFING_FILE, "Saved by an editor, synthetic marker 2b7e.")
    scratch.write_text("probe")
    assert session.build(frozenset({demo_site / BRIEFING_FILE, scratch}))

    assert not scratch.exists()  # the race happened
    assert "synthetic marker 2b7e" in page(session)
    assert "Traceback" not in err.getvalue(), err.getvalue()
    assert "error" not in err.getvalue(), err.getvalue()
    assert session.app.state.snapshot().problems == ()


def test_an_unreadable_file_is_an_error_at_it_and_the_last_good_site_stays(
    demo_site: Path, tmp_path: Path
) -> None:
    briefing = demo_site / BRIEFING_FILE
    hashes = EditorHashes(demo_site / "no-such-victim")
    session, err = session_for(demo_site, tmp_path, hashes)
    assert session.build(None)
    good, good_id = page(session), session.app.state.snapshot().good

    append_paragraph(briefing, "Not readable yet, synthetic marker 6d0a.")
    hashes.locked.add(briefing)
    assert not session.build(frozenset({briefing}))

    output = err.getvalue()
    assert "Traceback" not in output, output
    assert f"{BRIEFING_FILE}:1:1: error: Permission denied" in output, output
    assert "still serving the last good build" in output
    snap = session.app.state.snapshot()
    assert snap.good == good_id and snap.problems[0]["path"] == BRIEFING_FILE
    assert page(session) == good

    hashes.locked.clear()
    assert session.build(frozenset({briefing}))
    assert "synthetic marker 6d0a" in page(session)
    assert session.app.state.snapshot().problems == ()


def test_a_save_is_published_in_place(tmp_path: Path) -> None:
    """serve's output is its own: a save moves in the files it changed, each by one rename,
    into the same folder; files it did not change stay the very same files."""
    site = write_site(tmp_path / "site")
    session, err = session_for(site, tmp_path, FileHashes())
    assert session.build(None)
    root = session.app.root
    before = {p: p.stat().st_ino for p in root.rglob("*") if p.is_file()}
    folder = root.stat().st_ino

    (site / BRIEFING).write_text(briefing("A saved synthetic body, marker 5d1c."))
    assert session.build(frozenset({site / BRIEFING}))

    page = root / "briefings/2024-01-02-synthetic/index.html"
    assert "marker 5d1c" in page.read_text(encoding="utf-8")
    assert root.stat().st_ino == folder  # no new tree swapped in
    kept = [p for p in before if p.stat().st_ino == before[p]]
    assert page not in kept and kept  # the page moved in; the files it did not change stayed
    assert sorted(os.listdir(root.parent)) == ["site"]  # nothing staged is left beside it
    assert "error" not in err.getvalue(), err.getvalue()


class CountingHashes(FileHashes):
    """Hashes files like the build does, and counts the files it is asked about."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def of(self, path: Path | str) -> bytes:
        self.asked += 1
        return super().of(path)


def test_a_save_is_indexed_for_search_from_its_page_build(demo_site: Path, tmp_path: Path) -> None:
    """After a save's page build, the search step reads no input again (no second build),
    and the served index has the saved words."""
    hashes = CountingHashes()
    session, err = session_for(demo_site, tmp_path, hashes)
    session.search = True
    assert session.build(None)
    append_paragraph(demo_site / BRIEFING_FILE, "A synthetic zyxwvutsonic paragraph.")
    assert session.build(frozenset({demo_site / BRIEFING_FILE}))
    assert session.search_stale
    hashes.asked = 0
    session.index_search(lambda: False)
    assert not session.search_stale
    assert hashes.asked == 0  # no input read again: the page build's work was taken up
    fragments = (session.app.root / "pagefind" / "fragment").glob("*.pf_fragment")
    text = "".join(gzip.decompress(f.read_bytes()).decode("utf-8") for f in fragments)
    assert "zyxwvutsonic" in text
    assert "Traceback" not in err.getvalue() and "error" not in err.getvalue(), err.getvalue()


def test_a_stop_signal_python_swallowed_still_stops_the_loop(tmp_path: Path) -> None:
    """The KeyboardInterrupt a signal raises can land where Python only prints "Exception
    ignored" (a weakref callback): serve's loop stops on the signal all the same."""
    import contextlib
    import signal
    import threading

    from briefgen.serve.server import _interrupts_as_keyboard
    from briefgen.serve.watch import Watcher

    site = write_site(tmp_path / "site", briefing("Synthetic text of the stop test."))
    session, _ = session_for(site, tmp_path, FileHashes())
    session.build(None)
    watcher = Watcher()
    watcher.restart(session.watch_paths())
    stopped = threading.Event()
    try:
        with _interrupts_as_keyboard() as stop_requested:
            with contextlib.suppress(KeyboardInterrupt):  # swallowed, as in a weakref callback
                signal.raise_signal(signal.SIGINT)

            def loop() -> None:
                try:
                    session.loop(watcher, stop_requested.is_set)
                except KeyboardInterrupt:
                    stopped.set()

            looping = threading.Thread(target=loop, daemon=True)  # so a loop that never
            looping.start()  # stops fails the test instead of hanging it
            looping.join(timeout=30)
    finally:
        watcher.stop()
    assert stopped.is_set()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back

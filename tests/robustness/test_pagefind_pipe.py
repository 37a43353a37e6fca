"""The Pagefind service wrapper survives a Pagefind that stops reading or exits early."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.diagnostics import SearchIndexError
from briefgen.search import service as pagefind
from tests.support.sites import BRIEFING, briefing, snapshot, write_site


def _fake(tmp_path: Path, script: str) -> Path:
    binary = tmp_path / "pagefind-fake"
    binary.write_text("#!/bin/sh\n" + script)
    binary.chmod(0o755)
    return binary


def test_a_pagefind_that_closed_its_input_is_a_search_error_not_a_broken_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = tmp_path / "closed"
    fake = _fake(tmp_path, f"exec 0<&-\ntouch {closed}\nsleep 10\n")
    monkeypatch.setattr(pagefind, "_pagefind_binary", lambda: fake)
    with (
        pytest.raises(SearchIndexError, match="Pagefind stopped"),
        pagefind.PagefindService() as service,
    ):
        deadline = time.monotonic() + 30
        while not closed.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert closed.exists()
        service.call({"type": "NewIndex", "config": {}})


def test_a_pagefind_that_exits_at_once_fails_the_build_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site = write_site(tmp_path / "site")
    assert main(["build", str(site), "-q"]) == 0
    before = snapshot(site / "site")
    (site / BRIEFING).write_text(briefing("Changed."))
    monkeypatch.setattr(pagefind, "_pagefind_binary", lambda: _fake(tmp_path, "exit 0\n"))
    for _ in range(5):  # the pipe breaks at a different moment each time
        assert main(["build", str(site)]) == 2
        err = capsys.readouterr().err
        assert "Pagefind" in err and "Traceback" not in err
        assert snapshot(site / "site") == before


def test_a_missing_pagefind_is_a_search_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagefind, "_pagefind_binary", lambda: tmp_path / "no-such-pagefind")
    with pytest.raises(SearchIndexError, match="cannot run Pagefind"):
        pagefind.PagefindService().__enter__()

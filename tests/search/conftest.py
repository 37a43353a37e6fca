"""Fixtures of the sliced search index's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.search import bundle, fragments, service, slices


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices of about two briefings: the 14-briefing fixture makes eight."""
    monkeypatch.setattr(slices, "SLICE_BRIEFINGS", 2)


@pytest.fixture
def pagefind_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real Pagefind, behind a script that logs each start (one per indexing worker)."""
    log = tmp_path / "pagefind-starts.log"
    real = service._pagefind_binary()
    wrapper = tmp_path / "pagefind-logged"
    wrapper.write_text(f'#!/bin/sh\necho start >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setattr(service, "_pagefind_binary", lambda: wrapper)
    log.write_text("")
    return log


@pytest.fixture
def colliding_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The merge names fragments by runs, each run by a 7-hex-digit prefix; at tens of
    thousands of records two runs now and then have the same one, and the later takes a
    longer prefix. Here short prefixes are empty: the first run of the merged bundle has
    the short one, every other run collides with it and has the long one."""
    monkeypatch.setattr(fragments, "SHORT", 0)


@pytest.fixture
def compressed_chunks(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The word-index chunks compressed since the fixture started (the real compressor,
    watched): their uncompressed bytes, in order."""
    seen: list[bytes] = []
    real = bundle.compress

    def compress(raw: bytes) -> bytes:
        if raw.startswith(bundle.SIGNATURE + b"\x81"):  # [[word, ...]]: a chunk
            seen.append(raw)
        return real(raw)

    monkeypatch.setattr(bundle, "compress", compress)
    return seen


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Word-index chunks a tenth of Pagefind's size: the fixture site's index then has a
    dozen or more, most of which one edit leaves as they were."""
    monkeypatch.setattr(bundle, "CHUNK_SIZE", bundle.CHUNK_SIZE // 10)

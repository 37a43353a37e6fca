"""Fixtures of the sliced search index's tests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from briefgen.search import bundle, service, slices
from briefgen.search.records import CustomRecord, HtmlRecord


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
def colliding_fragments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind names a fragment by 7 hex digits of a hash, so at tens of thousands of records
    two slices now and then hold different fragments under one name. Here each slice names its
    fragments en_0, en_1, ... (its pages in order): every slice collides with the others."""
    real = service.PagefindService.index

    def index(
        self: service.PagefindService,
        language: str,
        records: Iterable[HtmlRecord | CustomRecord],
    ) -> dict[str, bytes]:
        return numbered_fragments(real(self, language, records))

    monkeypatch.setattr(service.PagefindService, "index", index)


def numbered_fragments(files: dict[str, bytes]) -> dict[str, bytes]:
    entry = json.loads(files[bundle.ENTRY])
    for info in entry["languages"].values():
        name = bundle.meta_name(info["hash"])
        meta = bundle.Meta.decode(files[name], name)
        for number, page in enumerate(meta.pages):
            data = files.pop(f"fragment/{page[0]}.pf_fragment")
            page[0] = f"en_{number}"
            files[f"fragment/{page[0]}.pf_fragment"] = data
        files[name] = bundle.encode(meta.cbor())[0]
    return files


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

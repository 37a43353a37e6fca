"""The edit path of the sliced search index: what an edit reuses from the last build (stored
slices, fragments under either of their names, unchanged word-index chunks) gives exactly a
cold build's index."""

from __future__ import annotations

import shutil
from pathlib import Path

import cbor2
import pytest

from briefgen.build import pipeline
from briefgen.build.pipeline import BuildOptions, Memory
from briefgen.search import index, slices
from briefgen.search.fragments import LONG
from tests.support.files import snapshot
from tests.support.search_builds import STORE, build, cold_index, slice_files, stored
from tests.support.sliced_site import briefing_file, write_briefing, write_sliced_site


def fragments(out: Path) -> dict[str, bytes]:
    return {
        name: data
        for name, data in snapshot(out / "pagefind").items()
        if name.startswith("fragment/")
    }


def long_named(out: Path) -> list[str]:
    """The fragments whose run took the long prefix (see the fixture colliding_runs)."""
    return [n for n in fragments(out) if len(n) == len("fragment/.pf_fragment") + LONG + 1]


def test_slices_whose_runs_took_long_names_are_still_reused(
    small_slices: None, colliding_runs: None, pagefind_runs: Path, tmp_path: Path
) -> None:
    site = write_sliced_site(tmp_path / "site")
    build(site, tmp_path / "out")
    assert len(long_named(tmp_path / "out")) > len(fragments(tmp_path / "out")) // 2
    before = stored(site)
    pagefind_runs.write_text("")
    write_briefing(site, 5, extra="\n\nAn appended synthetic sentence about zeal.")
    build(site, tmp_path / "out")
    assert pagefind_runs.read_text().count("start") == 1  # the edited slice only
    assert len(set(before) - set(stored(site))) == 1
    assert snapshot(tmp_path / "out" / "pagefind") == cold_index(site, tmp_path)


def first_slice(site: Path) -> dict[Path, str]:
    """The source files of the briefings of the merged bundle's first slice: their text."""
    prepared = pipeline.prepare(BuildOptions(site))
    first = index.slices(prepared.site.briefings)[0]
    files = [site / "content" / "briefings" / Path(b.source_path).name for b in first]
    return {f: f.read_text() for f in files}


def test_a_fragment_that_changes_name_is_taken_from_the_output(
    small_slices: None, colliding_runs: None, pagefind_runs: Path, tmp_path: Path
) -> None:
    """The first slice's first run has the short names: without that slice, the next
    slice's first run has them, and with it again the long ones. That slice is not indexed
    again, so the bytes of its renamed fragments come from the output."""
    site = write_sliced_site(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    removed = first_slice(site)
    for step in ("without", "with"):
        previous = fragments(out)
        for file, text in removed.items():
            if step == "without":
                file.unlink()
            else:
                file.write_text(text)
        pagefind_runs.write_text("")
        build(site, out)
        now = fragments(out)
        moved = [
            n for n, data in now.items() if previous.get(n) != data and data in previous.values()
        ]
        assert moved, step  # the case this test is about happened
        assert pagefind_runs.read_text().count("start") <= 1, step
        assert snapshot(out / "pagefind") == cold_index(site, tmp_path, f"cold-{step}"), step


def chunk_files(out: Path) -> dict[str, bytes]:
    return {n: d for n, d in snapshot(out / "pagefind").items() if n.startswith("index/")}


def test_an_edit_compresses_only_the_chunks_it_changes(
    small_slices: None, small_chunks: None, compressed_chunks: list[bytes], tmp_path: Path
) -> None:
    site = write_sliced_site(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    before = chunk_files(out)
    assert len(compressed_chunks) == len(before) >= 3
    compressed_chunks.clear()
    write_briefing(site, 5, extra="\n\nSynthetic.")  # a word more: one chunk or two change
    build(site, out)
    after = chunk_files(out)
    changed = set(after) - set(before)
    assert 1 <= len(compressed_chunks) == len(changed) < len(after)
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)


def test_a_chunk_the_output_no_longer_has_is_compressed_again(
    small_slices: None, small_chunks: None, compressed_chunks: list[bytes], tmp_path: Path
) -> None:
    """The stored list of chunks may be older than the output (a build stopped after
    storing it, a cache copied from elsewhere): a chunk it names that the output lost is
    made again."""
    site = write_sliced_site(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    old_list = (site / STORE / slices.CHUNKS).read_bytes()
    original = briefing_file(site, 5).read_text()
    write_briefing(site, 5, extra="\n\nSynthetic.")
    build(site, out)
    (site / STORE / slices.CHUNKS).write_bytes(old_list)  # lists the chunks before the edit
    briefing_file(site, 5).write_text(original)
    compressed_chunks.clear()
    build(site, out)
    assert 1 <= len(compressed_chunks) < len(chunk_files(out))
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "other-compressor", "wrong-digests"])
def test_a_damaged_list_of_chunks_only_costs_compressing_them_again(
    small_slices: None,
    small_chunks: None,
    compressed_chunks: list[bytes],
    tmp_path: Path,
    damage: str,
) -> None:
    site = write_sliced_site(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    (site / STORE / slices.MERGED).unlink()  # a full merge, which reads the list
    path = site / STORE / slices.CHUNKS
    stored_list = cbor2.loads(path.read_bytes())
    if damage == "garbage":
        path.write_bytes(b"\x00 not cbor")
    elif damage == "other-compressor":
        path.write_bytes(cbor2.dumps({**stored_list, "compressor": "another compressor"}))
    else:
        chunks = {content: "0" * 64 for content in stored_list["chunks"]}
        path.write_bytes(cbor2.dumps({**stored_list, "chunks": chunks}))
    compressed_chunks.clear()
    write_briefing(site, 5, extra="\n\nSynthetic.")
    build(site, out)
    assert len(compressed_chunks) == len(chunk_files(out))  # none was taken as unchanged
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)


def test_serve_keeps_the_slices_in_memory_and_indexes_a_changed_one_again(
    small_slices: None, pagefind_runs: Path, tmp_path: Path
) -> None:
    site, out, memory = served(tmp_path)
    assert len(memory.search_slices) == len(stored(site)) >= 6
    for path in slice_files(site):  # the store cannot help: what is used comes from memory
        path.write_bytes(b"")
    pagefind_runs.write_text("")
    write_briefing(site, 5, extra="\n\nAn appended synthetic sentence about zeal.")
    warm_build(site, out, memory)
    assert pagefind_runs.read_text().count("start") == 1  # the edited slice only
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)


def test_slices_in_memory_are_not_used_when_the_output_lost_their_files(
    small_slices: None, pagefind_runs: Path, tmp_path: Path
) -> None:
    site, out, memory = served(tmp_path)
    shutil.rmtree(out)
    shutil.rmtree(site / STORE)
    pagefind_runs.write_text("")
    warm_build(site, out, memory)
    assert pagefind_runs.read_text().count("start") >= 1
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)


def served(tmp_path: Path) -> tuple[Path, Path, Memory]:
    """A sliced site built once as serve builds it: (site, output, serve's memory)."""
    site, out, memory = write_sliced_site(tmp_path / "site"), tmp_path / "out", Memory()
    warm_build(site, out, memory)
    return site, out, memory


def warm_build(site: Path, out: Path, memory: Memory) -> None:
    """A build as serve makes it, with what the last one left in `memory`."""
    assert not pipeline.build(BuildOptions(site, out, search=True), memory).unchanged

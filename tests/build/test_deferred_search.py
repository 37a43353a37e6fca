"""serve's search step (pipeline.index_deferred): after a build that published its pages and
deferred the search index, the index is made from what that build prepared, with no second
build, and the output is then exactly a cold build's."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from briefgen.build.cache import CACHE_DIR
from briefgen.build.pipeline import BuildOptions, Memory, build, index_deferred
from briefgen.diagnostics import BuildInterrupted
from tests.support.files import snapshot

BRIEFING = "content/briefings/2024-07-04-putin-ceasefire-impossible.md"


def cold(site: Path, tmp_path: Path, name: str) -> dict[str, bytes]:
    """A fresh build (with search) from a copy of the site: no cache, no previous output."""
    fresh = tmp_path / f"fresh-{name}"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(CACHE_DIR, "out"))
    build(BuildOptions(fresh, fresh / "out", search=True, jobs=1))
    return snapshot(fresh / "out")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _options(site: Path, defer: bool) -> BuildOptions:
    out = site / "out"
    return BuildOptions(site, out, search=True, jobs=1, defer_search=defer, publish_in_place=True)


def _served(site: Path) -> Memory:
    """A site built once as serve builds it; serve's memory."""
    memory = Memory()
    build(_options(site, False), memory)
    return memory


def _index(output: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in output.items() if name.startswith("pagefind/")}


def test_the_index_is_made_from_the_page_build_and_equals_a_cold_build(
    demo_site: Path, tmp_path: Path
) -> None:
    memory = _served(demo_site)
    before = snapshot(demo_site / "out")
    edit(demo_site / BRIEFING, "    summary: ", "    summary: Edited. ")
    assert not build(_options(demo_site, True), memory).unchanged
    assert _index(snapshot(demo_site / "out")) == _index(before)  # deferred: pages only
    assert index_deferred(_options(demo_site, False), memory) is not None
    assert snapshot(demo_site / "out") == cold(demo_site, tmp_path, "deferred")
    assert memory.deferred is None
    assert build(_options(demo_site, False), memory).unchanged  # its manifest says so too


def test_the_index_is_that_of_the_pages_published_not_a_second_build(
    demo_site: Path, tmp_path: Path
) -> None:
    """A save the watcher has not reported yet is left to its own build: the index made
    now is that of the pages on show, which a second whole build would not give."""
    memory = _served(demo_site)
    edit(demo_site / BRIEFING, "    summary: ", "    summary: Edited. ")
    build(_options(demo_site, True), memory)
    shown = cold(demo_site, tmp_path, "shown")
    edit(demo_site / BRIEFING, "Russia cannot declare", "Russia cannot  declare")
    assert index_deferred(_options(demo_site, False), memory) is not None
    assert snapshot(demo_site / "out") == shown

    assert not build(_options(demo_site, True), memory).unchanged  # the unreported save
    assert index_deferred(_options(demo_site, False), memory) is not None
    assert snapshot(demo_site / "out") == cold(demo_site, tmp_path, "saved")


def test_a_save_during_indexing_stops_it_and_indexing_is_taken_up_again(
    demo_site: Path, tmp_path: Path
) -> None:
    memory = _served(demo_site)
    edit(demo_site / BRIEFING, "    summary: ", "    summary: Edited. ")
    build(_options(demo_site, True), memory)
    published = snapshot(demo_site / "out")
    polls: list[int] = []

    def interrupted() -> bool:  # "a newer save arrived", once Pagefind is busy
        polls.append(1)
        return len(polls) > 1

    with pytest.raises(BuildInterrupted):
        index_deferred(_options(demo_site, False), memory, interrupted)
    with pytest.raises(BuildInterrupted):  # one waiting already: nothing started
        index_deferred(_options(demo_site, False), memory, lambda: True)
    assert snapshot(demo_site / "out") == published
    assert not list(demo_site.glob(".out.new-*"))  # no staging left behind
    assert index_deferred(_options(demo_site, False), memory) is not None
    assert snapshot(demo_site / "out") == cold(demo_site, tmp_path, "again")


def test_nothing_is_taken_up_once_the_output_or_the_options_changed(demo_site: Path) -> None:
    memory = _served(demo_site)
    edit(demo_site / BRIEFING, "    summary: ", "    summary: Edited. ")
    build(_options(demo_site, True), memory)
    other = dataclasses.replace(_options(demo_site, False), base_url="https://example.invalid/")
    assert index_deferred(other, memory) is None
    deferred = memory.deferred
    build(_options(demo_site, False))  # another build into the same output
    memory.deferred = deferred
    assert index_deferred(_options(demo_site, False), memory) is None

"""Builds after an edit give Pagefind the edited briefings' records only, spliced into their
slice (resplice.py), and exactly a cold build's index; whatever cannot be spliced (notes
added or removed, a meta field new to the slice, a damaged store) is indexed whole."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from briefgen.build import pipeline
from briefgen.build.pipeline import BuildOptions
from briefgen.build.warm import WarmRebuild
from briefgen.search import index, service, slices
from briefgen.search.records import CustomRecord, HtmlRecord
from tests.support.files import snapshot
from tests.support.search_builds import STORE, build, cold_index
from tests.support.sliced_site import briefing_file, write_briefing, write_sliced_site


@pytest.fixture
def received(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The URLs of the records of each index Pagefind made since (the real service, with a
    thin wrapper that notes what it is given)."""
    seen: list[list[str]] = []
    real = service.PagefindService.index

    def noted(
        self: service.PagefindService,
        language: str,
        records: Iterable[HtmlRecord | CustomRecord],
    ) -> dict[str, bytes]:
        records = list(records)
        seen.append([r.url for r in records])
        return real(self, language, records)

    monkeypatch.setattr(service.PagefindService, "index", noted)
    return seen


def groups(site: Path) -> list[list[int]]:
    """The numbers of the fixture's briefings (tests/support/sliced_site.py), slice by slice."""
    prepared = pipeline.prepare(BuildOptions(site))
    return [
        [int(b.slug.rsplit("-", 1)[1]) for b in group]
        for group in index.slices(prepared.site.briefings)
    ]


def urls_of(site: Path, numbers: list[int]) -> list[str]:
    """The URLs of the records of these briefings: page and notes."""
    prepared = pipeline.prepare(BuildOptions(site))
    chosen = [b for b in prepared.site.briefings if int(b.slug.rsplit("-", 1)[1]) in numbers]
    pages, notes = index.records_of("en", [prepared.complete(b) for b in chosen])
    return [r.url for r in (*pages, *notes)]


def edit_note(site: Path, n: int) -> None:
    path = briefing_file(site, n)
    text = path.read_text()
    path.write_text(text.replace(f"note: Synthetic note {n}.0 about", f"note: Revised {n}.0 on"))


def annotated_pair(site: Path) -> list[int]:
    """Two briefings with annotations in one slice."""
    for group in groups(site):
        annotated = [n for n in group if n % 5 != 3]
        if len(annotated) >= 2:
            return annotated[:2]
    raise AssertionError("no slice of the fixture has two annotated briefings")


@pytest.mark.parametrize("kind", ["body", "note", "two of one slice", "again and again"])
def test_an_edit_gives_pagefind_only_the_edited_records(
    small_slices: None, small_chunks: None, received: list[list[str]], tmp_path: Path, kind: str
) -> None:
    site, out = write_sliced_site(tmp_path / "site"), tmp_path / "out"
    build(site, out)
    rounds = {
        "body": [[5]],
        "note": [[6]],
        "two of one slice": [annotated_pair(site)],
        "again and again": [[5], [5], [6]],
    }[kind]
    for number, edited in enumerate(rounds):
        received.clear()
        for n in edited:
            if kind == "body" or number == 1:
                write_briefing(site, n, extra=f"\n\nA synthetic sentence about zeal {number}.")
            else:
                edit_note(site, n)
        build(site, out)
        assert received == [urls_of(site, edited)], received
        assert snapshot(out / "pagefind") == cold_index(site, tmp_path, f"cold-{number}")


def test_a_note_fewer_indexes_the_whole_slice(
    small_slices: None, received: list[list[str]], tmp_path: Path
) -> None:
    site, out = write_sliced_site(tmp_path / "site"), tmp_path / "out"
    build(site, out)
    received.clear()
    text = briefing_file(site, 5).read_text()
    start = text.index("  - id: s5-a1")
    briefing_file(site, 5).write_text(text[:start] + text[text.index("  - id: s5-a2") :])
    build(site, out)
    group = next(g for g in groups(site) if 5 in g)
    assert received == [urls_of(site, group)]
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)


def test_a_meta_field_new_to_the_slice_indexes_it_whole(
    small_slices: None, received: list[list[str]], tmp_path: Path
) -> None:
    """The splice is tried (Pagefind indexes the edited records) and does not fit: the
    slice's meta fields change with the edit. Then the slice is indexed whole."""
    site, out = write_sliced_site(tmp_path / "site"), tmp_path / "out"
    build(site, out)
    group = next(g for g in groups(site) if all(m % 4 != 1 and m % 5 != 3 for m in g))
    n = group[0]
    path = briefing_file(site, n)
    text = path.read_text()
    path.write_text(
        text.replace("    topic: topic-one", "    reporting: direct\n    topic: topic-one", 1)
    )
    received.clear()
    build(site, out)
    assert received == [urls_of(site, [n]), urls_of(site, group)]
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)


def test_a_meta_field_that_leaves_the_slice_indexes_it_whole(
    small_slices: None, received: list[list[str]], tmp_path: Path
) -> None:
    """The edited briefing's notes were the only ones of their slice with 'reporting':
    Pagefind's index of the slice loses that meta field, which the splice cannot know."""
    site, out = write_sliced_site(tmp_path / "site"), tmp_path / "out"
    build(site, out)
    group = next(g for g in groups(site) if len([m for m in g if m % 4 == 1 and m % 5 != 3]) == 1)
    path = briefing_file(site, next(m for m in group if m % 4 == 1))
    path.write_text(path.read_text().replace("    reporting: paraphrase\n", ""))
    received.clear()
    build(site, out)
    assert len(received) == 2 and received[-1] == urls_of(site, group)
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "other digests", "other notes"])
def test_a_damaged_list_of_briefings_indexes_the_slice_whole(
    small_slices: None, received: list[list[str]], tmp_path: Path, damage: str
) -> None:
    site, out = write_sliced_site(tmp_path / "site"), tmp_path / "out"
    build(site, out)
    path = site / STORE / slices.BRIEFINGS
    store = slices.SliceStore(site / STORE)
    found = store.briefings()
    if damage == "garbage":
        path.write_bytes(b"\x00 not cbor")
    elif damage == "other digests":
        store.put_briefings({k: [(d[::-1], c) for d, c in rows] for k, rows in found.items()})
    else:
        store.put_briefings({k: [(d, c + 1) for d, c in rows] for k, rows in found.items()})
    edit_note(site, 6)
    received.clear()
    build(site, out)
    group = next(g for g in groups(site) if 6 in g)
    assert received == [urls_of(site, group)]
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)


def test_a_long_lived_builder_splices_from_what_it_keeps(
    small_slices: None, received: list[list[str]], tmp_path: Path
) -> None:
    """The resident builder keeps each slice's briefings in memory (Warm): the store's list
    removed, its edits are still spliced."""
    site = write_sliced_site(tmp_path / "site")
    builder, options = WarmRebuild(), BuildOptions(site)
    builder(options, None)
    for number, n in enumerate([5, 8, 5]):
        (site / STORE / slices.BRIEFINGS).unlink()
        write_briefing(site, n, extra=f"\n\nA synthetic sentence about zeal {number}.")
        received.clear()
        builder(options, None)
        assert received == [urls_of(site, [n])]
        assert snapshot(site / "site" / "pagefind") == cold_index(site, tmp_path, f"c{number}")

"""An edit spliced into its slice's last index (resplice.py) is, field for field, Pagefind's
own index of the whole slice's new records, over random edits of real briefings indexed by
the real Pagefind."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.build import pipeline
from briefgen.build.pipeline import BuildOptions
from briefgen.document.model import Briefing
from briefgen.search import names, resplice, service
from briefgen.search.index import slice_records
from briefgen.search.merge import Slice
from briefgen.search.records import PAGE_FIELDS, annotation_fields, briefing_digest, records_of
from briefgen.search.slices import from_bundle
from tests.support.sliced_site import (
    BRIEFINGS,
    STANCES,
    briefing_file,
    write_briefing,
    write_sliced_site,
)

HAPAX = "Synthetic hapaxlegomenon sentence."


def _unique(text: str, n: int) -> str:
    return text.replace("\n---\n", f"\n---\nSynthetic unheardof{n}word opening.\n", 1)


def _note(text: str, n: int) -> str:
    return text.replace(f"note: Synthetic note {n}.1 about", f"note: Synthetic note {n}.1 on", 1)


def _quote(text: str, n: int) -> str:
    return text.replace(f"Synthetic passage {n}.0 says", f"Synthetic passage {n}.0 holds")


def _actor(text: str, n: int) -> str:
    swap = {"actor: actor-a": "actor: actor-b", "actor: actor-b": "actor: actor-a"}
    for old, new in swap.items():
        if old in text:
            return text.replace(old, new, 1)
    return text


def _stance(text: str, n: int) -> str:
    for k, stance in enumerate(STANCES):
        if f"stance: {stance}" in text:
            following = STANCES[(k + 1) % len(STANCES)]
            return text.replace(f"stance: {stance}", f"stance: {following}", 1)
    return text


def _body(text: str, n: int) -> str:
    return text + "\nA synthetic closing paragraph about the vexed quorum.\n"


# (edit, whether it needs a briefing with annotations): each edit is one of the new version.
EDITS: dict[str, Callable[[str, int], str]] = {
    "body text changed": _body,
    "a note's text changed": _note,
    "a quote's wording changed": _quote,
    "a word no other page has added": _unique,
    "an actor (a filter value) changed": _actor,
    "a stance changed": _stance,
}
WITH_ANNOTATIONS = [n for n in range(BRIEFINGS) if n % 5 != 3]  # see sliced_site._annotations


def normal(found: Slice) -> dict[str, Any]:
    """A slice's fields, its filters as name -> value -> pages: Pagefind writes a filter's
    values in a hash map's order, and names filter files and the meta file by their bytes."""
    assert found.meta is not None
    entry = {**found.entry, "languages": {}}
    info = {k: v for k, v in found.entry["languages"]["en"].items() if k != "hash"}
    filters = {
        name: {value: sorted(pages) for value, pages in values}
        for name, values in found.filters.values()
    }
    meta = found.meta
    return {
        "entry": entry,
        "info": info,
        "meta": [meta.version, meta.pages, meta.chunks, meta.sorts, meta.fields],
        "filter names": sorted(name for name, _ in meta.filters),
        "filters": filters,
        "words": found.words,
        "files": found.files,
    }


def named_as_pagefind_names(found: Slice) -> bool:
    """The spliced slice's filter files and meta file are named by their content."""
    assert found.meta is not None
    for file_hash, content in found.filters.items():
        if names.name("en", cbor2.dumps(content)) != file_hash:
            return False
    listed = {h for _, h in found.meta.filters}
    meta_hash = names.name("en", cbor2.dumps(found.meta.cbor()), names.META)
    return listed == set(found.filters) and found.entry["languages"]["en"]["hash"] == meta_hash


def model(site: Path, only: list[int] | None = None) -> list[Briefing]:
    prepared = pipeline.prepare(BuildOptions(site))
    briefings = [prepared.complete(b) for b in prepared.site.briefings]
    if only is None:
        return briefings
    return [b for b in briefings if int(b.slug.rsplit("-", 1)[1]) in only]


def indexed(pagefind: service.PagefindService, briefings: list[Briefing]) -> Slice:
    return from_bundle(pagefind.index("en", slice_records("en", briefings)))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sliced_site(tmp_path_factory.mktemp("resplice") / "site")


def spliced_and_whole(
    site: Path, old_texts: dict[int, str], new_texts: dict[int, str], only: list[int] | None = None
) -> tuple[Slice | None, Slice]:
    """A slice of the site's briefings (all, or `only` these) after the edit: spliced into
    the index made before it, and indexed whole by Pagefind."""
    for n, text in old_texts.items():
        briefing_file(site, n).write_text(text)
    before_model = model(site, only)
    for n, text in new_texts.items():
        briefing_file(site, n).write_text(text)
    after = model(site, only)
    with service.PagefindService() as pagefind:
        old = indexed(pagefind, before_model)
        before = [(briefing_digest("en", b), len(b.annotations)) for b in before_model]
        now = [briefing_digest("en", b) for b in after]
        plan = resplice.plan(old, before, after, now)
        assert plan is not None
        mini = indexed(pagefind, [after[j] for j in plan.edited])
        return resplice.splice(plan, "en", mini), indexed(pagefind, after)


def site_copy(base: Path, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(base, site)
    return site


def briefing_number(briefings: list[Briefing], n: int) -> int:
    return next(j for j, b in enumerate(briefings) if b.slug.endswith(f"synthetic-{n:02d}"))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(WITH_ANNOTATIONS), st.sampled_from(sorted(EDITS))),
        min_size=1,
        max_size=2,
        unique_by=lambda edit: edit[0],
    )
)
def test_a_spliced_edit_is_pagefinds_index_of_the_whole_slice(
    base: Path, tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[int, str]]
) -> None:
    site = site_copy(base, tmp_path_factory.mktemp("edit"))
    old = {n: briefing_file(site, n).read_text() for n, _ in edits}
    new = {n: EDITS[kind](old[n], n) for n, kind in edits}
    spliced, whole = spliced_and_whole(site, old, new)
    assert whole.meta is not None
    assert len(whole.meta.chunks) >= 2 and any(w[2] for w in whole.words)  # what it reaches
    assert names.as_pagefind(whole, "en")  # Pagefind names its files as names.py says
    assert spliced is not None, edits
    assert normal(spliced) == normal(whole), edits
    assert named_as_pagefind_names(spliced)


@pytest.mark.parametrize("n", [2, 7])
def test_a_word_whose_only_page_is_edited_away_leaves_the_index(
    base: Path, tmp_path: Path, n: int
) -> None:
    site = site_copy(base, tmp_path)
    write_briefing(site, n, extra=f"\n\n{HAPAX}")
    old = briefing_file(site, n).read_text()
    spliced, whole = spliced_and_whole(site, {n: old}, {n: old.replace(HAPAX, "")})
    assert spliced is not None
    assert not any(w[0].startswith("hapax") for w in spliced.words)
    assert normal(spliced) == normal(whole)


def test_a_meta_field_that_may_leave_the_slice_is_not_spliced(base: Path, tmp_path: Path) -> None:
    """Briefing 5's notes are the only ones of the slice {5, 6} with 'reporting': without
    it, Pagefind's index of the slice has one meta field fewer, and its meta positions
    other numbers."""
    site = site_copy(base, tmp_path)
    old = briefing_file(site, 5).read_text()
    new = old.replace("    reporting: paraphrase\n", "")
    spliced, whole = spliced_and_whole(site, {5: old}, {5: new}, only=[5, 6])
    assert whole.meta is not None and "reporting" not in whole.meta.fields
    assert spliced is None
    spliced, whole = spliced_and_whole(site, {5: new}, {5: old}, only=[5, 6])  # and back
    assert spliced is None


def test_the_fields_a_splice_counts_on_are_those_pagefind_gives_each_record(
    base: Path,
) -> None:
    """resplice.plan() counts on the other briefings' records having these meta fields."""
    briefings = model(base)
    with service.PagefindService() as pagefind:
        for b in briefings[:4]:
            pages, notes = records_of("en", [b])
            found = from_bundle(pagefind.index("en", pages)).meta
            assert found is not None and set(PAGE_FIELDS) <= set(found.fields)
            for a, note in zip(b.annotations, notes, strict=True):
                found = from_bundle(pagefind.index("en", [note])).meta
                assert found is not None and set(annotation_fields(a)) <= set(found.fields)


def test_notes_added_give_no_plan(base: Path, tmp_path: Path) -> None:
    """A briefing with a note more moves every later note: the slice is indexed whole."""
    site = site_copy(base, tmp_path)
    before_model = model(site)
    text = briefing_file(site, 4).read_text()
    start = text.index("  - id: s4-a2")
    briefing_file(site, 4).write_text(text[:start] + text[text.index("---\n", start) :])
    after = model(site)
    before = [(briefing_digest("en", b), len(b.annotations)) for b in before_model]
    now = [briefing_digest("en", b) for b in after]
    with service.PagefindService() as pagefind:
        old = indexed(pagefind, before_model)
    assert resplice.plan(old, before, after, now) is None
    kept = [(d, c) for d, c in before]
    assert resplice.plan(old, kept, before_model, [d for d, _ in kept]) is None  # no edit

"""The merge after an edit (again.py), from the last merge's State, is the full merge's bundle
and State, byte for byte, over random sequences of edits of real Pagefind slices."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.search import bundle, service
from briefgen.search.again import Change, merge_again
from briefgen.search.merge import Merged, Slice, merge
from briefgen.search.records import CustomRecord
from briefgen.search.slices import from_bundle
from tests.support.sliced_site import WORDS

SLICES = 4
# What each version of a slice is, against version 0: the first five keep its page count.
EDITS = [
    "base",
    "a word changed",
    "words added",
    "words removed",
    "another filter value",
    "a meta field added",
    "a record more",
    "a record fewer",
]


def _records(n: int, edit: str) -> list[CustomRecord]:
    rng = random.Random(n)
    texts = [" ".join(rng.choices(WORDS, k=rng.randint(30, 80))) for _ in range(3)]
    actors = [["actor-a"], ["actor-b"], ["actor-a", "actor-b"]]
    metas: list[dict[str, str]] = [{"title": f"Synthetic record {n}.{k}"} for k in range(3)]
    if edit == "a word changed":
        texts[1] = texts[1].replace(texts[1].split()[3], "quorum", 1) + " résumé"
    elif edit == "words added":
        # words of this slice only, some with diacritics only: variants that come and go
        texts[0] = "synthesis zealous " + texts[0] + f" novelword{n} zoë{n} résumé resume"
    elif edit == "words removed":
        texts[2] = " ".join(texts[2].split()[::2])
    elif edit == "another filter value":
        actors[1] = ["actor-c"]
    elif edit == "a meta field added":
        metas[0]["reporting"] = "paraphrase"
    elif edit == "a record more":
        texts.append(f"Synthetic extra record {n} naïve über")
        actors.append(["actor-d"])
        metas.append({"title": f"Synthetic extra {n}"})
    elif edit == "a record fewer":
        del texts[1], actors[1], metas[1]
    return [
        CustomRecord(f"/synthetic/{n}/{k}/", text, meta, {"actor": actor})
        for k, (text, meta, actor) in enumerate(zip(texts, metas, actors, strict=True))
    ]


@pytest.fixture(scope="module")
def versions() -> dict[tuple[int, int], Slice]:
    """(slice, edit) -> the slice as Pagefind indexes it."""
    with service.PagefindService() as pagefind:
        return {
            (n, e): from_bundle(pagefind.index("en", _records(n, edit)))
            for n in range(SLICES)
            for e, edit in enumerate(EDITS)
        }


@pytest.fixture
def small_chunks() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bundle, "CHUNK_SIZE", 60)  # the fixture's index in a dozen chunks
        yield


def bundle_of(merged: Merged, before: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle's files: made now, or as they were (`before`: the last bundle)."""
    files = dict(merged.files)
    for path, (data, _) in merged.kept.items():
        files[path] = data if data is not None else before[path]
    return files


def digests(files: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}


steps = st.lists(
    st.lists(
        st.tuples(st.integers(0, SLICES - 1), st.integers(0, len(EDITS) - 1)),
        min_size=1,
        max_size=2,
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_the_merge_again_is_the_full_merge(
    versions: dict[tuple[int, int], Slice], small_chunks: None, steps: list[list[tuple[int, int]]]
) -> None:
    current = [0] * SLICES

    def keys() -> list[str]:
        return [f"{n}-{e}" for n, e in enumerate(current)]

    def slices() -> list[Slice]:
        return [versions[n, e] for n, e in enumerate(current)]

    last = merge(slices(), None, keys())
    assert last.state is not None
    output = bundle_of(last, {})
    for step in steps:
        before = list(current)
        for n, e in step:
            current[n] = e
        changes = [
            Change(n, versions[n, before[n]], versions[n, current[n]])
            for n in sorted({n for n, _ in step})
            if before[n] != current[n]
        ]
        full = merge(slices(), None, keys())
        assert last.state is not None
        again = merge_again(last.state, keys(), changes, output.get, None)
        keeps_pages = all(
            len(c.old.meta.pages) == len(c.new.meta.pages)  # type: ignore[union-attr]
            for c in changes
        )
        fields = {f for s in slices() for f in s.meta.fields}  # type: ignore[union-attr]
        same_fields = sorted(fields) == last.state.fields
        if changes and keeps_pages and same_fields:
            assert again is not None  # the case it is for is not left to the full merge
        if again is not None:
            assert digests(bundle_of(again, output)) == digests(bundle_of(full, output))
            assert again.state == full.state
            last = again
        else:
            last = full
        output = bundle_of(last, output)


def test_an_edit_that_keeps_the_page_count_is_merged_again_in_place(
    versions: dict[tuple[int, int], Slice], small_chunks: None
) -> None:
    """Most chunks are kept: only those with a changed word are made again."""
    keys = [f"{n}-0" for n in range(SLICES)]
    first = merge([versions[n, 0] for n in range(SLICES)], None, keys)
    assert first.state is not None
    keys[2] = "2-1"
    change = Change(2, versions[2, 0], versions[2, 1])  # a word changed
    again = merge_again(first.state, keys, [change], bundle_of(first, {}).get, None)
    assert again is not None
    chunks = [p for p in bundle_of(again, bundle_of(first, {})) if p.startswith("index/")]
    made = [p for p in again.files if p.startswith("index/")]
    assert len(chunks) >= 6 and 1 <= len(made) <= len(chunks) // 2


@pytest.mark.parametrize(
    "damage",
    ["no chunk file", "another chunk's bytes", "old slice of another state", "key of another"],
)
def test_what_does_not_fit_means_a_full_merge(
    versions: dict[tuple[int, int], Slice], small_chunks: None, damage: str
) -> None:
    keys = [f"{n}-0" for n in range(SLICES)]
    first = merge([versions[n, 0] for n in range(SLICES)], None, keys)
    assert first.state is not None
    output = bundle_of(first, {})
    chunk_paths = sorted(p for p in output if p.startswith("index/"))
    read: Any = output.get
    old = versions[1, 0]
    new_keys = [*keys[:1], "1-1", *keys[2:]]
    if damage == "no chunk file":
        read = {p: d for p, d in output.items() if not p.startswith("index/")}.get
    elif damage == "another chunk's bytes":
        read = lambda p: output[chunk_paths[0]] if p.startswith("index/") else output.get(p)  # noqa: E731
    elif damage == "old slice of another state":
        old = versions[1, 2]
    else:
        new_keys[3] = "3-9"  # a slice changed that the changes do not say
    change = Change(1, old, versions[1, 1])
    assert merge_again(first.state, new_keys, [change], read, None) is None

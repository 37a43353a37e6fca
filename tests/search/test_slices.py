"""The search index in slices: merged, it is Pagefind's own index of the same records; an
edit indexes one slice again; what is stored between builds is never trusted blindly."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import cbor2
import pytest

from briefgen.search import service, slices
from briefgen.search.merge import merge
from briefgen.search.records import CustomRecord
from briefgen.search.slices import from_bundle
from tests.support.files import snapshot
from tests.support.pagefind_bundle import read_bundle
from tests.support.pagefind_run import one_pagefind_run
from tests.support.search_builds import build, cold_index, slice_files, stored
from tests.support.sliced_site import write_briefing, write_sliced_site


def test_the_merged_index_is_pagefinds_own_index_of_the_same_records(
    small_slices: None, tmp_path: Path
) -> None:
    site = write_sliced_site(tmp_path / "site")
    build(site, tmp_path / "out")
    merged = read_bundle(tmp_path / "out" / "pagefind")
    single = read_bundle(one_pagefind_run(site, tmp_path / "single"))
    # The fixture reaches what the merge must get right: several slices, several word-index
    # chunks, diacritic variants, and slices whose meta fields differ.
    assert len(stored(site)) >= 6
    assert len(merged["chunks"]) >= 2
    assert any(variants for _, _, variants in merged["words"])
    fields = {tuple(cbor2.loads(p.read_bytes())["meta"][5]) for p in slice_files(site)}
    assert len(fields) > 1
    for key in single:
        assert merged[key] == single[key], key


def test_an_edit_indexes_only_its_slice_and_gives_a_cold_builds_index(
    small_slices: None, pagefind_runs: Path, tmp_path: Path
) -> None:
    site = write_sliced_site(tmp_path / "site")
    build(site, tmp_path / "out")
    before = stored(site)
    pagefind_runs.write_text("")
    write_briefing(site, 5, extra="\n\nAn appended synthetic sentence about zeal.")
    build(site, tmp_path / "out")
    after = stored(site)
    assert len(set(before) - set(after)) == 1  # one slice's key changed...
    assert len(set(after) - set(before)) == 1
    kept = set(before) & set(after)
    assert all(before[name] == after[name] for name in kept)  # ...the others were not rewritten
    assert pagefind_runs.read_text().count("start") == 1

    assert snapshot(tmp_path / "out" / "pagefind") == cold_index(site, tmp_path)


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"\x00\x01 not cbor",
        cbor2.dumps({"format": slices.STORE_FORMAT}),
        cbor2.dumps([1, 2, 3]),
        "forged",
        "bit-flip",
    ],
    ids=["empty", "garbage", "missing-keys", "wrong-type", "forged-shape", "bit-flip"],
)
def test_a_damaged_stored_slice_is_indexed_again(
    small_slices: None, tmp_path: Path, damage: bytes | str, capsys: pytest.CaptureFixture[str]
) -> None:
    site = write_sliced_site(tmp_path / "site")
    build(site, tmp_path / "out")
    for path in slice_files(site):
        data = cbor2.loads(path.read_bytes())
        if damage == "forged":  # the right shape and digest, with words out of order
            words = cbor2.dumps(list(reversed(cbor2.loads(data["words"]))))
            data["words"], data["words_sha256"] = words, hashlib.sha256(words).hexdigest()
            path.write_bytes(cbor2.dumps(data))
        elif damage == "bit-flip":  # one byte changed inside the word index
            words = bytearray(data["words"])
            words[len(words) // 2] ^= 0x40
            data["words"] = bytes(words)
            path.write_bytes(cbor2.dumps(data))
        else:
            assert isinstance(damage, bytes)
            path.write_bytes(damage)
    write_briefing(site, 2, extra="\n\nA synthetic change so that the index is made again.")
    build(site, tmp_path / "out")
    assert "Traceback" not in capsys.readouterr().err
    assert snapshot(tmp_path / "out" / "pagefind") == cold_index(site, tmp_path)


def test_stored_slices_are_not_used_when_the_output_lost_their_files(
    small_slices: None, pagefind_runs: Path, tmp_path: Path
) -> None:
    site = write_sliced_site(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    shutil.rmtree(out)  # the fragments a stored slice refers to are gone
    pagefind_runs.write_text("")
    build(site, out)
    assert pagefind_runs.read_text().count("start") >= 1
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)


def test_a_site_without_briefings_gets_an_empty_index(tmp_path: Path) -> None:
    site = write_sliced_site(tmp_path / "site", briefings=0)
    build(site, tmp_path / "out")
    bundle = tmp_path / "out" / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    assert (bundle / "pagefind-entry.json").is_file()


def test_chunk_ranges_are_cut_as_pagefind_cuts_them(tmp_path: Path) -> None:
    """Words made to end a chunk at 'aut' after one that starts at 'ant', and the next chunk
    at 'beta': Pagefind then keeps 'aut' whole (the shortest prefix, 'a', would sort before
    the chunk's start). The merge of two slices must give the same chunks as one run."""
    slice_a = [
        CustomRecord("/synthetic/a/", " ".join(["ant"] * 9_000 + ["aut"] * 11_000), {}),
    ]
    slice_b = [CustomRecord("/synthetic/b/", " ".join(["beta"] * 500 + ["bet"] * 500), {})]
    with service.PagefindService() as pagefind:
        one_run = merge([from_bundle(pagefind.index("en", [*slice_a, *slice_b]))])
        merged = merge([from_bundle(pagefind.index("en", s)) for s in (slice_a, slice_b)])
    for name, bundle in (("one-run", one_run), ("merged", merged)):
        kept = {path: data for path, (data, _) in bundle.kept.items() if data is not None}
        assert len(kept) == len(bundle.kept)  # every slice was just indexed
        for path, data in (bundle.files | kept).items():
            (tmp_path / name / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name / path).write_bytes(data)
    single, joined = read_bundle(tmp_path / "one-run"), read_bundle(tmp_path / "merged")
    assert [c[:2] for c in single["chunks"]] == [("ant", "aut"), ("b", "beta")]
    assert joined["chunks"] == single["chunks"]
    assert joined["words"] == single["words"]

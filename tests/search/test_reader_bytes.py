"""What a reader's browser loads before the first search is written to compress: fragments
named by runs in the meta file, filter page numbers in an order deflate repeats. These fail
if the merge goes back to writing them as Pagefind does (benchmarks/README, issue 15); that
Pagefind's script reads them as its own is test_slices_browser.py's part."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import random
from pathlib import Path

import cbor2

from briefgen.search import bundle, fragments
from tests.support.search_builds import build
from tests.support.sliced_site import write_sliced_site

PAGES = 6_000  # a site of about a thousand briefings
ACTOR = sorted(random.Random(7).sample(range(PAGES), PAGES // 4))  # a filter value's pages


def deflated(raw: bytes) -> int:
    return len(bundle.compress(raw))


def numbers(cbor: bytes, start: int, count: int) -> list[tuple[int, bytes]]:
    """`count` CBOR unsigned integers from `start`: (value, the head byte it was written with)."""
    out, at = [], start
    width = {0x18: 1, 0x19: 2, 0x1A: 4, 0x1B: 8}
    for _ in range(count):
        head = cbor[at]
        size = width.get(head, 0)
        value = int.from_bytes(cbor[at + 1 : at + 1 + size], "big") if size else head
        out.append((value, bytes([head])))
        at += 1 + size
    return out


def test_filter_page_numbers_are_written_for_deflate() -> None:
    values = [("Synthetic Actor One", ACTOR), ("Synthetic Actor Two", [3, 300, 70_000])]
    raw = bundle.filter_cbor("actor", values)
    name, decoded = cbor2.loads(raw)
    assert name == "actor"
    assert [(v, sorted(p)) for v, p in decoded] == [(v, sorted(p)) for v, p in values]
    start = raw.index(cbor2.dumps("Synthetic Actor One")) + len(cbor2.dumps("Synthetic Actor One"))
    start += len(cbor2.dumps([0] * len(ACTOR))) - len(ACTOR)  # the list's head
    written = numbers(raw, start, len(ACTOR))
    assert {head for _, head in written} == {b"\x1a"}  # 4-byte integers throughout
    pages = [value for value, _ in written]
    assert pages == sorted(pages, key=lambda p: (p % 256, p // 256))  # low byte first
    # ...which deflate stores in much less than Pagefind's ascending shortest form.
    as_pagefind = cbor2.dumps(["actor", [[v, sorted(p)] for v, p in values]])
    assert deflated(raw) < 0.8 * deflated(as_pagefind)


def test_fragment_names_repeat_in_runs_and_change_with_their_run() -> None:
    digests = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(PAGES)]
    hashes = [f"en_{d[:7]}" for d in digests]  # as Pagefind names them
    pages = [[h, 40 + n % 60] for n, h in enumerate(hashes)]
    files = {fragments.path(h): d for h, d in zip(hashes, digests, strict=True)}
    namer = fragments.Namer()
    named = [name for run, ds in fragments.runs(pages, files) for name in namer.name(run, len(ds))]
    assert len(set(named)) == PAGES
    same_prefix = sum(a[:-1] == b[:-1] for a, b in itertools.pairwise(named))
    assert same_prefix >= PAGES - PAGES // fragments.RUN - 1
    meta = [[name, count] for name, (_, count) in zip(named, pages, strict=True)]
    assert deflated(cbor2.dumps(meta)) < 0.7 * deflated(cbor2.dumps(pages))

    # A fragment whose content changes changes the names of its run, and only those.
    files[fragments.path(hashes[100])] = "0" * 64
    renamed = [
        name
        for run, ds in fragments.runs(pages, files)
        for name in fragments.Namer().name(run, len(ds))
    ]
    changed = [n for n, (a, b) in enumerate(zip(named, renamed, strict=True)) if a != b]
    run = 100 // fragments.RUN
    assert changed == list(range(run * fragments.RUN, (run + 1) * fragments.RUN))


def test_the_merged_bundle_is_written_so(tmp_path: Path) -> None:
    site = write_sliced_site(tmp_path / "site")
    build(site, tmp_path / "out")
    folder = tmp_path / "out" / "pagefind"
    (meta_file,) = folder.glob("*.pf_meta")
    meta = bundle.Meta.decode(meta_file.read_bytes(), meta_file.name)
    prefixes = [name[:-1] for name, _ in meta.pages]
    assert len(set(prefixes)) <= len(prefixes) // 4  # runs of pages share a prefix
    for _, file_hash in meta.filters:
        raw = gzip.decompress((folder / f"filter/{file_hash}.pf_filter").read_bytes())
        assert raw[len(bundle.SIGNATURE) :] == bundle.filter_cbor(*cbor2.loads(raw[12:]))

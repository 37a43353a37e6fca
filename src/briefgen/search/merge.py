"""Merge the Pagefind bundles of the site's slices into one bundle.

The result is the bundle Pagefind itself makes when given every slice's records in one run,
slice after slice (tests/search/test_slices.py checks this against a real single run): the
pages of slice 1 follow those of slice 0, so a page's number is its number in its slice plus
an offset; word lists and filters are joined; the word index is cut into chunks as
Pagefind cuts it. A reader therefore loads one bundle, ranked over the whole site, whatever
the number of slices (Pagefind's own `mergeIndex` would load one bundle per slice and rank
each alone). Two things are written otherwise than Pagefind writes them, so that what a
reader loads before the first search is smaller, and Pagefind's script reads them as its
own: the fragments' names (fragments.py) and the filter files' page lists
(bundle.filter_cbor).
"""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from briefgen.diagnostics import SearchIndexError
from briefgen.search import bundle, fragments, packed
from briefgen.search.bundle import Meta
from briefgen.search.chunks import Reuse, write_chunks


@dataclass(frozen=True)
class Slice:
    """One slice's index as the merge reads it (slices.py makes and stores it)."""

    entry: dict[str, Any]  # Pagefind's pagefind-entry.json
    meta: Meta | None  # None when Pagefind indexed nothing (no words in any record)
    filters: dict[str, list[Any]]  # filter file hash -> [filter, [[value, [page]]]]
    words: list[Any]  # its word index, packed (packed.py)
    files: dict[str, str]  # path -> sha256 of the files copied as they are: fragments, scripts
    data: dict[str, bytes]  # their bytes when just indexed; else the output has them


@dataclass(frozen=True)
class Merged:
    files: dict[str, bytes]  # path -> bytes: the files made by the merge
    kept: dict[str, tuple[bytes | None, str]]  # path -> (bytes or None: as in the output, sha256)
    chunks: dict[str, str] = field(default_factory=dict)  # word index: content -> file sha256


@dataclass
class _Loaded:
    slice: Slice
    meta: Meta
    offset: int  # number of the slice's first page in the merged bundle
    remap: packed.Remap


def merge(slices: Sequence[Slice], reuse: Reuse | None = None) -> Merged:
    """One bundle of all `slices` (at least one), numbered slice after slice. `reuse`: which
    word-index chunks the output has already (chunks.py)."""
    scripts = {
        name: (slices[0].data.get(name), digest)
        for name, digest in slices[0].files.items()
        if not name.startswith("fragment/")
    }
    loaded = [_Loaded(s, s.meta, 0, None) for s in slices if s.meta is not None]
    if not loaded:  # nothing was indexed: an empty bundle
        return Merged({bundle.ENTRY: _json(slices[0].entry)}, scripts)
    languages = {lang for item in loaded for lang in item.slice.entry["languages"]}
    if any(item.meta.sorts for item in loaded):
        raise SearchIndexError("a slice of the search index has sort orders briefgen does not make")
    if len(languages) != 1:
        raise SearchIndexError(f"slices of the search index in several languages: {languages}")
    language = languages.pop()
    fields = sorted({f for item in loaded for f in item.meta.fields})
    offset = 0
    for item in loaded:
        item.offset, offset = offset, offset + len(item.meta.pages)
        item.remap = _field_remap(item.meta.fields, fields)

    pages, named = _pages(loaded)
    chunks = write_chunks(_words(loaded), language, reuse)
    files = chunks.files
    meta = Meta(
        version=loaded[0].meta.version,
        pages=pages,
        chunks=chunks.described,
        filters=_write_filters(loaded, language, files),
        sorts=[],  # records have no sort keys: see records.py
        fields=fields,
    )
    data, digest = bundle.encode(meta.cbor())
    meta_hash = f"{language}_{digest[:10]}"
    files[bundle.meta_name(meta_hash)] = data
    entry = dict(loaded[0].slice.entry)
    info = entry["languages"][language]
    entry["languages"] = {language: {**info, "hash": meta_hash, "page_count": len(pages)}}
    files[bundle.ENTRY] = _json(entry)
    kept = {path: (None, digest) for path, digest in chunks.kept.items()}
    return Merged(files, scripts | named | kept, chunks.digests)


def _json(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode()


def _field_remap(old: list[str], merged: list[str]) -> packed.Remap:
    if old == merged:
        return None
    index = [merged.index(name) for name in old]
    return lambda locs: [-index[-v - 1] - 1 if v < 0 else v for v in locs]


def _pages(
    loaded: list[_Loaded],
) -> tuple[list[list[Any]], dict[str, tuple[bytes | None, str]]]:
    """The merged page list, and its fragments, named by runs (fragments.py)."""
    pages: list[list[Any]] = []
    out: dict[str, tuple[bytes | None, str]] = {}
    namer = fragments.Namer()
    for item in loaded:
        counts = iter(count for _, count in item.meta.pages)
        sources = iter(fragments.path(h) for h, _ in item.meta.pages)
        for run_hash, digests in fragments.runs(item.meta.pages, item.slice.files):
            for name, digest in zip(namer.name(run_hash, len(digests)), digests, strict=True):
                out[fragments.path(name)] = (item.slice.data.get(next(sources)), digest)
                pages.append([name, next(counts)])
    return pages, out


def _slice_words(item: _Loaded) -> Iterator[tuple[str, _Loaded, list[Any]]]:
    """A slice's words, each with its slice (a function: a generator expression inside the
    list of streams would see only the last slice)."""
    return ((word[0], item, word) for word in item.slice.words)


def _words(loaded: list[_Loaded]) -> Iterator[tuple[str, bytes, int]]:
    """Every word of every slice in order, encoded with the pages of all slices, and what
    it adds to a chunk's size."""
    streams = [_slice_words(item) for item in loaded]
    merged = heapq.merge(*streams, key=lambda found: found[0])  # ties: in slice order
    for word, group in itertools.groupby(merged, key=lambda found: found[0]):
        parts = [(item, entry) for _, item, entry in group]
        pages, size = packed.join([(item.offset, item.remap, entry[1]) for item, entry in parts])
        variants: dict[str, list[tuple[int, packed.Remap, packed.Packed]]] = {}
        for item, entry in parts:
            for variant, variant_pages in entry[2]:
                variants.setdefault(variant, []).append((item.offset, item.remap, variant_pages))
        joined = [(v, packed.join(variants[v])[0]) for v in sorted(variants)]
        yield word, packed.encode_word(word, pages, joined), size


def _write_filters(loaded: list[_Loaded], language: str, files: dict[str, bytes]) -> list[Any]:
    values: dict[str, dict[str, list[int]]] = {}
    for item in loaded:
        for _, filter_hash in item.meta.filters:
            name, found = item.slice.filters[filter_hash]
            into = values.setdefault(name, {})
            for value, pages in found:
                into.setdefault(value, []).extend(item.offset + p for p in pages)
    described = []
    for name in sorted(values):
        data, digest = bundle.encode_raw(bundle.filter_cbor(name, sorted(values[name].items())))
        file_hash = f"{language}_{digest[:10]}"
        files[f"filter/{file_hash}.pf_filter"] = data
        described.append([name, file_hash])
    return described

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

import hashlib
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
from briefgen.search.previous import State, WordTable


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
    state: State | None = None  # what the next merge may start from (previous.py, again.py)


@dataclass
class _Loaded:
    slice: Slice
    meta: Meta
    offset: int  # number of the slice's first page in the merged bundle
    remap: packed.Remap
    index: int = 0  # its place among the slices


def merge(
    slices: Sequence[Slice], reuse: Reuse | None = None, keys: Sequence[str] | None = None
) -> Merged:
    """One bundle of all `slices` (at least one), numbered slice after slice. `reuse`: which
    word-index chunks the output has already (chunks.py). With the slices' `keys`, the result
    also holds its State, for the next merge (again.py)."""
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
    for index, item in enumerate(loaded):
        item.index = index
        item.offset, offset = offset, offset + len(item.meta.pages)
        item.remap = _field_remap(item.meta.fields, fields)

    pages, named, runs = _pages(loaded)
    words = _Recorded(_words(loaded))
    chunks = write_chunks(iter(words), language, reuse)
    files = chunks.files
    values: dict[str, dict[str, list[int]]] = {}
    meta = Meta(
        version=loaded[0].meta.version,
        pages=pages,
        chunks=chunks.described,
        filters=_write_filters(loaded, language, files, values),
        sorts=[],  # records have no sort keys: see records.py
        fields=fields,
    )
    write_head(files, meta, loaded[0].slice.entry, language)
    kept = {path: (None, digest) for path, digest in chunks.kept.items()}
    state = None
    if keys is not None and len(loaded) == len(slices) and words.spliceable:
        state = State.made(
            words.table,
            chunks.order,
            chunks.digests,
            keys=list(keys),
            counts=[len(item.meta.pages) for item in loaded],
            slice_fields=[list(item.meta.fields) for item in loaded],
            fields=fields,
            language=language,
            version=meta.version,
            entry=loaded[0].slice.entry,
            scripts={name: digest for name, (_, digest) in scripts.items()},
            runs=runs,
            pages=pages,
            digests=bytes.fromhex("".join(digest for _, digest in named.values())),
            filters={n: {v: sorted(p) for v, p in f.items()} for n, f in values.items()},
            filter_files=_filter_files(meta.filters, files),
        )
    return Merged(files, scripts | named | kept, chunks.digests, state)


class _Recorded:
    """The merged words as they go by: what State keeps of each; and whether every slice's
    page lists are non-empty, which again.py relies on to tell a word that no slice has."""

    def __init__(self, stream: Iterator[_Word]) -> None:
        self.stream = stream
        self.table = WordTable()
        self.spliceable = True

    def __iter__(self) -> Iterator[tuple[str, bytes, int]]:
        for word, encoded, size, full, main_length, table in self.stream:
            self.table.add(word, encoded, size, main_length, table)
            self.spliceable = self.spliceable and full
            yield word, encoded, size


def _filter_files(described: list[Any], files: dict[str, bytes]) -> dict[str, list[str]]:
    out = {}
    for name, file_hash in described:
        data = files[f"filter/{file_hash}.pf_filter"]
        out[name] = [file_hash, hashlib.sha256(data).hexdigest()]
    return out


def write_head(files: dict[str, bytes], meta: Meta, entry: dict[str, Any], language: str) -> None:
    """The merged bundle's meta file, and its pagefind-entry.json (`entry`: a slice's) naming
    it."""
    data, digest = bundle.encode(meta.cbor())
    meta_hash = f"{language}_{digest[:10]}"
    files[bundle.meta_name(meta_hash)] = data
    info = entry["languages"][language]
    pages = len(meta.pages)
    files[bundle.ENTRY] = _json(
        {**entry, "languages": {language: {**info, "hash": meta_hash, "page_count": pages}}}
    )


def _json(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode()


def _field_remap(old: list[str], merged: list[str]) -> packed.Remap:
    if old == merged:
        return None
    index = [merged.index(name) for name in old]
    return lambda locs: [-index[-v - 1] - 1 if v < 0 else v for v in locs]


def _pages(
    loaded: list[_Loaded],
) -> tuple[list[list[Any]], dict[str, tuple[bytes | None, str]], list[list[list[Any]]]]:
    """The merged page list, and its fragments, named by runs (fragments.py); and each
    slice's runs, [run hash, pages, long name?]."""
    pages: list[list[Any]] = []
    out: dict[str, tuple[bytes | None, str]] = {}
    runs: list[list[list[Any]]] = []
    namer = fragments.Namer()
    for item in loaded:
        runs.append(named_runs(item.slice, namer, pages, out))
    return pages, out, runs


def named_runs(
    found: Slice,
    namer: fragments.Namer,
    pages: list[list[Any]],
    out: dict[str, tuple[bytes | None, str]],
) -> list[list[Any]]:
    """Name a slice's pages (`namer` has seen the slices before it): adds them to `pages`
    and their fragments to `out`; returns its runs, [run hash, pages, long name?]."""
    assert found.meta is not None
    counts = iter(count for _, count in found.meta.pages)
    sources = iter(fragments.path(h) for h, _ in found.meta.pages)
    runs = []
    for run_hash, digests in fragments.runs(found.meta.pages, found.files):
        given, long = namer.named(run_hash, len(digests))
        runs.append([run_hash, len(digests), long])
        for name, digest in zip(given, digests, strict=True):
            out[fragments.path(name)] = (found.data.get(next(sources)), digest)
            pages.append([name, next(counts)])
    return runs


def _slice_words(item: _Loaded) -> Iterator[tuple[str, _Loaded, list[Any]]]:
    """A slice's words, each with its slice (a function: a generator expression inside the
    list of streams would see only the last slice)."""
    return ((word[0], item, word) for word in item.slice.words)


# (word, its entry, its size, whether every slice's page lists of it are non-empty, the
# length of its page list after the head, [(slice, start, last page)] of its page list's parts)
_Word = tuple[str, bytes, int, bool, int, list[tuple[int, int, int]]]


def _words(loaded: list[_Loaded]) -> Iterator[_Word]:
    """Every word of every slice in order, encoded with the pages of all slices, what it
    adds to a chunk's size, and what State keeps of it: whether every slice's page list of it
    is non-empty (main list or a variant: again.py relies on it), where each slice's pages
    are in it."""
    streams = [_slice_words(item) for item in loaded]
    merged = heapq.merge(*streams, key=lambda found: found[0])  # ties: in slice order
    for word, group in itertools.groupby(merged, key=lambda found: found[0]):
        parts = [(item, entry) for _, item, entry in group]
        table: list[tuple[int, int]] = []
        pages, size = packed.join(
            [(item.offset, item.remap, entry[1]) for item, entry in parts], table
        )
        indexes = [item.index for item, entry in parts if entry[1][0]]
        main_length = len(pages) - packed.head_at(pages, 0, 4)[1]
        variants: dict[str, list[tuple[int, packed.Remap, packed.Packed]]] = {}
        for item, entry in parts:
            for variant, variant_pages in entry[2]:
                variants.setdefault(variant, []).append((item.offset, item.remap, variant_pages))
        joined = [(v, packed.join(variants[v])[0]) for v in sorted(variants)]
        full = all(
            (entry[1][0] or entry[2]) and all(v[1][0] for v in entry[2]) for _, entry in parts
        )
        located = [(i, start, last) for i, (start, last) in zip(indexes, table, strict=True)]
        yield word, packed.encode_word(word, pages, joined), size, full, main_length, located


def _write_filters(
    loaded: list[_Loaded],
    language: str,
    files: dict[str, bytes],
    values: dict[str, dict[str, list[int]]],
) -> list[Any]:
    """Write the merged filter files into `files`; `values`: filled with what they hold."""
    for item in loaded:
        for _, filter_hash in item.meta.filters:
            name, found = item.slice.filters[filter_hash]
            into = values.setdefault(name, {})
            for value, pages in found:
                into.setdefault(value, []).extend(item.offset + p for p in pages)
    described = []
    for name in sorted(values):
        file_hash, data = write_filter(name, values[name], language)
        files[f"filter/{file_hash}.pf_filter"] = data
        described.append([name, file_hash])
    return described


def write_filter(name: str, values: dict[str, list[int]], language: str) -> tuple[str, bytes]:
    """A filter file: its hash (for its name) and bytes."""
    data, digest = bundle.encode_raw(bundle.filter_cbor(name, sorted(values.items())))
    return f"{language}_{digest[:10]}", data

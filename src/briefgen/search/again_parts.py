"""The pieces again.py makes the merge of: the last merge's chunks read back, the new word
list as State keeps it, and small helpers."""

from __future__ import annotations

import bisect
import hashlib
import zlib
from array import array
from collections.abc import Callable, Iterator

from briefgen.search import bundle, packed
from briefgen.search.merge import Slice
from briefgen.search.previous import State

Read = Callable[[str], bytes | None]  # bundle path -> the output's bytes of it, if any


class Stale(Exception):
    """What the last merge left does not fit: merge in full."""


class OldChunks:
    """The last merge's word-index chunks, read from the output when first needed."""

    def __init__(self, state: State, read: Read) -> None:
        self.state, self.read = state, read
        self.ends = [end for end, _, _ in state.chunks]
        self.found: dict[int, tuple[bytes, list[int]]] = {}

    def entry(self, k: int) -> bytes:
        """The last merge's entry of word `k`, from the output's chunk file."""
        chunk = bisect.bisect_right(self.ends, k)
        data, starts = self.chunk(chunk)
        first = self.state.chunks[chunk - 1][0] if chunk else 0
        return data[starts[k - first] : starts[k - first + 1]]

    def chunk(self, chunk: int) -> tuple[bytes, list[int]]:
        """A chunk of the last merge, as CBOR, with where each word's entry starts in it."""
        found = self.found.get(chunk)
        if found is not None:
            return found
        state = self.state
        end, content, _ = state.chunks[chunk]
        first = state.chunks[chunk - 1][0] if chunk else 0
        data = self.read(f"index/{state.language}_{content[:10]}.pf_index")
        if data is None:
            raise Stale
        try:
            raw = zlib.decompress(data, bundle.GZIP_WBITS)
        except zlib.error:
            raise Stale from None
        if hashlib.sha256(raw).hexdigest() != content:
            raise Stale
        cbor = raw[len(bundle.SIGNATURE) :]
        at = len(packed.encode_chunk([b""] * (end - first)))
        starts = [at]
        for length in state.lengths[first:end]:
            at += length
            starts.append(at)
        if at != len(cbor):
            raise Stale
        self.found[chunk] = (cbor, starts)
        return cbor, starts


def ends(sizes: array[int]) -> Iterator[int]:
    """Where chunks end, as chunks.cut() cuts them."""
    size = count = 0
    for k, word_size in enumerate(sizes):
        size += word_size
        count += 1
        if size >= bundle.CHUNK_SIZE:
            yield k + 1
            size = count = 0
    if count:
        yield len(sizes)


def joined_pages(
    places: list[tuple[int, packed.Remap]], gaps: list[packed.Packed], new: dict[int, packed.Packed]
) -> tuple[bytes, int, int]:
    """A page list: the gaps of the last one, with the changed slices' new pages between
    them (`places`: each changed slice's offset and field remap). Its bytes, size, entries."""
    parts: list[tuple[int, packed.Remap, packed.Packed]] = [(0, None, gaps[0])]
    count = gaps[0][0]
    for place, (offset, remap) in enumerate(places):
        if place in new:
            parts.append((offset, remap, new[place]))
            count += new[place][0]
        parts.append((0, None, gaps[place + 1]))
        count += gaps[place + 1][0]
    pages, size = packed.join(parts)
    return pages, size, count


def filter_values(found: Slice, offset: int) -> dict[str, dict[str, list[int]]]:
    """A slice's filters: name -> value -> its pages' numbers in the merged bundle."""
    assert found.meta is not None
    out: dict[str, dict[str, list[int]]] = {}
    for _, filter_hash in found.meta.filters:
        name, values = found.filters[filter_hash]
        into = out.setdefault(name, {})
        for value, pages in values:
            into.setdefault(value, []).extend(offset + p for p in pages)
    return {n: {v: sorted(p) for v, p in values.items()} for n, values in out.items()}


def full(found: Slice) -> bool:
    """Every page list of the slice's words is non-empty, and every filter has values with
    pages: what tells a word, value or filter that no slice has any more (see merge.py)."""
    for _, pages, variants in found.words:
        if not (pages[0] or variants) or not all(v[1][0] for v in variants):
            return False
    return all(values and all(p for _, p in values) for _, values in found.filters.values())

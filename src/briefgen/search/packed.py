"""A slice's word index, packed so that merging slices joins bytes instead of decoding them.

Decoding and re-encoding every page entry of every word (millions of small CBOR items at a few
thousand briefings) took seconds in Python; but since the merged bundle numbers the slices'
pages one slice after the other, a word's page list in the merged bundle is its page lists in
the slices one after the other, with only the first delta of each changed. So, once per slice
when Pagefind has indexed it, each page list is kept as:

    [entries, first delta, last page, size, body]

where `body` is the CBOR of the list after its first delta (the first entry's positions, then
every other entry, as Pagefind wrote them), `last page` the number of its last page (the sum
of the deltas) and `size` what the list adds to a chunk: its entries' word and meta positions
and one per entry, which is how Pagefind 1.5 counts (inferred from its output). A packed word is
[word, page list, [[variant, page list]]]. Only a slice whose meta fields differ from the
merged bundle's (its meta positions refer to fields by index) is decoded and renumbered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cbor2

from briefgen.diagnostics import SearchIndexError

Packed = list[Any]  # [entries, first delta, last page, size, body]
Remap = Callable[[list[int]], list[int]] | None  # meta field positions into the merged fields


def pack_chunk(cbor: bytes) -> list[list[Any]]:
    """The packed words of a word index chunk's CBOR ([[word, ...]]), read by walking its
    bytes: quicker than decoding every number into a Python object and encoding it again."""
    try:
        return _Reader(cbor).chunk()
    except (IndexError, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise SearchIndexError(f"a Pagefind word index briefgen cannot read ({exc})") from None


class _Reader:
    """Pagefind's word index chunks use arrays, text and integers only."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def head(self, major: int) -> int:
        """The argument of the head at `at`, which must be of type `major`; moves past it."""
        data, at = self.data, self.at
        first = data[at]
        if first >> 5 != major:
            raise ValueError(f"CBOR type {first >> 5} where {major} was expected, at {at}")
        info = first & 31
        if info < 24:
            self.at = at + 1
            return info
        width = _WIDTHS[info]  # KeyError for the forms Pagefind does not write
        self.at = at + 1 + width
        return int.from_bytes(data[at + 1 : at + 1 + width], "big")

    def skip_integers(self, count: int) -> None:
        data, at = self.data, self.at
        for _ in range(count):
            info = data[at] & 31
            at += 1 if info < 24 else 1 + _WIDTHS[info]
        self.at = at

    def text(self) -> str:
        length = self.head(3)
        start, self.at = self.at, self.at + length
        return self.data[start : self.at].decode("utf-8")

    def chunk(self) -> list[list[Any]]:
        if self.head(4) != 1:
            raise ValueError("a chunk is not a one-item array")
        words = [self.word() for _ in range(self.head(4))]
        if self.at != len(self.data):
            raise ValueError("bytes after the chunk")
        return words

    def word(self) -> list[Any]:
        if self.head(4) != 3:
            raise ValueError("a word is not a three-item array")
        word, pages = self.text(), self.pages()
        variants = []
        for _ in range(self.head(4)):
            if self.head(4) != 2:
                raise ValueError("a variant is not a two-item array")
            variants.append([self.text(), self.pages()])
        return [word, pages, variants]

    def pages(self) -> Packed:
        count = self.head(4)
        if count == 0:
            return [0, 0, 0, 0, b""]
        body_start = last = size = first_delta = 0
        for i in range(count):
            if self.head(4) != 3:
                raise ValueError("a page entry is not a three-item array")
            delta = self.head(0)
            if i == 0:
                first_delta, body_start = delta, self.at
            last += delta
            positions = self.head(4)
            self.skip_integers(positions)
            meta_positions = self.head(4)
            self.skip_integers(meta_positions)
            size += positions + meta_positions + 1
        return [count, first_delta, last, size, self.data[body_start : self.at]]

    def gaps(self, bounds: list[tuple[int, int]]) -> list[Packed]:
        """A page list cut at the page ranges `bounds` (ascending, apart: [start, end)):
        its pages before the first range, between two ranges, after the last, each packed
        with page numbers from 0 (an offset of 0); the pages inside the ranges left out."""
        out: list[Packed] = [[0, 0, 0, 0, b""] for _ in range(len(bounds) + 1)]
        starts, ends = [0] * len(out), [0] * len(out)  # where each gap's body is
        page = gap = 0
        for _ in range(self.head(4)):
            if self.head(4) != 3:
                raise ValueError("a page entry is not a three-item array")
            page += self.head(0)
            start = self.at
            positions = self.head(4)
            self.skip_integers(positions)
            meta_positions = self.head(4)
            self.skip_integers(meta_positions)
            while gap < len(bounds) and page >= bounds[gap][1]:
                gap += 1
            if gap < len(bounds) and page >= bounds[gap][0]:
                continue  # inside a range
            found = out[gap]
            if found[0] == 0:
                found[1], starts[gap] = page, start
            found[0] += 1
            found[2] = page
            found[3] += positions + meta_positions + 1
            ends[gap] = self.at
        for found, start, end in zip(out, starts, ends, strict=True):
            found[4] = self.data[start:end]
        return out


_WIDTHS = {24: 1, 25: 2, 26: 4, 27: 8}


def join(
    parts: list[tuple[int, Remap, Packed]], table: list[tuple[int, int]] | None = None
) -> tuple[bytes, int]:
    """Page lists of slices (offset of the slice's first page, its field remap, its packed
    list) as one encoded CBOR page list, and the size it adds to a chunk. `table`: given,
    gets (where its bytes start after the list's head, its last page) for each non-empty
    part (again.py)."""
    chunks: list[bytes] = []
    last = 0  # number of the last page joined so far
    entries = size = at = 0
    for offset, remap, (count, first_delta, last_page, part_size, body) in parts:
        if count == 0:
            continue
        delta = offset + first_delta - last
        if remap is None:
            part = _head(4, 3) + _uint(delta) + body
        else:
            part = _renumbered(count, delta, body, remap)
        chunks.append(part)
        last = offset + last_page
        if table is not None:
            table.append((at, last))
            at += len(part)
        entries += count
        size += part_size
    return _head(4, entries) + b"".join(chunks), size


def part(offset: int, remap: Remap, pages: Packed, last: int) -> bytes:
    """A slice's page list as it is in a joined one, after a page numbered `last`."""
    delta = offset + pages[1] - last
    body: bytes = pages[4]
    if remap is None:
        return _head(4, 3) + _uint(delta) + body
    return _renumbered(pages[0], delta, body, remap)


def moved(data: bytes, at: int, last: int, now: int) -> tuple[bytes, int]:
    """The page entry at `at` of a joined list, whose previous page was `last` and is now
    `now`: its head and delta made again, and where the rest of the entry starts."""
    reader = _Reader(data)
    reader.at = at
    if reader.head(4) != 3:
        raise ValueError("a page entry is not a three-item array")
    page = last + reader.head(0)
    if page <= now:
        raise ValueError("pages out of order")
    return _head(4, 3) + _uint(page - now), reader.at


def head_at(data: bytes, at: int, major: int) -> tuple[int, int]:
    """The argument of the CBOR head at `at` and where it ends."""
    reader = _Reader(data)
    reader.at = at
    value = reader.head(major)
    return value, reader.at


def variants_split(
    data: bytes, at: int, bounds: list[tuple[int, int]]
) -> list[tuple[str, list[Packed]]]:
    """The variants of an encoded word, from `at` (after its page list) to its end, each
    cut at `bounds` (see _Reader.gaps)."""
    reader = _Reader(data)
    reader.at = at
    variants = []
    for _ in range(reader.head(4)):
        if reader.head(4) != 2:
            raise ValueError("a variant is not a two-item array")
        variants.append((reader.text(), reader.gaps(bounds)))
    if reader.at != len(data):
        raise ValueError("bytes after the word")
    return variants


def head(major: int, value: int) -> bytes:
    return _head(major, value)


def listed(pages: Packed) -> bytes:
    """A packed page list encoded whole, with its head."""
    count, first, _, _, body = pages
    if not count:
        return _head(4, 0)
    made: bytes = _head(4, count) + _head(4, 3) + _uint(first) + body
    return made


def _renumbered(
    count: int, delta: int, body: bytes, remap: Callable[[list[int]], list[int]]
) -> bytes:
    try:
        pages = cbor2.loads(_head(4, count) + _head(4, 3) + _uint(delta) + body)
        return b"".join(cbor2.dumps([p[0], p[1], remap(p[2])]) for p in pages)
    except (cbor2.CBORDecodeError, IndexError, TypeError, ValueError) as exc:
        raise SearchIndexError(
            f"a stored slice of the search index is damaged ({exc}); delete "
            ".briefgen-cache/search/ and build again"
        ) from None


def encode_word(word: str, pages: bytes, variants: list[tuple[str, bytes]]) -> bytes:
    parts = [_head(4, 3), cbor2.dumps(word), pages, _head(4, len(variants))]
    for variant, variant_pages in variants:
        parts += [_head(4, 2), cbor2.dumps(variant), variant_pages]
    return b"".join(parts)


def encode_chunk(words: list[bytes]) -> bytes:
    """A word index chunk: [[word, ...]]."""
    return _head(4, 1) + _head(4, len(words)) + b"".join(words)


def well_formed(words: object) -> bool:
    """Packed words as pack_chunk() makes them, in order (a stored slice is untrusted).
    Written out flat: a build reads tens of thousands of words from the store."""
    if type(words) is not list:
        return False
    previous = None
    for word in words:
        if type(word) is not list or len(word) != 3:
            return False
        text, pages, variants = word
        if type(text) is not str or (previous is not None and text <= previous):
            return False
        previous = text
        if not _packed(pages) or type(variants) is not list:
            return False
        for variant in variants:
            if type(variant) is not list or len(variant) != 2 or not _packed(variant[1]):
                return False
    return True


def _packed(pages: object) -> bool:
    if type(pages) is not list or len(pages) != 5:
        return False
    entries, first, last, size, body = pages
    numbers = type(entries) is type(first) is type(last) is type(size) is int
    return numbers and min(entries, first, last, size) >= 0 and type(body) is bytes


def _uint(value: int) -> bytes:
    return _head(0, value)


def _head(major: int, value: int) -> bytes:
    """A CBOR head (major type, argument) in its shortest form, as Pagefind writes it."""
    if 0 <= value < _SMALL and major in _HEADS:
        return _HEADS[major][value]
    return _encode_head(major, value)


def _encode_head(major: int, value: int) -> bytes:
    if value < 0:
        raise SearchIndexError("a negative page number while merging the search index")
    top = major << 5
    if value < 24:
        return bytes([top | value])
    for code, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * width):
            return bytes([top | code]) + value.to_bytes(width, "big")
    raise SearchIndexError("a number too large for the search index")


_SMALL = 4096  # heads of arrays and page deltas below this are made once
_HEADS = {major: [_encode_head(major, n) for n in range(_SMALL)] for major in (0, 4)}

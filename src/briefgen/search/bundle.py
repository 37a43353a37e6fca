"""The files of a Pagefind 1.5 bundle, as the merge reads and writes them.

A bundle is `pagefind-entry.json` (languages -> meta file), one `pagefind.LANG_HASH.pf_meta`
(pages, word-index chunks, filters, sorts, meta field names), word-index chunks in `index/`,
one file per filter in `filter/`, one fragment per page in `fragment/`, and Pagefind's
scripts and WebAssembly. Every `.pf_*` file is gzip("pagefind_dcd" + CBOR); the CBOR shapes
are Pagefind's (pagefind/src/index/*.rs), as arrays:

    meta     [version, [[page hash, word count]], [[from, to, chunk hash]],
              [[filter, file hash]], [[sort key, [page number]]], [meta field name]]
    chunk    [[[word, [page], [[variant, [page]]]]]]
    page     [page number delta, [word positions], [meta field positions]]
    filter   [filter, [[value, [page number]]]]

Page numbers in a word's page list are deltas from the previous entry (the first from 0);
filter and sort lists hold plain page numbers. In the position lists, a negative number
starts a run: in word positions, of a weight (-weight - 1); in meta field positions, of a
field (-(index in the meta field names) - 1).
"""

from __future__ import annotations

import gzip
import hashlib
import struct
from dataclasses import dataclass
from typing import Any

import cbor2
from zlib_ng import zlib_ng

from briefgen.diagnostics import SearchIndexError

SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
FORMAT_VERSION = "1.5."  # the Pagefind versions whose format this module knows
COMPRESSION = 6  # zlib-ng's; Pagefind uses zlib's 9, 3x slower for files about as small
COMPRESSOR = f"zlib-ng {zlib_ng.ZLIBNG_VERSION} level {COMPRESSION}"  # what makes a file's bytes
GZIP_WBITS = 31  # zlib's gzip format (header with no time stamp, no file name)
CHUNK_SIZE = 20_000  # Pagefind's word-index chunk size, counted as in packed._Reader.pages()


def decode(data: bytes, what: str) -> Any:
    try:
        return cbor2.loads(unpacked(data, what))
    except (ValueError, cbor2.CBORDecodeError) as exc:
        raise SearchIndexError(f"unreadable Pagefind file {what}: {exc}") from None


def unpacked(data: bytes, what: str) -> bytes:
    """The CBOR of a `.pf_*` file: gunzipped, without its signature."""
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError) as exc:
        raise SearchIndexError(f"unreadable Pagefind file {what}: {exc}") from None
    if not raw.startswith(SIGNATURE):
        raise SearchIndexError(f"unexpected Pagefind file format: {what}")
    return raw[len(SIGNATURE) :]


def encode(data: object) -> tuple[bytes, str]:
    """The file's bytes, and a hash of its content for its name."""
    return encode_raw(cbor2.dumps(data))


def encode_raw(cbor: bytes) -> tuple[bytes, str]:
    raw = SIGNATURE + cbor
    return compress(raw), hashlib.sha256(raw).hexdigest()


def compress(raw: bytes) -> bytes:
    """A `.pf_*` file of its uncompressed bytes (signature and CBOR)."""
    return zlib_ng.compress(raw, COMPRESSION, wbits=GZIP_WBITS)


def filter_cbor(name: str, values: list[tuple[str, list[int]]]) -> bytes:
    """A filter file's CBOR ([filter, [[value, [page number]]]]) written to compress well.

    Page numbers are half a filter file's bytes, and as Pagefind writes them (ascending, in
    the shortest form: 0x19 HI LO) every one costs deflate two bytes. Here each is written
    in CBOR's 4-byte form (0x1a 0 0 HI LO: CBOR allows any width, and Pagefind's decoder,
    minicbor's u32(), reads any) and a value's pages are ordered by their low byte, then their
    high bytes, so that each entry repeats the previous one's last four bytes (LO 0x1a 0 0):
    deflate stores those as a back-reference and only HI as a literal, and the files are
    about 30 % smaller. Pagefind's script reads a value's pages as a set (a bit set to filter,
    their number for the counts), so their order changes nothing a reader sees
    (tests/search/test_slices_browser.py runs it on both)."""
    parts = [b"\x82", cbor2.dumps(name), _array(len(values))]
    for value, pages in values:
        if max(pages, default=0) >= 1 << 32:
            raise SearchIndexError("too many pages in the search index")
        ordered = sorted(pages, key=lambda p: (p & 0xFF) << 32 | p)  # low byte, then the rest
        parts += [b"\x82", cbor2.dumps(value), _array(len(ordered))]
        parts.append(struct.pack(">" + "BI" * len(ordered), *_headed(ordered)))
    return b"".join(parts)


def _headed(pages: list[int]) -> list[int]:
    """[0x1a, page, 0x1a, page, ...]: each page number as CBOR's 4-byte unsigned integer."""
    out = [0x1A] * (2 * len(pages))
    out[1::2] = pages
    return out


def _array(length: int) -> bytes:
    return cbor2.dumps([None] * length)[: -length or None]


@dataclass
class Meta:
    version: str
    pages: list[list[Any]]  # [fragment hash, word count]
    chunks: list[list[str]]  # [first word, last word, chunk hash]
    filters: list[list[str]]  # [filter name, file hash]
    sorts: list[list[Any]]  # [sort key, page numbers in that order]
    fields: list[str]  # meta field names; meta positions refer to them by index

    @classmethod
    def decode(cls, data: bytes, what: str) -> Meta:
        meta = cls.checked(decode(data, what), what)
        if meta is None:
            raise SearchIndexError(f"{what} is not in the Pagefind 1.5 format briefgen reads")
        return meta

    @classmethod
    def checked(cls, meta: object, what: str) -> Meta | None:
        """Meta from decoded CBOR, if it has the shape briefgen reads."""
        if not (isinstance(meta, list) and len(meta) == 6 and isinstance(meta[0], str)):
            return None
        if not meta[0].startswith(FORMAT_VERSION):
            raise SearchIndexError(
                f"{what} was written by Pagefind {meta[0]}; briefgen reads Pagefind "
                f"{FORMAT_VERSION}x bundles (reinstall briefgen to get its Pagefind)"
            )
        _, pages, chunks, filters, sorts, fields = meta
        shapes = (
            _rows(pages, (str, int)),
            _rows(chunks, (str, str, str)),
            _rows(filters, (str, str)),
            isinstance(sorts, list),
            isinstance(fields, list) and all(isinstance(f, str) for f in fields),
        )
        return cls(*meta) if all(shapes) else None

    def cbor(self) -> list[Any]:
        return [self.version, self.pages, self.chunks, self.filters, self.sorts, self.fields]


def meta_name(meta_hash: str) -> str:
    return f"pagefind.{meta_hash}.pf_meta"


def generated(name: str) -> bool:
    """A file Pagefind makes from the records, rather than its scripts and WebAssembly."""
    top = name.split("/", 1)[0]
    return top in ("fragment", "index", "filter") or name == ENTRY or name.endswith(".pf_meta")


def is_filter(data: object) -> bool:
    """[filter, [[value, [page number]]]], as Pagefind writes a filter file."""
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[0], str)):
        return False
    values = data[1]
    return _rows(values, (str, list)) and all(
        all(type(n) is int and n >= 0 for n in pages) for _, pages in values
    )


def _rows(value: object, types: tuple[type, ...]) -> bool:
    if type(value) is not list:
        return False
    width = len(types)
    return all(
        type(row) is list and len(row) == width and tuple(map(type, row)) == types for row in value
    )

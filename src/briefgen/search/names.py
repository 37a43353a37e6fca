"""The names Pagefind gives the files of a bundle it makes, for a slice made otherwise than by
Pagefind (resplice.py) to be what Pagefind makes.

Pagefind names a word-index chunk, a filter file and the meta file by a SHA-1 of their CBOR,
written byte by byte in hex without leading zeros (inferred from Pagefind 1.5's output, and
checked on each index Pagefind makes of an edit before a splice relies on it: as_pagefind()).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import cbor2

from briefgen.search import bundle, packed
from briefgen.search.chunks import cut, describe
from briefgen.search.merge import Slice

SHORT = 7  # hex digits of the names of fragments, chunks and filter files
META = 10  # of the meta file
CHUNK_SIZE = bundle.CHUNK_SIZE  # Pagefind's own (tests make the merge's smaller)


def name(language: str, content: bytes, digits: int = SHORT) -> str:
    """Pagefind's name of a file whose CBOR is `content`."""
    hashed = "".join(format(byte, "x") for byte in hashlib.sha1(content).digest())
    return f"{language}_{hashed[:digits]}"


def chunks(words: list[Any], language: str) -> list[list[Any]]:
    """The meta's [first word, last word, chunk name] of packed words, cut as Pagefind cuts
    its word index."""
    described: list[list[Any]] = []
    for first, last, chunk in cut(_encoded(words), CHUNK_SIZE):
        describe(described, first, last, name(language, packed.encode_chunk(chunk)))
    return described


def as_pagefind(found: Slice, language: str) -> bool:
    """Whether a slice Pagefind made has the names name() and chunks() give (another
    Pagefind, or another language, may name them otherwise)."""
    meta = found.meta
    if meta is None:
        return False
    for file_hash, content in found.filters.items():
        if name(language, cbor2.dumps(content)) != file_hash:
            return False
    info = found.entry["languages"][language]
    return (
        chunks(found.words, language) == meta.chunks
        and info["hash"] == name(language, cbor2.dumps(meta.cbor()), META)
        and info["page_count"] == len(meta.pages)
    )


def _encoded(words: list[Any]) -> Iterator[tuple[str, bytes, int]]:
    """Packed words as chunks.cut() takes them: (word, encoded entry, size)."""
    for word, pages, variants in words:
        listed = [(variant, packed.listed(found)) for variant, found in variants]
        yield word, packed.encode_word(word, packed.listed(pages), listed), pages[3]

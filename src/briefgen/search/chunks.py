"""The merged word index, cut into chunks where Pagefind cuts them, and written.

Compressing every chunk again was most of a merge's time, though an edit changes few of them:
a chunk's file is named by a hash of its content, and a chunk whose content is that of one the
output already has (`reuse` says which) is kept as it is there, not compressed again. An edited
briefing whose words keep their places (a word changed) changes one chunk or two; one whose
words move (a word added) changes the chunks of every word after it in its page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from briefgen.search import bundle, packed

# (chunk path, sha256 of its content) -> sha256 of the file the output has for it, if any
Reuse = Callable[[str, str], str | None]


@dataclass
class Chunks:
    described: list[list[Any]] = field(default_factory=list)  # the meta's [first, last, hash]
    files: dict[str, bytes] = field(default_factory=dict)  # path -> bytes, compressed now
    kept: dict[str, str] = field(default_factory=dict)  # path -> sha256 of the output's file
    digests: dict[str, str] = field(default_factory=dict)  # content sha256 -> file sha256
    order: list[tuple[int, str]] = field(default_factory=list)  # (end word, content sha256)


def write_chunks(
    words: Iterator[tuple[str, bytes, int]], language: str, reuse: Reuse | None = None
) -> Chunks:
    """`words`: (word, its encoded entry, what it adds to a chunk's size), in order. Each
    chunk to compress is compressed on another thread as soon as it is cut (zlib-ng lets go
    of the GIL), while the merge goes on."""
    done = Chunks()
    with ThreadPoolExecutor(2) as pool:
        pending: list[tuple[str, str, Future[bytes]]] = []
        end = 0
        for first, last, chunk in cut(words):
            end += len(chunk)
            content = write_chunk(done, pool, pending, chunk, language, reuse)
            done.order.append((end, content))
            describe(done.described, first, last, f"{language}_{content[:10]}")
        finish(done, pending)
    return done


def write_chunk(
    done: Chunks,
    pool: ThreadPoolExecutor,
    pending: list[tuple[str, str, Future[bytes]]],
    chunk: list[bytes],
    language: str,
    reuse: Reuse | None,
) -> str:
    """Encode a chunk; kept if the output has it, else compressed on `pool` (into `pending`,
    for finish()). Returns the sha256 of its content."""
    cbor = bundle.SIGNATURE + packed.encode_chunk(chunk)
    content = hashlib.sha256(cbor).hexdigest()
    path = f"index/{language}_{content[:10]}.pf_index"
    found = reuse(path, content) if reuse is not None else None
    if found is not None:
        done.kept[path] = done.digests[content] = found
    else:
        pending.append((path, content, pool.submit(bundle.compress, cbor)))
    return content


def finish(done: Chunks, pending: list[tuple[str, str, Future[bytes]]]) -> None:
    for path, content, future in pending:
        done.files[path] = data = future.result()
        done.digests[content] = hashlib.sha256(data).hexdigest()


def cut(
    words: Iterator[tuple[str, bytes, int]], limit: int | None = None
) -> Iterator[tuple[str, str, list[bytes]]]:
    """Chunks as (first word, last word, encoded words): a chunk ends with the word that
    brings its size to `limit` (bundle.CHUNK_SIZE)."""
    limit = bundle.CHUNK_SIZE if limit is None else limit
    chunk: list[bytes] = []
    first, size = "", 0
    for word, encoded, word_size in words:
        if not chunk:
            first = word
        chunk.append(encoded)
        size += word_size
        if size >= limit:
            yield first, word, chunk
            chunk, size = [], 0
    if chunk:
        yield first, word, chunk


def describe(described: list[list[Any]], first: str, last: str, name: str) -> None:
    """Add a chunk to the meta's list; its first word and the previous chunk's last are cut
    to the shortest prefixes that still tell the two apart."""
    if described:
        previous = described[-1]
        shortened, first = _prefixes(previous[1], first)
        # Not when that would end the previous chunk before it starts (Pagefind 1.5 keeps
        # the whole word then: seen in its output).
        if shortened >= previous[0]:
            previous[1] = shortened
    described.append([first, last, name])


def _prefixes(a: str, b: str) -> tuple[str, str]:
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return a[: common + 1], b[: common + 1]

"""What the last merge made, kept so that the next one does work in proportion to what changed.

The merged bundle numbers the slices' pages one slice after the other, so when an edit leaves
every slice's page count and the merged meta fields as they were, the next merge differs from
this one only inside the changed slices' page ranges (again.py). What it needs of the slices
that did not change is here, not in the slices: the merged page list and fragment names, the
merged filter values, and per word of the word index its size and the length of its encoded
entry (the entries themselves are in the output's chunk files, whose content hashes are here
too; a chunk read back is checked against its hash).

It is stored as `SITE/.briefgen-cache/search/merged.cbor` (slices.py) and kept by serve in
memory. Like the rest of the cache it is untrusted: a state that is not in the shape written
here, whose digest does not match its bytes, that was made for other slices (its `keys`), or
whose files the output no longer has, means a full merge, never an error. A deliberately
forged state with a matching digest could change what search shows, as a forged stored slice
could (SECURITY.md).
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import cbor2

FORMAT = f"1 {sys.byteorder}"  # numbers are stored as arrays of machine integers
_ARRAYS = ("sizes", "lengths", "main_lengths", "part_at", "part_slice", "part_start", "part_last")


class WordTable:
    """A merged word index as State keeps it: per word its size, its entry's length and where
    each slice's run of pages is in it (made by the full merge, or by the merge again from
    runs of the last one and changed words)."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.sizes, self.lengths, self.main_lengths = array("q"), array("q"), array("q")
        self.part_at = array("q", [0])
        self.part_slice, self.part_start, self.part_last = array("q"), array("q"), array("q")

    def copy(self, state: State, start: int, end: int) -> None:
        """The last merge's words `start` to `end`, unchanged."""
        self.words += state.words[start:end]
        self.sizes += state.sizes[start:end]
        self.lengths += state.lengths[start:end]
        self.main_lengths += state.main_lengths[start:end]
        first, last = state.part_at[start], state.part_at[end]
        shift = len(self.part_slice) - first
        self.part_slice += state.part_slice[first:last]
        self.part_start += state.part_start[first:last]
        self.part_last += state.part_last[first:last]
        self.part_at.extend(at + shift for at in state.part_at[start + 1 : end + 1])

    def add(
        self, word: str, entry: bytes, size: int, length: int, rows: Iterable[Sequence[int]]
    ) -> None:
        self.words.append(word)
        self.sizes.append(size)
        self.lengths.append(len(entry))
        self.main_lengths.append(length)
        for index, start, last in rows:
            self.part_slice.append(index)
            self.part_start.append(start)
            self.part_last.append(last)
        self.part_at.append(len(self.part_slice))


@dataclass
class State:
    keys: list[str]  # the slices' keys, in merge order
    counts: list[int]  # pages per slice
    slice_fields: list[list[str]]  # each slice's meta fields
    fields: list[str]  # the merged bundle's
    language: str
    version: str  # Pagefind's, in the meta
    entry: dict[str, Any]  # the first slice's pagefind-entry.json
    scripts: dict[str, str]  # Pagefind's scripts: path -> sha256
    runs: list[list[list[Any]]]  # per slice: [run hash, pages, long name?] (fragments.py)
    pages: list[list[Any]]  # the merged meta's pages: [fragment name, word count]
    digests: bytes  # each page's fragment file's sha256 (32 bytes each), in page order
    words: list[str]  # the word index, in order
    sizes: array[int]  # what each word adds to a chunk (packed.py)
    lengths: array[int]  # the length of each word's encoded entry
    # Where each slice's pages are in a word's page list (packed.join's table): word k's
    # parts are part_at[k] to part_at[k + 1]; each part's slice, where it starts after the
    # list's head, and its last page; and the length of the list after its head.
    main_lengths: array[int]
    part_at: array[int]
    part_slice: array[int]
    part_start: array[int]
    part_last: array[int]
    chunks: list[list[Any]]  # [end (index of the word after it), content sha256, file sha256]
    filters: dict[str, dict[str, list[int]]]  # filter -> value -> page numbers, ascending
    filter_files: dict[str, list[str]]  # filter -> [file hash, file sha256]

    @classmethod
    def made(
        cls,
        table: WordTable,
        chunks: list[tuple[int, str]],
        chunk_files: dict[str, str],
        **rest: Any,
    ) -> State:
        """A merge's state: its word table, its chunks ((end, content sha256) in order, and
        content -> file sha256), and the rest of State's fields."""
        return cls(
            words=table.words,
            sizes=table.sizes,
            lengths=table.lengths,
            main_lengths=table.main_lengths,
            part_at=table.part_at,
            part_slice=table.part_slice,
            part_start=table.part_start,
            part_last=table.part_last,
            chunks=[[end, content, chunk_files[content]] for end, content in chunks],
            **rest,
        )

    def offsets(self) -> list[int]:
        out, at = [], 0
        for count in self.counts:
            out.append(at)
            at += count
        return out

    def fragments(
        self, start: int = 0, end: int | None = None
    ) -> Iterator[tuple[str, tuple[None, str]]]:
        """(fragment path, (None, sha256)) of pages `start` to `end` (as Merged.kept has them)."""
        end = len(self.pages) if end is None else end
        hexes = self.digests[32 * start : 32 * end].hex()
        paths = [f"fragment/{name}.pf_fragment" for name, _ in self.pages[start:end]]
        found = [(None, hexes[at : at + 64]) for at in range(0, len(hexes), 64)]
        return zip(paths, found, strict=True)

    def to_bytes(self, stamp: str) -> bytes:
        values = [getattr(self, name) for name in _FIELDS]
        values = [v.tobytes() if isinstance(v, array) else v for v in values]
        # Lists of numbers as arrays' bytes: cbor2 writes and reads them at memory speed.
        at = _FIELDS.index("pages")
        counts = array("q", map(operator.itemgetter(1), self.pages)).tobytes()
        values[at] = [[name for name, _ in self.pages], counts]
        at = _FIELDS.index("filters")
        values[at] = {
            name: {value: array("q", pages).tobytes() for value, pages in found.items()}
            for name, found in self.filters.items()
        }
        body = cbor2.dumps(values)
        digest = hashlib.sha256(body).hexdigest()
        return cbor2.dumps({"format": FORMAT, "stamp": stamp, "sha256": digest, "body": body})

    @classmethod
    def from_bytes(cls, data: bytes, stamp: str) -> State | None:
        """The state in `data`, if it is whole, in this shape, and was made with `stamp` (what
        else makes the bundle's bytes: the store format, compressor)."""
        try:
            outer = cbor2.loads(data)
            if not (isinstance(outer, dict) and outer.get("format") == FORMAT):
                return None
            body = outer["body"]
            if outer["stamp"] != stamp or not isinstance(body, bytes):
                return None
            if hashlib.sha256(body).hexdigest() != outer["sha256"]:
                return None
            values = cbor2.loads(body)
            if not (isinstance(values, list) and len(values) == len(_FIELDS)):
                return None
            for place, name in enumerate(_FIELDS):
                if name in _ARRAYS:
                    values[place] = _numbers(values[place])
            at = _FIELDS.index("pages")
            names, counts = values[at]
            if not _list_of(names, str):
                return None
            values[at] = list(map(list, zip(names, _numbers(counts).tolist(), strict=True)))
            at = _FIELDS.index("filters")
            values[at] = {
                name: {value: _numbers(pages).tolist() for value, pages in found.items()}
                for name, found in values[at].items()
            }
            state = cls(*values)
            return state if state.consistent() else None
        except Exception:  # whatever is wrong with it: a full merge
            return None

    def consistent(self) -> bool:
        """The shape and the sums hang together (not that it is this site's: see again.py)."""
        n = len(self.keys)
        lists_of_str = (self.keys, self.words, self.fields)
        if not all(_list_of(v, str) for v in lists_of_str):
            return False
        if not (_list_of(self.counts, int) and isinstance(self.entry, dict)):
            return False
        if not (len(self.counts) == len(self.slice_fields) == len(self.runs) == n):
            return False
        if not all(_list_of(f, str) for f in self.slice_fields):
            return False
        if not (isinstance(self.language, str) and isinstance(self.version, str)):
            return False
        if not (_str_dict(self.scripts) and isinstance(self.digests, bytes)):
            return False
        if len(self.digests) != 32 * len(self.pages):
            return False
        if min(self.counts, default=0) < 0 or sum(self.counts) != len(self.pages):
            return False
        if not self._runs_ok():
            return False
        words = len(self.words)
        if not (words == len(self.sizes) == len(self.lengths) == len(self.main_lengths)):
            return False
        if not _ascending(self.words):
            return False
        if min(self.sizes, default=0) < 0 or min(self.lengths, default=1) < 1:
            return False
        return self._parts_ok() and self._chunks_ok() and self._filters_ok()

    def _parts_ok(self) -> bool:
        parts = len(self.part_slice)
        if not (parts == len(self.part_start) == len(self.part_last)):
            return False
        at = self.part_at
        if len(at) != len(self.words) + 1 or at[0] != 0 or at[-1] != parts:
            return False
        if not all(map(operator.le, at, itertools.islice(at, 1, None))):
            return False
        slices = len(self.keys)
        return min(self.part_slice, default=0) >= 0 and max(self.part_slice, default=0) < slices

    def _runs_ok(self) -> bool:
        for runs, count in zip(self.runs, self.counts, strict=True):
            if not isinstance(runs, list):
                return False
            total = 0
            for run in runs:
                if not (isinstance(run, list) and len(run) == 3):
                    return False
                run_hash, pages, long = run
                if type(run_hash) is not str or type(pages) is not int or type(long) is not bool:
                    return False
                total += pages
            if total != count:
                return False
        return True

    def _chunks_ok(self) -> bool:
        previous = 0
        for chunk in self.chunks:
            if not (isinstance(chunk, list) and len(chunk) == 3):
                return False
            end, content, digest = chunk
            if type(end) is not int or end <= previous:
                return False
            if not (type(content) is str and type(digest) is str and len(content) == 64):
                return False
            previous = end
        return previous == len(self.words)

    def _filters_ok(self) -> bool:
        if not isinstance(self.filters, dict) or not isinstance(self.filter_files, dict):
            return False
        if set(self.filters) != set(self.filter_files):
            return False
        pages = len(self.pages)
        for name, values in self.filters.items():
            if not (isinstance(name, str) and isinstance(values, dict)):
                return False
            if not (_list_of(self.filter_files[name], str) and len(self.filter_files[name]) == 2):
                return False
            for value, found in values.items():
                if not (isinstance(value, str) and _list_of(found, int)):
                    return False
                if not _ascending(found):
                    return False
                if found and (found[0] < 0 or found[-1] >= pages):
                    return False
        return True


_FIELDS = [
    "keys",
    "counts",
    "slice_fields",
    "fields",
    "language",
    "version",
    "entry",
    "scripts",
    "runs",
    "pages",
    "digests",
    "words",
    "sizes",
    "lengths",
    "main_lengths",
    "part_at",
    "part_slice",
    "part_start",
    "part_last",
    "chunks",
    "filters",
    "filter_files",
]


def _numbers(data: bytes) -> array[int]:
    numbers = array("q")
    numbers.frombytes(data)  # a TypeError or ValueError if not bytes of whole numbers
    return numbers


def _list_of(value: object, kind: type) -> bool:
    """A list of `kind` only (checked in C: states hold lists of tens of thousands)."""
    return type(value) is list and set(map(type, value)) <= {kind}


def _ascending(values: list[Any]) -> bool:
    return all(map(operator.lt, values, itertools.islice(values, 1, None)))


def _str_dict(value: object) -> bool:
    return (
        isinstance(value, dict)
        and set(map(type, value.items())) <= {tuple}
        and (set(map(type, value)) | set(map(type, value.values())) <= {str})
    )

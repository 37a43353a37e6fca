"""An edited briefing's records spliced into its slice's last index, rather than the whole
slice indexed again by Pagefind.

A slice's records are its briefings' pages in site order, then all their notes (index.py's
slice_records), so when every briefing keeps its number of notes, each record keeps its page
number, and a briefing's records are at places known from the briefings' annotation counts.
Pagefind makes each page's data of that page alone: its fragment (named by a hash of its
content), its word count, its entries in the word lists (word positions, meta field positions)
and its filter values (tests/search/test_resplice.py checks the splice against Pagefind's
index of the whole slice, over random edits). So Pagefind indexes the edited briefings'
records only (a few records), and the slice's new index is the old one with:

- those pages' entries in the meta's page list, fragments, word lists and filter values
  replaced by the new index's, its page numbers mapped to the slice's;
- what depends on the whole run made again as Pagefind makes it: the word index's chunks
  (cut by size), the filter files and the meta file, each named by a hash of its content
  (names.py). The meta fields stay the slice's: an edit that would add one, or may remove
  one (the other briefings' records are not known to have it), is not spliced.

The old page lists are cut and joined as bytes (_Splice._replaced), and only those whose
first and last pages enclose an edited page are read. Whatever does not fit (a fragment name
Pagefind lengthened for a collision, which depends on the run; a page list not in the shape
Pagefind writes) gives None: the whole slice is indexed again, as before.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cbor2

from briefgen.document.model import Briefing
from briefgen.search import names, packed
from briefgen.search.bundle import Meta
from briefgen.search.merge import Slice, _field_remap
from briefgen.search.records import PAGE_FIELDS, annotation_fields

Before = list[tuple[str, int]]  # a slice's briefings at the last build: (digest, notes)
Entry = list[Any]  # a page list's entry with its page number: [page, positions, meta positions]

_EMPTY: packed.Packed = [0, 0, 0, 0, b""]
# A page list's entry as Pagefind writes it, [delta, [position], [meta position]]: its delta
# (group 1), then two arrays of integers (CBOR heads whose first bytes tell them apart)
_INT = rb"(?:[\x00-\x17\x20-\x37]|[\x18\x38].|[\x19\x39].{2}|[\x1a\x3a].{4}|[\x1b\x3b].{8})"
_ARRAY = rb"(?:[\x80-\x97]|\x98.|\x99.{2}|\x9a.{4})"
_ENTRY = re.compile(
    rb"(\x83(" + _INT + rb")" + _ARRAY + _INT + rb"*" + _ARRAY + _INT + rb"*)", re.S
)
_HEAD = {1: 0, 2: 0x1800, 3: 0x190000, 5: 0x1A00000000, 9: 0x1B << 64}  # a head's own bits


@dataclass(frozen=True)
class Plan:
    """Where an edited slice's records are: `pages[k]` is the slice's page number of the k-th
    record of the edited briefings' own index (their pages, then their notes)."""

    old: Slice
    edited: list[int]  # the edited briefings' places in the slice
    pages: list[int]
    others: frozenset[str]  # meta fields that records of the other briefings have for sure


def plan(old: Slice, before: Before, group: Sequence[Briefing], now: Sequence[str]) -> Plan | None:
    """How to splice the slice `group` (the briefings' digests `now`) into `old`, whose
    briefings were `before`; None if it cannot be (a briefing more or fewer, notes added or
    removed, most of the slice edited)."""
    count = len(group)
    notes = [len(b.annotations) for b in group]
    if old.meta is None or len(before) != count or [n for _, n in before] != notes:
        return None
    edited = [j for j, (digest, _) in enumerate(before) if digest != now[j]]
    if not edited or len(edited) > max(2, count // 4):
        return None
    if len(old.meta.pages) != count + sum(notes):
        return None
    starts = list(itertools.accumulate(notes, initial=count))
    pages = edited + [starts[j] + k for j in edited for k in range(notes[j])]
    others: set[str] = set(PAGE_FIELDS) if count > len(edited) else set()
    for j, b in enumerate(group):
        if j not in edited:
            others.update(f for a in b.annotations for f in annotation_fields(a))
    return Plan(old, edited, pages, frozenset(others))


def splice(plan: Plan, language: str, new: Slice) -> Slice | None:
    """The slice's index with the edited records' pages taken from `new` (Pagefind's index
    of those records, in the order of plan.pages), or None if it cannot be made exactly."""
    try:
        return _Splice(plan, language, new).made()
    except _Unfit:
        return None
    except (ValueError, TypeError, IndexError, KeyError, cbor2.CBORDecodeError):
        return None  # a stored slice not as it says: index it whole


class _Unfit(Exception):
    pass


class _Splice:
    def __init__(self, plan: Plan, language: str, new: Slice) -> None:
        old, self.new = plan.old.meta, new.meta
        if old is None or self.new is None or old.sorts or self.new.sorts:
            raise _Unfit
        self.plan, self.language, self.new_slice = plan, language, new
        self.old = old
        self.to_slice = plan.pages
        if len(self.new.pages) != len(self.to_slice) or self.new.version != old.version:
            raise _Unfit
        fields, made = set(old.fields), set(self.new.fields)
        if not made <= fields or not fields <= made | plan.others:
            raise _Unfit  # a meta field comes or may go with the edit
        self.remap = _field_remap(self.new.fields, old.fields)
        self.edited = set(self.to_slice)
        self.ranges = _ranges(sorted(self.edited))

    def made(self) -> Slice:
        if not names.as_pagefind(self.new_slice, self.language):
            raise _Unfit
        pages, files, data = self._pages()
        words = self._words()
        filters = self._filters()
        chunks = names.chunks(words, self.language)
        described = [[name, file_hash] for file_hash, (name, _) in filters.items()]
        meta = Meta(self.old.version, pages, chunks, described, [], list(self.old.fields))
        entry = self.plan.old.entry
        info = entry["languages"][self.language]
        meta_hash = names.name(self.language, cbor2.dumps(meta.cbor()), names.META)
        entry = {
            **entry,
            "languages": {self.language: {**info, "hash": meta_hash, "page_count": len(pages)}},
        }
        return Slice(entry, meta, filters, words, files, data)

    def _pages(self) -> tuple[list[list[Any]], dict[str, str], dict[str, bytes]]:
        """The meta's page list, the slice's files and the bytes of those made now."""
        old, new, found = self.old, self.new, self.new_slice
        assert new is not None
        if {k: v for k, v in found.entry.items() if k != "languages"} != {
            k: v for k, v in self.plan.old.entry.items() if k != "languages"
        }:
            raise _Unfit
        scripts = {n: d for n, d in self.plan.old.files.items() if not n.startswith("fragment/")}
        if scripts != {n: d for n, d in found.files.items() if not n.startswith("fragment/")}:
            raise _Unfit  # another Pagefind
        pages = [list(p) for p in old.pages]
        for k, page in enumerate(self.to_slice):
            pages[page] = list(new.pages[k])
        standard = len(self.language) + 1 + names.SHORT
        for listed in (old.pages, pages):
            given = [h for h, _ in listed]
            if len(set(given)) != len(given) or any(len(h) != standard for h in given):
                raise _Unfit  # Pagefind lengthens a name another page has: run-dependent
        files = dict(scripts)
        for fragment_hash, _ in pages:
            path = f"fragment/{fragment_hash}.pf_fragment"
            files[path] = self.plan.old.files.get(path) or found.files[path]
        made = {f"fragment/{h}.pf_fragment" for h, _ in new.pages}
        data = {n: b for n, b in found.data.items() if n in made or n in scripts}
        return pages, files, data

    def _words(self) -> list[Any]:
        """The slice's packed words: the old ones whose page lists have none of the edited
        pages as they are; the others made again with the new index's pages."""
        old_words: list[Any] = self.plan.old.words
        new_words: list[Any] = self.new_slice.words
        by_word = heapq.merge(((w[0], 0, w) for w in old_words), ((w[0], 1, w) for w in new_words))
        out: list[Any] = []
        for word, group in itertools.groupby(by_word, key=lambda found: found[0]):
            old: Any = None
            new: Any = None
            for _, source, found in group:
                if source:
                    new = found
                else:
                    old = found
            if new is None and not self._touches(old):
                out.append(old)
                continue
            made = self._word(word, old, new)
            if made is not None:
                out.append(made)
        return out

    def _touches(self, word: list[Any]) -> bool:
        """Whether a page list of the old word may hold an edited page."""
        lists = [word[1], *(v[1] for v in word[2])]
        for count, first, last, _, _ in lists:
            if count and any(first < end and start <= last for start, end in self.ranges):
                return True
        return False

    def _word(self, word: str, old: list[Any] | None, new: list[Any] | None) -> list[Any] | None:
        """The word with the edited pages' entries of `old` replaced by those of `new`."""
        added: dict[str | None, list[Entry]] = {}  # None: the main list; else a variant's
        if new is not None:
            to_slice, remap = self.to_slice, self.remap
            for name, pages in [(None, new[1]), *new[2]]:
                added[name] = [
                    [to_slice[p], positions, remap(meta) if remap else meta]
                    for p, positions, meta in _entries(pages)
                ]
        lists: dict[str | None, packed.Packed] = {}
        if old is not None:
            for name, pages in [(None, old[1]), *old[2]]:
                lists[name] = self._replaced(pages, added.pop(name, []))
        for name, entries in added.items():
            lists[name] = _packed(sorted(entries, key=lambda e: e[0]))
        main = lists.pop(None, _EMPTY)
        variants = [[n, found] for n, found in sorted(lists.items(), key=str) if found[0]]
        if not main[0] and not variants:
            return None  # no page has the word any more
        return [word, main, variants]

    def _replaced(self, pages: packed.Packed, added: list[Entry]) -> packed.Packed:
        """A packed page list with its entries of edited pages replaced by `added` (page
        numbers, positions, meta positions). Its entries are found and their page numbers
        summed in C (a regular expression, accumulate); only the edited pages' entries, and
        the one after each change (its delta from the page before), are made again."""
        count, _, _, size, _ = pages
        if not count:
            return _packed(sorted(added, key=_first))
        data = packed.listed(pages)
        at = len(packed.head(4, count))
        found = _ENTRY.findall(data, at)  # [(entry, its delta's head)]
        ends = list(itertools.accumulate(map(len, map(_first, found)), initial=at))
        if len(found) != count or ends[-1] != len(data):
            raise _Unfit  # not the shape Pagefind writes
        heads = list(map(_second, found))
        deltas = map(
            operator.sub, map(int.from_bytes, heads), map(_HEAD.__getitem__, map(len, heads))
        )
        numbers = list(itertools.accumulate(deltas))  # each entry's page
        added.sort(key=_first)
        pieces: list[bytes] = []
        last = entries = cursor = taken = 0

        def kept(start: int, end: int) -> None:  # entries start..end-1, as they are
            nonlocal last, entries
            if start == end:
                return
            if (numbers[start - 1] if start else 0) == last:
                pieces.append(data[ends[start] : ends[end]])
            else:  # its delta changes
                skip = ends[start] + 1 + len(heads[start])
                delta = packed.head(0, numbers[start] - last)
                pieces.extend((b"\x83", delta, data[skip : ends[end]]))
            last, entries = numbers[end - 1], entries + end - start

        for start, end in self.ranges:
            i = bisect.bisect_left(numbers, start, cursor)
            j = bisect.bisect_left(numbers, end, i)
            kept(cursor, i)
            for k in range(i, j):
                size -= _size([0, *cbor2.loads(data[ends[k] : ends[k + 1]])[1:]])
            while taken < len(added) and added[taken][0] < end:
                pieces.append(_entry(added[taken], last, entries))
                size += _size(added[taken])
                last, entries, taken = added[taken][0], entries + 1, taken + 1
            cursor = j
        kept(cursor, count)
        if taken != len(added):
            raise _Unfit  # a new entry outside the edited pages
        if not entries:
            return _EMPTY
        body = b"".join(pieces)
        first, start = packed.head_at(body, 1, 0)
        return [entries, first, last, size, body[start:]]

    def _filters(self) -> dict[str, list[Any]]:
        """Filter file hash -> [filter, [[value, [page]]]], the edited pages' values
        replaced; values in order (Pagefind's order is that of a hash map's: any)."""
        values: dict[str, dict[str, list[int]]] = {}
        old, new = self.plan.old, self.new_slice
        for name, found in old.filters.values():
            into = values.setdefault(name, {})
            for value, pages in found:
                into.setdefault(value, []).extend(p for p in pages if p not in self.edited)
        for name, found in new.filters.values():
            into = values.setdefault(name, {})
            for value, pages in found:
                into.setdefault(value, []).extend(self.to_slice[p] for p in pages)
        out = {}
        for name in sorted(values):
            rows = [[v, sorted(p)] for v, p in sorted(values[name].items()) if p]
            if rows:
                content = [name, rows]
                out[names.name(self.language, cbor2.dumps(content))] = content
        return out


def _ranges(pages: list[int]) -> list[tuple[int, int]]:
    """Sorted page numbers as runs [start, end)."""
    out: list[tuple[int, int]] = []
    for page in pages:
        if out and out[-1][1] == page:
            out[-1] = (out[-1][0], page + 1)
        else:
            out.append((page, page + 1))
    return out


def _entry(entry: Entry, last: int, before: int) -> bytes:
    """A page list's entry, after the page `last` (`before`: how many entries are before)."""
    page, positions, meta = entry
    if page <= last and before:
        raise _Unfit
    return cbor2.dumps([page - last, positions, meta])


def _size(entry: Entry) -> int:
    """What an entry adds to a chunk's size (packed.py)."""
    return len(entry[1]) + len(entry[2]) + 1


_first = operator.itemgetter(0)
_second = operator.itemgetter(1)


def _entries(pages: packed.Packed) -> list[Entry]:
    """A packed page list's entries, with page numbers rather than deltas."""
    if not pages[0]:
        return []
    decoded = cbor2.loads(packed.listed(pages))
    page = 0
    out = []
    for delta, positions, meta in decoded:
        page += delta
        out.append([page, positions, meta])
    return out


def _packed(entries: list[Entry]) -> packed.Packed:
    """Entries (in page order) packed as packed.pack_chunk() packs a page list."""
    if not entries:
        return [0, 0, 0, 0, b""]
    last = size = 0
    listed: list[list[Any]] = []
    for page, positions, meta in entries:
        if page <= last and listed:
            raise _Unfit  # two entries of one page
        listed.append([page - last, positions, meta])
        size += len(positions) + len(meta) + 1
        last = page
    first = entries[0][0]
    encoded = cbor2.dumps(listed)
    start = len(packed.head(4, len(listed)) + packed.head(4, 3) + packed.head(0, first))
    return [len(listed), first, last, size, encoded[start:]]

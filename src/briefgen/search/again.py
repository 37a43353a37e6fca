"""The merge again after an edit, in proportion to what changed (merge.py does it whole).

The merged bundle numbers pages slice after slice. When the slices differ from those of the
last merge (its State, previous.py) only in some slices, each of which keeps its page count,
and the merged meta fields are the same, every other slice keeps its page numbers, and:

- the page list is the last one with the changed slices' pages named again (fragments.py;
  a run of another slice that would change its name means a full merge);
- a filter value's pages are the last ones with the changed slice's range replaced;
- only the words whose page lists differ between a changed slice's old and new version get a
  new entry: the last entry (read from the output's chunk file, checked against its content
  hash), with that slice's pages (one range: slices' page lists are joined in slice order)
  replaced by the new version's (splice.py); a word no slice has any more is left
  out, a new one added. Chunks are cut again over the words' sizes (numbers: cheap); a chunk
  whose words are those of one of the last merge, none of them changed, keeps that chunk's
  content hash and file, and is neither encoded, hashed nor compressed again.

The result is byte for byte the full merge's (tests/search/test_merge_again.py compares them
over random edits). merge_again() returns None whenever it cannot tell: then merge in full.
"""

from __future__ import annotations

import bisect
import hashlib
from array import array
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import cbor2

from briefgen.search import fragments, packed, splice
from briefgen.search.again_parts import (
    OldChunks,
    Read,
    Stale,
    ends,
    filter_values,
    full,
    joined_pages,
)
from briefgen.search.bundle import Meta
from briefgen.search.chunks import Chunks, Reuse, describe, finish, write_chunk
from briefgen.search.merge import (
    Merged,
    Slice,
    _field_remap,
    named_runs,
    write_filter,
    write_head,
)
from briefgen.search.previous import State, WordTable

_Kept = tuple[bytes | None, str]  # a file of the bundle: its bytes if made now, its sha256
_EMPTY: packed.Packed = [0, 0, 0, 0, b""]


@dataclass(frozen=True)
class Change:
    index: int  # the slice's place in the merge
    old: Slice  # as the last merge had it (its key is State.keys[index])
    new: Slice


def merge_again(
    state: State, keys: list[str], changes: list[Change], read: Read, reuse: Reuse | None
) -> Merged | None:
    """The merged bundle of the slices `keys`, from `state` (made of the slices before
    `changes`), or None: merge in full."""
    try:
        return _Again(state, keys, changes, read, reuse).merged()
    except Exception:  # Stale, splice.Mismatch, or a State that is not what it says
        return None


class _Again:
    def __init__(
        self, state: State, keys: list[str], changes: list[Change], read: Read, reuse: Reuse | None
    ) -> None:
        self.state, self.keys, self.read, self.reuse = state, keys, read, reuse
        self.changes = sorted(changes, key=lambda c: c.index)
        self.offsets = state.offsets()
        self._check()
        self.ranges = [self._range(c.index) for c in self.changes]
        self.remaps = [
            _field_remap(c.new.meta.fields if c.new.meta else [], state.fields)
            for c in self.changes
        ]
        self.ends = [end for end, _, _ in state.chunks]
        self.old = OldChunks(state, read)

    def _range(self, index: int) -> tuple[int, int]:
        return self.offsets[index], self.offsets[index] + self.state.counts[index]

    def _check(self) -> None:
        state = self.state
        if len(self.keys) != len(state.keys) or not self.changes:
            raise Stale
        changed = {c.index for c in self.changes}
        if any(
            a != b
            for i, (a, b) in enumerate(zip(self.keys, state.keys, strict=True))
            if i not in changed
        ):
            raise Stale
        fields = [list(f) for f in state.slice_fields]
        for c in self.changes:
            old, new = c.old.meta, c.new.meta
            if old is None or new is None or new.sorts or state.keys[c.index] == self.keys[c.index]:
                raise Stale
            if len(old.pages) != state.counts[c.index] or len(new.pages) != len(old.pages):
                raise Stale
            if old.fields != state.slice_fields[c.index]:
                raise Stale
            if list(c.new.entry.get("languages", {})) != [state.language]:
                raise Stale
            runs = [h for h, _ in fragments.runs(old.pages, c.old.files)]
            if runs != [r[0] for r in state.runs[c.index]]:
                raise Stale  # the old slice is not the one the state was made of
            if not full(c.new):
                raise Stale
            fields[c.index] = list(new.fields)
        if sorted({f for found in fields for f in found}) != state.fields:
            raise Stale

    def merged(self) -> Merged:
        state, first = self.state, self.changes[0]
        base = first.new if first.index == 0 else None
        files: dict[str, bytes] = {}
        kept: dict[str, tuple[bytes | None, str]] = {}
        if base is not None:
            assert base.meta is not None
            version, entry = base.meta.version, base.entry
            scripts = {n: d for n, d in base.files.items() if not n.startswith("fragment/")}
            kept.update({name: (base.data.get(name), d) for name, d in scripts.items()})
        else:
            version, entry, scripts = state.version, state.entry, state.scripts
            kept.update({name: (None, digest) for name, digest in scripts.items()})
        pages, runs, named, digests = self._pages()
        kept.update(named)
        described_filters, filters, filter_files = self._filters(files, kept)
        words, chunks = self._words()
        kept.update({p: (None, d) for p, d in chunks.kept.items()})
        files.update(chunks.files)
        meta = Meta(version, pages, chunks.described, described_filters, [], state.fields)
        write_head(files, meta, entry, state.language)
        new_state = State.made(
            words,
            chunks.order,
            chunks.digests,
            keys=list(self.keys),
            counts=list(state.counts),
            slice_fields=[
                list(c.new.meta.fields) if (c := self._change(i)) and c.new.meta else f
                for i, f in enumerate(state.slice_fields)
            ],
            fields=state.fields,
            language=state.language,
            version=version,
            entry=entry,
            scripts=scripts,
            runs=runs,
            pages=pages,
            digests=digests,
            filters=filters,
            filter_files=filter_files,
        )
        return Merged(files, kept, chunks.digests, new_state)

    def _change(self, index: int) -> Change | None:
        for c in self.changes:
            if c.index == index:
                return c
        return None

    def _pages(
        self,
    ) -> tuple[list[list[Any]], list[list[list[Any]]], dict[str, _Kept], bytes]:
        """The page list, each slice's runs, the fragments (path -> bytes if just indexed,
        sha256) and their sha256s in page order: the changed slices' pages named again."""
        state = self.state
        namer = fragments.Namer()
        pages = list(state.pages)
        runs = list(state.runs)
        named: dict[str, _Kept] = {}
        digests = bytearray(state.digests)
        changed = {c.index for c in self.changes}
        for index, start in enumerate(self.offsets):
            if index not in changed:
                named.update(state.fragments(start, start + state.counts[index]))
        for index, slice_runs in enumerate(state.runs):
            change = self._change(index)
            if change is None:
                for run_hash, _, long in slice_runs:
                    if namer.claim(run_hash) != long:
                        raise Stale  # another slice's run takes or gives up a short name
                continue
            added: list[list[Any]] = []
            made: dict[str, tuple[bytes | None, str]] = {}
            runs[index] = named_runs(change.new, namer, added, made)
            start, end = self._range(index)
            pages[start:end] = added
            named.update(made)
            digests[32 * start : 32 * end] = bytes.fromhex("".join(d for _, d in made.values()))
        return pages, runs, named, bytes(digests)

    def _filters(
        self, files: dict[str, bytes], kept: dict[str, tuple[bytes | None, str]]
    ) -> tuple[list[Any], dict[str, dict[str, list[int]]], dict[str, list[str]]]:
        state = self.state
        filters = dict(state.filters)
        touched: set[str] = set()
        for c, (start, end) in zip(self.changes, self.ranges, strict=True):
            old, new = filter_values(c.old, start), filter_values(c.new, start)
            if old == new:
                continue
            for name in old.keys() | new.keys():
                values = dict(filters.get(name, {}))
                for value in old.get(name, {}).keys() | new.get(name, {}).keys():
                    found = values.get(value, [])
                    low, high = bisect.bisect_left(found, start), bisect.bisect_left(found, end)
                    joined = found[:low] + new.get(name, {}).get(value, []) + found[high:]
                    if joined:
                        values[value] = joined
                    else:
                        values.pop(value, None)
                filters[name] = values
                touched.add(name)
        filter_files = dict(state.filter_files)
        described = []
        for name in sorted(n for n, v in filters.items() if v):
            if name in touched:
                file_hash, data = write_filter(name, filters[name], state.language)
                files[f"filter/{file_hash}.pf_filter"] = data
                filter_files[name] = [file_hash, hashlib.sha256(data).hexdigest()]
            else:
                file_hash, digest = state.filter_files[name]
                kept[f"filter/{file_hash}.pf_filter"] = (None, digest)
            described.append([name, file_hash])
        filters = {n: v for n, v in filters.items() if v}
        return described, filters, {n: filter_files[n] for n in filters}

    def _words(self) -> tuple[WordTable, Chunks]:
        """The word index with the changed words' entries made again, cut into chunks."""
        state = self.state
        new = WordTable()
        copied: list[tuple[int, int, int]] = []  # (new start, old start, length)
        dirty: dict[int, bytes] = {}  # new index -> its new entry
        at = 0
        for word, parts in sorted(self._changed_words().items()):
            made = self._entry(word, parts)
            k = bisect.bisect_left(state.words, word, at)
            if k > at:
                copied.append((len(new.words), at, k - at))
                new.copy(state, at, k)
            at = k + 1 if k < len(state.words) and state.words[k] == word else k
            if made is not None:
                dirty[len(new.words)] = made[0]
                new.add(word, *made)
        if at < len(state.words):
            copied.append((len(new.words), at, len(state.words) - at))
            new.copy(state, at, len(state.words))
        return new, self._chunks(new.words, new.sizes, copied, dirty)

    def _changed_words(self) -> dict[str, list[tuple[int, list[Any] | None, list[Any] | None]]]:
        """Word -> [(change number, the old slice's packed word, the new one's)] for each
        changed slice whose page lists of the word differ between its old and new version."""
        out: dict[str, list[tuple[int, list[Any] | None, list[Any] | None]]] = {}
        for number, c in enumerate(self.changes):
            old = {w[0]: w for w in c.old.words}
            for word in c.new.words:
                before = old.pop(word[0], None)
                if before != word:
                    out.setdefault(word[0], []).append((number, before, word))
            for gone, before in old.items():
                out.setdefault(gone, []).append((number, before, None))
        return out

    def _entry(
        self, word: str, parts: list[tuple[int, list[Any] | None, list[Any] | None]]
    ) -> tuple[bytes, int, int, list[splice.Row]] | None:
        """A changed word's new entry, size, page list length and table; None if no slice
        has it any more."""
        state = self.state
        bounds = [self.ranges[n] for n, _, _ in parts]
        places = [(self.ranges[n][0], self.remaps[n]) for n, _, _ in parts]
        k = bisect.bisect_left(state.words, word)
        if k < len(state.words) and state.words[k] == word:
            old = self.old.entry(k)
            start = packed.head(4, 3) + cbor2.dumps(word)
            if not old.startswith(start):
                raise Stale
            count, content_start = packed.head_at(old, len(start), 4)
            main_end = content_start + state.main_lengths[k]
            rows = [
                [state.part_slice[i], state.part_start[i], state.part_last[i]]
                for i in range(state.part_at[k], state.part_at[k + 1])
            ]
            pages = splice.PageList(old[content_start:main_end], rows, count, state.sizes[k])
            variants = packed.variants_split(old, main_end, bounds)
        else:
            pages, variants = splice.PageList(b"", [], 0, 0), []
        for n, before, after in parts:
            old_pages = before[1] if before is not None else None
            new_pages = after[1] if after is not None else None
            offset, index = self.ranges[n][0], self.changes[n].index
            pages = splice.replace(pages, index, offset, old_pages, new_pages, self.remaps[n])
        old_variants = dict(variants)
        new_variants: dict[str, dict[int, packed.Packed]] = {}
        for place, (_, _, after) in enumerate(parts):
            for name, variant_pages in after[2] if after is not None else []:
                new_variants.setdefault(name, {})[place] = variant_pages
        joined = []
        for name in sorted(old_variants.keys() | new_variants.keys()):
            gaps = old_variants.get(name) or [_EMPTY] * (len(bounds) + 1)
            variant, _, variant_count = joined_pages(places, gaps, new_variants.get(name, {}))
            if variant_count:
                joined.append((name, variant))
        if not (pages.count or joined):
            return None
        encoded = packed.encode_word(word, packed.head(4, pages.count) + pages.content, joined)
        return encoded, pages.size, len(pages.content), pages.rows

    def _chunks(
        self,
        words: list[str],
        sizes: array[int],
        copied: list[tuple[int, int, int]],
        dirty: dict[int, bytes],
    ) -> Chunks:
        """The word index cut where Pagefind cuts it; a chunk that is one of the last
        merge's, word for word and none changed, is that chunk (its file is in the output)."""
        state, language = self.state, self.state.language
        old_starts = {end: number + 1 for number, end in enumerate(self.ends)} | {0: 0}
        copy_starts = [new_start for new_start, _, _ in copied]

        def old_index(k: int) -> int:
            new_start, old_start, _ = copied[bisect.bisect_right(copy_starts, k) - 1]
            return old_start + k - new_start

        done = Chunks()
        with ThreadPoolExecutor(2) as pool:
            pending: list[tuple[str, str, Future[bytes]]] = []
            start = 0
            for end in ends(sizes):
                same = self._same_chunk(start, end, copied, copy_starts, old_starts)
                if same is not None:
                    _, content, digest = state.chunks[same]
                    done.kept[f"index/{language}_{content[:10]}.pf_index"] = digest
                    done.digests[content] = digest
                else:
                    chunk = [
                        dirty[k] if k in dirty else self.old.entry(old_index(k))
                        for k in range(start, end)
                    ]
                    content = write_chunk(done, pool, pending, chunk, language, self.reuse)
                done.order.append((end, content))
                describe(done.described, words[start], words[end - 1], f"{language}_{content[:10]}")
                start = end
            finish(done, pending)
        return done

    def _same_chunk(
        self,
        start: int,
        end: int,
        copied: list[tuple[int, int, int]],
        copy_starts: list[int],
        old_starts: dict[int, int],
    ) -> int | None:
        """The number of the last merge's chunk that new words [start, end) are, if any."""
        place = bisect.bisect_right(copy_starts, start) - 1
        if place < 0:
            return None
        new_start, old_start, length = copied[place]
        if end > new_start + length:
            return None
        first = old_start + start - new_start
        number = old_starts.get(first)
        if number is None or number >= len(self.ends):
            return None
        return number if self.ends[number] == first + end - start else None

"""The site's slices, and the store of their indexes between builds.

Briefings are put in slices by a hash of their slug, so a briefing stays in its slice as
the site grows (until the number of slices doubles, which splits every slice in two). A
slice's index is stored under a key made of what it indexes; an edited briefing changes one
key, and only that slice is indexed again.

A stored slice is one file, `SITE/.briefgen-cache/search/KEY.cbor`: what the merge reads of
Pagefind's bundle (entry, meta, filters, the word index packed), and
the digests of the files that go to the output as they are (fragments and Pagefind's
scripts), whose bytes are not stored: the output has them. A stored slice is used only when
the output still holds every one of those files; otherwise it is indexed again. Beside them,
`chunks.cbor` says which file the last build wrote for each word-index chunk, so that an
unchanged chunk is kept rather than compressed again (chunks.py); and `merged.cbor`, what the
last merge made (previous.py), from which the next merge does only what changed (again.py);
and `briefings.cbor`, each slice's briefings' digests and note counts, which tell which
briefings of a slice an edit changed (resplice.py; checked against the slice's key).

The store is untrusted like the rest of the cache: an entry that is unreadable or not in the
shape written here is indexed again, never an error. A forged entry could change what search
shows, as a forged cache row could change a page (SECURITY.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeGuard

import cbor2

from briefgen.search import bundle, fragments, packed, previous, records
from briefgen.search.bundle import Meta
from briefgen.search.merge import Slice
from briefgen.search.previous import State

# At most this many briefings per slice, on average. An edit indexes its slice again: at 4,000
# briefings Pagefind takes ~0.35 s for 64 against ~0.15 s for 32, but 32 made a cold build
# with search 5-14 % slower at 4,000 and its peak memory at 10,000 1,144 MB against 963 MB
# (benchmarks/README, issue 15): 64 keeps the memory target.
SLICE_BRIEFINGS = 64
STORE_FORMAT = 4
CHUNKS = "chunks.cbor"  # the last merged word index's chunks (chunks.py); slices are KEY.cbor
MERGED = "merged.cbor"  # what the last merge made (previous.py)
BRIEFINGS = "briefings.cbor"  # each slice's briefings: (digest, notes), for resplice.py
_COMPRESSOR = f"{STORE_FORMAT} {bundle.COMPRESSOR}"

Available = Callable[[str, str], bool]  # (bundle path, sha256): does the output have it?


def slice_count(briefings: int) -> int:
    """A power of two, so that growing the site splits slices rather than reshuffling."""
    count = 1
    while briefings > count * SLICE_BRIEFINGS:
        count *= 2
    return count


def slice_of(slug: str, count: int) -> int:
    return int.from_bytes(hashlib.sha256(slug.encode()).digest()[:8], "big") % count


def slice_key(language: str, pagefind: str, briefing_digests: Iterable[str]) -> str:
    """Changes exactly when what the slice's index holds would change."""
    parts = (STORE_FORMAT, language, pagefind, list(briefing_digests))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def from_bundle(files: dict[str, bytes]) -> Slice:
    """A slice just indexed: `files` is the bundle Pagefind made of its records."""
    entry = json.loads(files[bundle.ENTRY])
    names = [bundle.meta_name(info["hash"]) for info in entry["languages"].values()]
    meta = Meta.decode(files[names[0]], names[0]) if names else None  # one language
    kept = {name: data for name, data in files.items() if _kept(name)}
    if meta is None:
        return Slice(entry, None, {}, [], _digests(kept), kept)
    chunks = (f"index/{h}.pf_index" for _, _, h in meta.chunks)
    words = [w for c in chunks for w in packed.pack_chunk(bundle.unpacked(files[c], c))]
    filters = {h: bundle.decode(files[f"filter/{h}.pf_filter"], h) for _, h in meta.filters}
    return Slice(entry, meta, filters, words, _digests(kept), kept)


def _kept(name: str) -> bool:
    """Copied to the output as Pagefind wrote it: fragments and Pagefind's scripts."""
    return name.startswith("fragment/") or not bundle.generated(name)


def _digests(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}


class SliceStore:
    """Key -> a slice's index, as the file folder/KEY.cbor."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.cbor"

    def get(self, key: str, whole: Callable[[Slice], bool]) -> Slice | None:
        """The stored slice, if there is a readable one and `whole` says the output has its
        files."""
        try:
            data = cbor2.loads(self.path(key).read_bytes())
            stored = _slice(data)
        except Exception:  # whatever is wrong with an entry: index again
            return None
        if stored is None or not whole(stored):
            return None
        return stored

    def put(self, key: str, indexed: Slice) -> None:
        """Store a slice."""
        meta = indexed.meta.cbor() if indexed.meta is not None else None
        words = cbor2.dumps(indexed.words)
        data = {
            "format": STORE_FORMAT,
            "entry": indexed.entry,
            "meta": meta,
            "filters": indexed.filters,
            "words": words,  # as bytes with their digest: damage inside is found cheaply
            "words_sha256": hashlib.sha256(words).hexdigest(),
            "files": indexed.files,
        }
        self._write(self.path(key), data)

    def chunks(self) -> dict[str, str]:
        """The last build's word-index chunks: sha256 of the content -> of the file, when
        the files were made as this build makes them."""
        try:
            data = cbor2.loads(self.folder.joinpath(CHUNKS).read_bytes())
        except Exception:  # whatever is wrong with it: compress every chunk
            return {}
        if not isinstance(data, dict) or data.get("compressor") != _COMPRESSOR:
            return {}
        chunks = data.get("chunks")
        return chunks if _str_dict(chunks) else {}

    def put_chunks(self, chunks: dict[str, str]) -> None:
        self._write(self.folder / CHUNKS, {"compressor": _COMPRESSOR, "chunks": chunks})

    def state(self) -> State | None:
        """What the last merge made, if it is stored whole and was made as this one makes
        it (previous.py)."""
        try:
            data = self.folder.joinpath(MERGED).read_bytes()
        except OSError:
            return None
        return State.from_bytes(data, state_stamp())

    def put_state(self, state: State | None) -> None:
        if state is None:
            with contextlib.suppress(OSError):
                self.folder.joinpath(MERGED).unlink()
            return
        self._write_bytes(self.folder / MERGED, state.to_bytes(state_stamp()))

    def briefings(self) -> dict[str, list[tuple[str, int]]]:
        """Slice key -> its briefings' (digest, notes) at the last build; a slice's list is
        to be checked against its key (slice_key) before use."""
        try:
            data = cbor2.loads(self.folder.joinpath(BRIEFINGS).read_bytes())
        except Exception:  # whatever is wrong with it: the edited slices are indexed whole
            return {}
        if not isinstance(data, dict) or data.get("format") != STORE_FORMAT:
            return {}
        found = data.get("slices")
        if not isinstance(found, dict):
            return {}
        return {
            key: [(d, n) for d, n in rows]
            for key, rows in found.items()
            if isinstance(key, str) and _briefing_rows(rows)
        }

    def put_briefings(self, briefings: dict[str, list[tuple[str, int]]]) -> None:
        rows = {key: [list(row) for row in found] for key, found in briefings.items()}
        self._write(self.folder / BRIEFINGS, {"format": STORE_FORMAT, "slices": rows})

    def _write(self, path: Path, data: object) -> None:
        self._write_bytes(path, cbor2.dumps(data))

    def _write_bytes(self, path: Path, data: bytes) -> None:
        """Written beside the store and renamed into it, so a build stopped midway leaves no
        half entry. A store that cannot be written is only a slower build."""
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".new-", dir=self.folder)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(temporary, path)

    def prune(self, keep: set[str]) -> None:
        """Remove every entry but `keep` (and what interrupted builds left)."""
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return
        wanted = {self.path(key).name for key in keep} | {CHUNKS, MERGED, BRIEFINGS}
        for entry in entries:
            if entry.name not in wanted:
                with contextlib.suppress(OSError):
                    entry.unlink()


def state_stamp() -> str:
    """What else decides a merge's bytes than its slices: a State made otherwise is not used."""
    parts = (previous.FORMAT, STORE_FORMAT, bundle.COMPRESSOR, records.INDEX_FORMAT)
    return repr((*parts, fragments.RUN, fragments.SHORT, fragments.LONG, bundle.CHUNK_SIZE))


def _slice(data: Any) -> Slice | None:
    """A stored slice read back, if it has the shape put() writes."""
    if not isinstance(data, dict) or data.get("format") != STORE_FORMAT:
        return None
    entry, files = data["entry"], data["files"]
    if not (isinstance(entry, dict) and isinstance(entry.get("languages"), dict)):
        return None
    if not _str_dict(files):
        return None
    if data["meta"] is None:
        return Slice(entry, None, {}, [], files, {})
    meta = Meta.checked(data["meta"], "a stored slice")
    filters, words = data["filters"], data["words"]
    if not isinstance(words, bytes) or hashlib.sha256(words).hexdigest() != data["words_sha256"]:
        return None
    words = cbor2.loads(words)
    if not (
        meta is not None
        and not meta.sorts
        and isinstance(filters, dict)
        and all(bundle.is_filter(f) for f in filters.values())
        and {h for _, h in meta.filters} == set(filters)
        and packed.well_formed(words)
    ):
        return None
    return Slice(entry, meta, filters, words, files, {})


def _briefing_rows(rows: object) -> bool:
    return isinstance(rows, list) and all(
        isinstance(row, list)
        and len(row) == 2
        and isinstance(row[0], str)
        and type(row[1]) is int
        and row[1] >= 0
        for row in rows
    )


def _str_dict(value: object) -> TypeGuard[dict[str, str]]:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )

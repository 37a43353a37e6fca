"""The pieces of the briefings a build read from the cache (processed.Pieces: body, feed
entry, rows of positions.json, lines of data/annotations.jsonl), read when first needed.

An unchanged briefing costs a build its model only (what the site model, the checks and the
page keys read); its pieces are read only if its page is rendered, a site-wide file made of
them is made again, or its search slice is indexed again. The cache is untrusted: pieces that
are missing, do not decode, belong to another entry or hold no body are made again from the
briefing's file, never used.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TypeVar

from briefgen.build.cache import DocCache
from briefgen.build.codec import CodecError
from briefgen.build.processed import Pieces, ProcessedBriefing, with_body
from briefgen.document.model import Briefing

_V = TypeVar("_V")


class PieceStore:
    """The pieces (processed.Pieces) of the briefings a build read from the cache: read from
    it when first needed, for many at once; a piece the cache lost, or holds damaged, is made
    again from its file (`remake`). Threads may ask at once (the search stage does)."""

    def __init__(
        self,
        cache: DocCache,
        remake: Callable[[ProcessedBriefing], Pieces],
        memory: dict[str, ProcessedBriefing],
    ) -> None:
        self._cache = cache
        self._remake = remake
        self._memory = memory  # a long-lived caller's (serve): given the pieces read
        self._found: dict[str, Pieces] = {}
        self._lock = threading.Lock()

    def of(self, results: Iterable[ProcessedBriefing]) -> dict[str, Pieces]:
        """Cache key -> pieces, for each of these results."""
        results = list(results)
        with self._lock:
            found = self._found
            missing = {p.key: p for p in results if p.pieces is None and p.key not in found}
            if missing:
                for key, data, body in self._cache.pieces(missing):
                    try:
                        found[key] = Pieces.decoded(key, data, body)
                    except CodecError:
                        continue  # made again, below
                for key, p in missing.items():
                    if key not in found:
                        found[key] = self._remake(p)
                    if self._memory.get(key) is p:
                        self._memory[key] = dataclasses.replace(p, pieces=found[key])
        return {p.key: p.pieces or found[p.key] for p in results}

    def remade(self, result: ProcessedBriefing) -> Pieces:
        """The pieces made again from the file (what the cache held did not decode)."""
        with self._lock:
            pieces = self._found[result.key] = self._remake(result)
        return pieces


def complete(store: PieceStore, result: ProcessedBriefing, briefing: Briefing) -> Briefing:
    """`briefing` (the result's) with its body, made again if the cache held it damaged."""
    body = store.of([result])[result.key].body
    try:
        if body:  # every briefing has one: an empty one is damage too
            return with_body(briefing, body)
    except CodecError:
        pass
    return with_body(briefing, store.remade(result).body)


class OnDemand(Mapping[str, _V]):
    """A mapping made when first read: a site-wide file whose inputs did not change is not
    made again (writer.py), and then the pieces it would be made of are not read at all."""

    def __init__(self, make: Callable[[], dict[str, _V]]) -> None:
        self._make = make
        self._made: dict[str, _V] | None = None

    def _found(self) -> dict[str, _V]:
        if self._made is None:
            self._made = self._make()
        return self._made

    def __getitem__(self, key: str) -> _V:
        return self._found()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())

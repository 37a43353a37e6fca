"""Stage 7: the search index, one Pagefind bundle made of the site's slices.

The briefings are cut into slices (slices.py); Pagefind indexes each slice that changed since
the last build, several at once (one Pagefind process per worker, one slice in memory at a
time); the slices' bundles are merged into the one bundle readers load (merge.py). An edited
briefing re-indexes its slice only, and no process holds the whole index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from briefgen.diagnostics import BuildInterrupted
from briefgen.document.model import Briefing
from briefgen.search.merge import Merged, Slice, merge, renamed
from briefgen.search.records import CustomRecord, HtmlRecord, records_of
from briefgen.search.service import PagefindService, pagefind_version
from briefgen.search.slices import (
    Available,
    SliceStore,
    from_bundle,
    slice_count,
    slice_key,
    slice_of,
)

Complete = Callable[[Briefing], Briefing]  # the briefing with its body, which records read


def slices(briefings: Sequence[Briefing]) -> list[list[Briefing]]:
    """The briefings in their slices (site order within each); empty slices left out."""
    count = slice_count(len(briefings))
    groups: list[list[Briefing]] = [[] for _ in range(count)]
    for b in briefings:
        groups[slice_of(b.slug, count)].append(b)
    return [group for group in groups if group] or [[]]


def slice_records(language: str, group: Sequence[Briefing]) -> list[HtmlRecord | CustomRecord]:
    """A slice's records in the order Pagefind numbers them: its pages, then its notes."""
    pages, notes = records_of(language, group)
    return [*pages, *notes]


def index_site(
    language: str,
    briefings: Sequence[Briefing],
    digests: Mapping[str, str],
    complete: Complete,
    store: SliceStore,
    available: Available,
    jobs: int,
    interrupted: Callable[[], bool] | None = None,
    warm: dict[str, Slice] | None = None,
) -> Merged:
    """The site's bundle. `digests`: slug -> records.briefing_digest() of each briefing, which
    say what changed without reading bodies; `complete` is called only for briefings whose
    slice is indexed again; `available` says which files the output has already. `warm`: the
    slices as the last build merged them, kept by a long-lived caller (serve), which are
    taken from there rather than read from the store; left holding this build's."""
    pagefind = pagefind_version()
    keyed = [
        (slice_key(language, pagefind, [digests[b.slug] for b in group]), group)
        for group in slices(briefings)
    ]

    def placed(name: str, digest: str) -> bool:
        """The output has the file, under its name or the one the merge may give it: a
        stored slice whose fragment was renamed is still whole."""
        other = renamed(name, digest)
        return available(name, digest) or (other is not None and available(other, digest))

    def kept(key: str) -> Slice | None:
        found = warm.get(key) if warm is not None else None
        if found is not None and all(placed(name, d) for name, d in found.files.items()):
            return found
        return store.get(key, placed)

    found: dict[str, Slice | None] = {key: kept(key) for key, _ in keyed}
    todo = [(key, group) for key, group in keyed if found[key] is None]
    indexed = _index(language, todo, complete, store, jobs, interrupted)
    store.prune(set(found))
    known = store.chunks()

    def reuse(path: str, content: str) -> str | None:
        digest = known.get(content)
        return digest if digest is not None and available(path, digest) else None

    merged = merge([found[key] or indexed[key] for key, _ in keyed], reuse)
    store.put_chunks(merged.chunks)
    if warm is not None:  # used next time only if the output still has their files
        warm.clear()
        warm.update({key: found[key] or replace(indexed[key], data={}) for key, _ in keyed})
    return merged


def _index(
    language: str,
    todo: list[tuple[str, list[Briefing]]],
    complete: Complete,
    store: SliceStore,
    jobs: int,
    interrupted: Callable[[], bool] | None,
) -> dict[str, Slice]:
    """Index `todo` with up to `jobs` Pagefind processes at once; the first failure stops
    the others."""
    failed = threading.Event()

    def stop() -> bool:
        return failed.is_set() or (interrupted is not None and interrupted())

    def work(batch: list[tuple[str, list[Briefing]]]) -> dict[str, Slice]:
        done = {}
        try:
            with PagefindService(stop) as service:
                for key, group in batch:
                    records = slice_records(language, [complete(b) for b in group])
                    done[key] = from_bundle(service.index(language, records))
                    store.put(key, done[key])
        except BaseException:
            failed.set()
            raise
        return done

    workers = max(1, min(jobs, len(todo)))
    batches = [todo[i::workers] for i in range(workers) if todo[i::workers]]
    if not batches:
        return {}
    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(work, batch) for batch in batches]
    results: dict[str, Slice] = {}
    errors: list[tuple[int, Exception]] = []
    for future in futures:
        try:
            results.update(future.result())
        except BuildInterrupted as exc:
            errors.append((1, exc))  # maybe only because another worker failed
        except Exception as exc:
            errors.append((0, exc))
    if errors:
        raise min(errors, key=lambda e: e[0])[1]
    return results

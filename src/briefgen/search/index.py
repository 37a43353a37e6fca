"""Stage 7: the search index, one Pagefind bundle made of the site's slices.

The briefings are cut into slices (slices.py); Pagefind indexes each slice that changed since
the last build, several at once (one Pagefind process per worker, one slice in memory at a
time); the slices' bundles are merged into the one bundle readers load: after an edit, from
what the last merge made, in proportion to what changed (again.py), else whole (merge.py).
An edited briefing re-indexes its slice only, and no process holds the whole index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from briefgen.diagnostics import BuildInterrupted, SearchIndexError
from briefgen.document.model import Briefing
from briefgen.search import fragments
from briefgen.search.again import Change, merge_again
from briefgen.search.again_parts import Read
from briefgen.search.merge import Merged, Slice, merge
from briefgen.search.previous import State
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
from briefgen.search.warm import Warm

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
    read: Read | None = None,
    digests_of: Callable[[list[str]], list[str | None]] | None = None,
) -> Merged:
    """The site's bundle. `digests`: slug -> records.briefing_digest() of each briefing, which
    say what changed without reading bodies; `complete` is called only for briefings whose
    slice is indexed again; `available` says which files the output has already,
    `digests_of` their sha256s (None: not there) and `read` their bytes (without these two,
    the merge is done in full). `warm`: the slices as the last build merged them, kept by a
    long-lived caller (serve), which are taken from there rather than read from the store;
    left holding this build's (and, if a Warm, the merge's State)."""
    pagefind = pagefind_version()
    keyed = [
        (slice_key(language, pagefind, [digests[b.slug] for b in group]), group)
        for group in slices(briefings)
    ]
    keys = [key for key, _ in keyed]

    def kept(key: str) -> Slice | None:
        found = warm.get(key) if warm is not None else None
        if found is not None and whole(found, available):
            return found
        return store.get(key, lambda stored: whole(stored, available))

    def index(todo: list[tuple[str, list[Briefing]]]) -> dict[str, Slice]:
        return _index(language, todo, complete, store, jobs, interrupted)

    known = store.chunks()

    def reuse(path: str, content: str) -> str | None:
        digest = known.get(content)
        return digest if digest is not None and available(path, digest) else None

    state = warm.state if isinstance(warm, Warm) else None
    state = state or store.state()
    found: dict[str, Slice] = {}
    merged = None
    if (
        state is not None
        and read is not None
        and digests_of is not None
        and _state_whole(state, digests_of)
    ):
        merged = _again(state, keyed, kept, index, found, store, warm, read, reuse)
    if merged is None:
        for key in keys:
            if key not in found and (stored := kept(key)) is not None:
                found[key] = stored
        found.update(index([(key, group) for key, group in keyed if key not in found]))
        merged = merge([found[key] for key in keys], reuse, keys)
        if warm is not None:  # used next time only if the output still has their files
            warm.clear()
    store.prune(set(keys))
    store.put_chunks(merged.chunks)
    store.put_state(merged.state)
    if warm is not None:
        for key in set(warm) - set(keys):
            del warm[key]
        warm.update({key: replace(found[key], data={}) for key in found})
        if isinstance(warm, Warm):
            warm.state = merged.state
    return merged


def _again(
    state: State,
    keyed: list[tuple[str, list[Briefing]]],
    kept: Callable[[str], Slice | None],
    index: Callable[[list[tuple[str, list[Briefing]]]], dict[str, Slice]],
    found: dict[str, Slice],
    store: SliceStore,
    warm: dict[str, Slice] | None,
    read: Read,
    reuse: Callable[[str, str], str | None],
) -> Merged | None:
    """The merge from `state`, when a few slices changed; their new versions are left in
    `found`. None: merge in full."""
    keys = [key for key, _ in keyed]
    if len(keys) != len(state.keys):
        return None
    changed = [i for i, key in enumerate(keys) if key != state.keys[i]]
    if not changed or len(changed) > max(1, len(keys) // 4):
        return None  # nothing changed (no merge is cheaper), or much: merge in full
    old: dict[int, Slice] = {}
    for i in changed:
        previous = warm.get(state.keys[i]) if warm is not None else None
        previous = previous or store.get(state.keys[i], lambda _: True)
        if previous is None:
            return None
        old[i] = previous
        if (stored := kept(keys[i])) is not None:
            found[keys[i]] = stored
    found.update(index([keyed[i] for i in changed if keys[i] not in found]))
    changes = [Change(i, old[i], found[keys[i]]) for i in changed]
    return merge_again(state, keys, changes, read, reuse)


def _state_whole(state: State, digests_of: Callable[[list[str]], list[str | None]]) -> bool:
    """The output has every file of the last merge that the next one may keep."""
    others = dict(state.scripts)
    others.update((f"index/{state.language}_{c[:10]}.pf_index", d) for _, c, d in state.chunks)
    others.update((f"filter/{h}.pf_filter", d) for h, d in state.filter_files.values())
    names = [f"fragment/{name}.pf_fragment" for name, _ in state.pages]
    found = [d for d in digests_of(names + list(others)) if d is not None]
    pages = len(names)
    if len(found) != pages + len(others) or found[pages:] != list(others.values()):
        return False  # a file not there (None), or not the one the last merge made
    return "".join(found[:pages]) == state.digests.hex()  # fragments: one string, compared in C


def whole(found: Slice, available: Available) -> bool:
    """The output has every file of a slice: Pagefind's scripts under their names, and its
    fragments under a name the merge gives them (fragments.py)."""
    try:
        named = fragments.candidates(found.meta.pages if found.meta else [], found.files)
    except SearchIndexError:  # a stored slice lists a page without its fragment
        return False
    for name, digest in found.files.items():
        if not name.startswith("fragment/"):
            if not available(name, digest):
                return False
        elif not any(available(path, digest) for path in named.get(digest, ())):
            return False
    return True


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

"""Stage 7: the search index, one Pagefind bundle made of the site's slices.

The briefings are cut into slices (slices.py); Pagefind indexes each slice that changed since
the last build, several at once (one Pagefind process per worker, one slice in memory at a
time); the slices' bundles are merged into the one bundle readers load: after an edit, from
what the last merge made, in proportion to what changed (again.py), else whole (merge.py).
An edited briefing re-indexes its slice only, and no process holds the whole index; when it
keeps its number of notes, Pagefind indexes that briefing's records only, spliced into the
slice's last index (resplice.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial

from briefgen.diagnostics import BuildInterrupted, SearchIndexError
from briefgen.document.model import Briefing
from briefgen.search import fragments, resplice
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


Todo = list[tuple[str, Callable[[], list[HtmlRecord | CustomRecord]]]]  # key, its records


class SiteIndex:
    """The site's bundle, in steps, so that Pagefind can index while the caller does other
    work (build/search_stage.py): plan() says which slices are indexed again (`todo`);
    index() runs Pagefind over them, touching nothing but Pagefind, the store and the
    records it is given (any thread may run it); finish() merges.

    `digests`: slug -> records.briefing_digest() of each briefing, which say what changed
    without reading bodies; `complete` is called only for briefings whose slice is indexed
    again; `available` says which files the output has already, `digests_of` (to plan())
    their sha256s (None: not there) and `read` their bytes (without these two, the merge is
    done in full). `warm`: the slices as the last build merged them, kept by a long-lived
    caller (serve), which are taken from there rather than read from the store; left
    holding this build's (and, if a Warm, the merge's State)."""

    def __init__(
        self,
        language: str,
        briefings: Sequence[Briefing],
        digests: Mapping[str, str],
        complete: Complete,
        store: SliceStore,
        available: Available,
        warm: dict[str, Slice] | None = None,
        read: Read | None = None,
    ) -> None:
        pagefind = pagefind_version()
        self.language, self.complete, self.store = language, complete, store
        self.available, self.warm, self.read = available, warm, read
        self.keyed = [
            (slice_key(language, pagefind, [digests[b.slug] for b in group]), group)
            for group in slices(briefings)
        ]
        self.keys = [key for key, _ in self.keyed]
        self.pagefind, self.digests = pagefind, digests
        self.briefings = {  # each slice's briefings: (digest, notes), for the next build
            key: [(digests[b.slug], len(b.annotations)) for b in group] for key, group in self.keyed
        }
        self.plans: dict[str, resplice.Plan] = {}  # slices of `todo` whose edit is spliced
        self.found: dict[str, Slice] = {}  # key -> slice, kept or indexed
        self.state: State | None = None  # the last merge's, when this one merges again
        self.old: dict[int, Slice] = {}  # changed slice's place -> its last version
        self.todo: list[tuple[str, list[Briefing]]] = []

    def kept(self, key: str) -> Slice | None:
        found = self.warm.get(key) if self.warm is not None else None
        if found is not None and whole(found, self.available):
            return found
        return self.store.get(key, lambda stored: whole(stored, self.available))

    def plan(self, digests_of: Callable[[list[str]], list[str | None]] | None = None) -> None:
        """Which slices to index (`todo`): the changed ones, when the last merge can be
        merged again; else every slice neither kept (serve) nor stored."""
        warm = self.warm
        state = warm.state if isinstance(warm, Warm) else None
        state = state or self.store.state()
        if state is not None and digests_of is not None and self._again(state, digests_of):
            self.state = state
            return
        self._plan_full()

    def _again(self, state: State, digests_of: Callable[[list[str]], list[str | None]]) -> bool:
        """Plan the merge from `state`, when a few slices changed and the output has every
        file of that merge."""
        keys = self.keys
        if self.read is None or len(keys) != len(state.keys):
            return False
        if not _state_whole(state, digests_of):
            return False
        changed = [i for i, key in enumerate(keys) if key != state.keys[i]]
        if not changed or len(changed) > max(1, len(keys) // 4):
            return False  # nothing changed (no merge is cheaper), or much: merge in full
        for i in changed:
            previous = self.warm.get(state.keys[i]) if self.warm is not None else None
            previous = previous or self.store.get(state.keys[i], lambda _: True)
            if previous is None:
                return False
            self.old[i] = previous
            if (stored := self.kept(keys[i])) is not None:
                self.found[keys[i]] = stored
        self.todo = [self.keyed[i] for i in changed if keys[i] not in self.found]
        self._plan_splices(state, changed)
        return True

    def _plan_splices(self, state: State, changed: list[int]) -> None:
        """Which slices of `todo` have their edited briefings spliced in (resplice.py)."""
        before: dict[str, list[tuple[str, int]]] | None = None
        for i in changed:
            key, group = self.keyed[i]
            if key in self.found:
                continue
            if before is None:
                warm = self.warm
                known = warm.briefings if isinstance(warm, Warm) else None
                before = known if known is not None else self.store.briefings()
            rows = before.get(state.keys[i])
            old_key = slice_key(self.language, self.pagefind, [d for d, _ in rows or []])
            if rows is None or old_key != state.keys[i]:
                continue  # not known, or not that slice's: index it whole
            now = [self.digests[b.slug] for b in group]
            found = resplice.plan(self.old[i], rows, group, now)
            if found is not None:
                self.plans[key] = found

    def _plan_full(self) -> None:
        self.state, self.old, self.plans = None, {}, {}
        for key in self.keys:
            if key not in self.found and (stored := self.kept(key)) is not None:
                self.found[key] = stored
        self.todo = [(key, group) for key, group in self.keyed if key not in self.found]

    def records_later(self) -> Todo:
        """`todo` with its records made when indexed, one slice at a time."""
        return [(key, partial(self._records, key, group)) for key, group in self.todo]

    def records_now(self) -> Todo:
        """`todo` with its records made now, in this thread: the indexing thread then reads
        neither the cache nor the site model (and a process forked meanwhile finds no lock
        taken by it)."""
        made = [(key, self._records(key, group)) for key, group in self.todo]
        return [(key, partial(list, records)) for key, records in made]

    def _records(self, key: str, group: list[Briefing]) -> list[HtmlRecord | CustomRecord]:
        """A slice's records; of its edited briefings only, if they are spliced in."""
        plan = self.plans.get(key)
        if plan is not None:
            group = [group[j] for j in plan.edited]
        return slice_records(self.language, [self.complete(b) for b in group])

    def index(
        self, todo: Todo, jobs: int, interrupted: Callable[[], bool] | None = None
    ) -> dict[str, Slice]:
        """Pagefind's index of each slice of `todo` (from records_later() or records_now());
        a slice whose splice does not fit is left out (finish() indexes it whole)."""
        return _index(self.language, todo, self.store, jobs, interrupted, dict(self.plans))

    def finish(
        self,
        indexed: dict[str, Slice],
        jobs: int,
        interrupted: Callable[[], bool] | None = None,
    ) -> Merged:
        """The merged bundle, `indexed` being index()'s result."""
        self.found.update(indexed)
        found, keys, warm, store = self.found, self.keys, self.warm, self.store
        unfit = [(key, group) for key, group in self.todo if key not in found]
        if unfit:  # a splice that did not fit (resplice.py): the slice indexed whole
            self.plans = {}
            todo: Todo = [(key, partial(self._records, key, group)) for key, group in unfit]
            found.update(self.index(todo, jobs, interrupted))
        merged = None
        if self.state is not None:
            assert self.read is not None
            changes = [Change(i, old, found[keys[i]]) for i, old in self.old.items()]
            merged = merge_again(self.state, keys, changes, self.read, self._reuse())
        if merged is None:
            self._plan_full()
            found.update(self.index(self.records_later(), jobs, interrupted))
            merged = merge([found[key] for key in keys], self._reuse(), keys)
            if warm is not None:  # used next time only if the output still has their files
                warm.clear()
        store.prune(set(keys))
        store.put_chunks(merged.chunks)
        store.put_state(merged.state)
        if not isinstance(warm, Warm) or warm.briefings != self.briefings:
            store.put_briefings(self.briefings)
        if isinstance(warm, Warm):
            warm.briefings = self.briefings
        if warm is not None:
            for key in set(warm) - set(keys):
                del warm[key]
            warm.update({key: replace(found[key], data={}) for key in found})
            if isinstance(warm, Warm):
                warm.state = merged.state
        return merged

    def _reuse(self) -> Callable[[str, str], str | None]:
        known = self.store.chunks()

        def reuse(path: str, content: str) -> str | None:
            digest = known.get(content)
            return digest if digest is not None and self.available(path, digest) else None

        return reuse


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
    todo: Todo,
    store: SliceStore,
    jobs: int,
    interrupted: Callable[[], bool] | None,
    plans: Mapping[str, resplice.Plan],
) -> dict[str, Slice]:
    """Index `todo` with up to `jobs` Pagefind processes at once; the first failure stops
    the others. A slice of `plans` gets the edited briefings' records, spliced into its old
    index; left out if that does not fit."""
    failed = threading.Event()

    def stop() -> bool:
        return failed.is_set() or (interrupted is not None and interrupted())

    def work(batch: Todo) -> dict[str, Slice]:
        done = {}
        try:
            with PagefindService(stop) as service:
                for key, records in batch:
                    found = from_bundle(service.index(language, records()))
                    plan = plans.get(key)
                    made = resplice.splice(plan, language, found) if plan else found
                    if made is not None:
                        done[key] = made
                        store.put(key, made)
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

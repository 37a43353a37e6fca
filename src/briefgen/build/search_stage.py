"""The writer's search stage: started as soon as phase one is done, finished after the pages.

What the index holds comes from the prepared briefings (search/records.py), not from the
rendered pages. So when an edit changed a few slices (search/index.py merges again), their
Pagefind indexing starts at once in a thread of its own (search/background.py): Pagefind runs
on the other core while the writer renders pages, stages the site-wide files and so on; the
merge follows the pages. Otherwise (a cold build, many slices: every core is busy with the
pages already) the indexing follows the pages, as the merge does.

A failure on either side stops the other: the writer checks the indexing between pages
(check(), which raises its error: SearchIndexError, BuildInterrupted when `interrupted`
turned true, ...), and stops it when the pages fail (stop(): Pagefind killed, the thread
waited for). Nothing is published before finish() returns.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from briefgen import urls
from briefgen.build import output, parallel
from briefgen.build.cachedir import CACHE_DIR
from briefgen.build.inputs import BuildOptions
from briefgen.build.prepare import Prepared
from briefgen.document.model import Briefing
from briefgen.search.background import Background
from briefgen.search.index import SiteIndex
from briefgen.search.merge import Merged, Slice
from briefgen.search.records import briefing_digest, index_digest
from briefgen.search.slices import SliceStore

STALE_SEARCH = "stale"  # a manifest's search digest when indexing was deferred


class SearchStage:
    """The search index of a build of `prepared` over the output whose manifest is `old`:
    its digest (for the manifest) at once; the bundle from finish(), None when the output's
    is kept as it is (`kept`: its files)."""

    def __init__(
        self,
        prepared: Prepared,
        options: BuildOptions,
        old: output.Manifest,
        interrupted: Callable[[], bool] | None = None,
        warm: dict[str, Slice] | None = None,
    ) -> None:
        self.prepared, self.options, self.old = prepared, options, old
        self.interrupted = interrupted
        self.warm = warm
        self.language = prepared.site.content.config.language
        self.jobs = options.jobs or parallel.default_jobs()
        self.digests = self._digests()
        self.digest = index_digest(self.language, list(self.digests.values()))
        prefix = urls.search_bundle()
        old_bundle = {k: v for k, v in old.files.items() if k.startswith(prefix)}
        self.kept: dict[str, str] | None = None
        if old_bundle and (options.defer_search or self.digest == old.search):
            self.kept = old_bundle
            self.digest = self.digest if self.digest == old.search else STALE_SEARCH
        self._site: SiteIndex | None = None
        self._indexing: Background[dict[str, Slice]] | None = None
        self._exits = ExitStack()

    def _digests(self) -> dict[str, str]:
        prepared = self.prepared

        def made(b: Briefing) -> str:
            found = prepared.briefings.get(b.slug)
            return found.search_key if found is not None else ""

        return {
            b.slug: made(b) or briefing_digest(self.language, prepared.complete(b))
            for b in prepared.site.briefings
        }

    def start(self) -> None:
        """Plan the index; when it is merged again (a few slices changed), index them now,
        in a thread of its own."""
        if self.kept is not None:
            return
        store = self._exits.enter_context(slice_store(self.options))
        prefix = urls.search_bundle()
        old, out = self.old.files, self.options.output

        def available(name: str, digest: str) -> bool:
            return old.get(prefix + name) == digest

        def digests_of(names: list[str]) -> list[str | None]:
            return list(map(old.get, [prefix + name for name in names]))

        def read(name: str) -> bytes | None:
            try:
                return (out / urls.safe_relpath(prefix + name)).read_bytes()
            except (OSError, ValueError):
                return None

        site = SiteIndex(
            self.language,
            self.prepared.site.briefings,
            self.digests,
            self.prepared.complete,
            store,
            available,
            self.warm,
            read,
        )
        site.plan(digests_of)
        self._site = site
        if site.state is not None and site.todo:
            # the pieces the records read, from the cache at once (not a query per briefing)
            self.prepared.pieces(b.slug for _, group in site.todo for b in group)
            todo, interrupted = site.records_now(), self.interrupted

            def index(stopped: Callable[[], bool]) -> dict[str, Slice]:
                def stop() -> bool:
                    return stopped() or (interrupted is not None and interrupted())

                return site.index(todo, self.jobs, stop)

            self._indexing = Background(index, "briefgen-search")

    def check(self) -> None:
        """Raise what stopped the indexing, if it stopped with an error."""
        if self._indexing is not None:
            self._indexing.check()

    def finish(self) -> Merged | None:
        """The merged bundle (None: `kept`); the indexing is waited for, or done now."""
        site = self._site
        if site is None:
            return None
        try:
            if self._indexing is not None:
                indexed = self._indexing.result()
            else:
                indexed = site.index(site.records_later(), self.jobs, self.interrupted)
            return site.finish(indexed, self.jobs, self.interrupted)
        finally:
            self._indexing = None
            self._exits.close()

    def stop(self) -> None:
        """Give up: the indexing stopped and waited for, the store's folder let go."""
        try:
            if self._indexing is not None:
                self._indexing.stop()
        finally:
            self._indexing = None
            self._exits.close()


@contextmanager
def slice_store(options: BuildOptions) -> Iterator[SliceStore]:
    """Where the search index's slices are kept between builds: in the cache, or (without
    one) in a folder that lasts one build."""
    if options.cache:
        yield SliceStore(options.site_dir / CACHE_DIR / "search")
        return
    with tempfile.TemporaryDirectory(prefix="briefgen-search-") as folder:
        yield SliceStore(Path(folder))

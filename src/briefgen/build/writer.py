"""Phase two: render what changed, stage it beside the output, then commit it (output.py).

Runs only after phase one (prepare.py) found no error. A page whose inputs (keys.py) are the
same as the last build's is kept as it is; a file whose bytes are unchanged is not rewritten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment

from briefgen import urls
from briefgen.build import output, parallel, publish
from briefgen.build.cachedir import CACHE_DIR
from briefgen.build.inputs import BuildOptions
from briefgen.build.keys import page_keys
from briefgen.build.known import Known
from briefgen.build.prepare import Prepared
from briefgen.diagnostics import SearchIndexError
from briefgen.exports.files import briefing_export_names, briefing_exports, site_file_makers
from briefgen.search.merge import Merged, Slice
from briefgen.site.model import Site
from briefgen.site.pages import Page, pages
from briefgen.theme.files import static_files
from briefgen.theme.render import make_environment

if TYPE_CHECKING:
    from briefgen.build.search_stage import SearchStage


class Writer:
    """Phase two: stage what changed beside the output, then commit it (see output.py)."""

    def __init__(
        self,
        prepared: Prepared,
        options: BuildOptions,
        old: output.Manifest,
        interrupted: Callable[[], bool] | None = None,
        warm: dict[str, Slice] | None = None,
        listing: output.Listing | None = None,
        known: Known | None = None,
    ) -> None:
        self.listing = listing  # the output's, made before the build (inputs.State)
        self.interrupted = interrupted
        self.warm = warm  # the search index's slices kept by a long-lived caller (serve)
        self.known = known  # digests of pages' inputs, kept by serve (keys.py)
        self.prepared = prepared
        self.site = prepared.site
        self.options = options
        self.old = old
        self.files: dict[str, str] = {}  # output path -> digest, for the new manifest
        self.rendered = 0
        self.written = 0

    def write(self, inputs: str) -> output.Manifest:
        out = self.options.output
        staging = output.new_staging(out)
        search: SearchStage | None = None
        try:
            search = self._search_stage()
            if search is not None:
                search.start()  # Pagefind may index now, while the pages are rendered
            env, assets = _environment(self.site)
            all_pages = self.all_pages
            check = search.check if search is not None else None
            self._pages(env, all_pages, staging, check)
            self._stage(assets, staging)
            prepared = self.prepared
            makers = site_file_makers(
                self.site, prepared.feed_entries, prepared.position_rows, prepared.annotation_lines
            )
            self._stage_site_files(makers, staging)
            digest = self._search(search, staging) if search is not None else ""
            annotations = sum(len(b.annotations) for b in self.site.briefings)
            manifest = output.Manifest(
                self.files, self.keys, inputs, digest, len(all_pages), annotations
            )
            cache = self.options.site_dir / CACHE_DIR if self.options.cache else None
            in_place = self.options.publish_in_place
            publish.commit(staging, out, manifest, in_place, cache, self.listing)
        except BaseException:
            if search is not None:
                search.stop()  # Pagefind stopped, its thread waited for
            output.discard(staging)
            raise
        return manifest

    def _search_stage(self) -> SearchStage | None:
        if not self.options.search:
            return None
        from briefgen.build.search_stage import SearchStage  # here: not for --no-search

        return SearchStage(self.prepared, self.options, self.old, self.interrupted, self.warm)

    @cached_property
    def all_pages(self) -> list[Page]:
        return list(pages(self.site))

    @cached_property
    def keys(self) -> dict[str, str]:
        return page_keys(self.prepared, self.all_pages, self.known)

    def write_search(self, inputs: str) -> output.Manifest:
        """Bring the search index of the output up to date: `old` is the manifest of a build
        of this same `prepared` that deferred its search index (pipeline.index_deferred).
        Only the index's files are staged; the pages stay as that build published them."""
        out = self.options.output
        prefix = urls.search_bundle()
        self.files = {k: v for k, v in self.old.files.items() if not k.startswith(prefix)}
        staging = output.new_staging(out)
        search: SearchStage | None = None
        try:
            search = self._search_stage()
            assert search is not None
            search.start()
            digest = self._search(search, staging)
            old = self.old
            manifest = output.Manifest(
                self.files, old.keys, inputs, digest, old.pages, old.annotations
            )
            publish.commit(staging, out, manifest, self.options.publish_in_place)
        except BaseException:
            if search is not None:
                search.stop()
            output.discard(staging)
            raise
        return manifest

    def _outputs(self, page: Page) -> set[str]:
        """The files a page's task writes: the page, and a briefing's own exports."""
        briefing = page.context.get("briefing")
        if briefing is None:
            return {page.file}
        return {page.file, *briefing_export_names(briefing)}

    def _kept(self, all_pages: list[Page]) -> list[Page]:
        """The pages whose inputs and files are those of the last build: their files go into
        the manifest as they are, and the others are returned, to render."""
        old_keys, old_files, keys, files = self.old.keys, self.old.files, self.keys, self.files
        to_render = []
        for page in all_pages:
            names = self._outputs(page)
            key = keys.get(page.file)
            if key is not None and old_keys.get(page.file) == key and names <= old_files.keys():
                files.update({name: old_files[name] for name in names})
            else:
                to_render.append(page)
        return to_render

    def _pages(
        self,
        env: Environment,
        all_pages: list[Page],
        staging: Path,
        check: Callable[[], None] | None = None,
    ) -> None:
        """Render the pages whose inputs changed, in parallel; keep the others as they are.

        A briefing page's task also writes that briefing's exports (annotations.json,
        text.txt): they depend on the same inputs, and the work is spread over the workers.
        `check` is called between pages: it raises to stop them (search_stage.py).
        """
        old, site = self.old, self.site

        def render(page: Page) -> list[tuple[str, str, bool]]:
            context = page.context
            briefing = context.get("briefing")
            if briefing is not None:
                briefing = self.prepared.complete(briefing)
                context = {**context, "briefing": briefing}
            html = env.get_template(page.template).render(page=page, **context)
            files = {page.file: html.encode("utf-8")}
            if briefing is not None:
                lines = self.prepared.lines_of(briefing.slug)
                files.update(briefing_exports(site, briefing, lines))
            return [
                output.stage_if_changed(staging, name, data, old.files.get(name))
                for name, data in files.items()
            ]

        to_render = self._kept(all_pages)
        # The pieces of the briefings rendered, read at once, here: forked workers inherit them.
        self.prepared.pieces(p.context["briefing"].slug for p in to_render if not _is_listing(p))
        jobs = self.options.jobs or parallel.default_jobs()
        for staged in parallel.run(render, to_render, jobs, _is_listing, check):
            for name, file_digest, changed in staged:
                self.files[name] = file_digest
                self.written += changed
        self.rendered = len(to_render)

    def _stage(self, data: dict[str, bytes], staging: Path) -> None:
        for name, content in data.items():
            _, file_digest, changed = output.stage_if_changed(
                staging, name, content, self.old.files.get(name)
            )
            self.files[name] = file_digest
            self.written += changed

    def _stage_site_files(self, makers: dict[str, Callable[[], bytes]], staging: Path) -> None:
        for name, make in makers.items():
            key, old_digest = self.keys.get(name), self.old.files.get(name)
            if key is not None and key == self.old.keys.get(name) and old_digest is not None:
                self.files[name] = old_digest  # its inputs did not change: neither did it
            else:
                self._stage({name: make()}, staging)

    def _search(self, search: SearchStage, staging: Path) -> str:
        """Stage the search index, made again only when what it holds changed; its digest."""
        bundle = search.finish()
        if bundle is None:
            self.files.update(search.kept or {})
        else:
            self._stage_bundle(bundle, staging)
        return search.digest

    def _stage_bundle(self, bundle: Merged, staging: Path) -> None:
        """Stage the merged index; files the output has already are left where they are."""
        prefix = urls.search_bundle()
        self._stage({prefix + name: data for name, data in bundle.files.items()}, staging)
        kept = bundle.kept.items()
        as_before = {prefix + n: digest for n, (data, digest) in kept if data is None}
        self.files.update(as_before)
        # A fragment whose run was renamed (search/fragments.py): the output has its bytes
        # under its old name. (Sets of items: tens of thousands of fragments, compared in C.)
        lost = as_before.items() - self.old.files.items()
        if lost:
            moved = {d: n for n, d in self.old.files.items() if n.startswith(prefix)}
            for path, digest in sorted(lost):
                self._stage(
                    {path: _old_file(self.options.output, moved.get(digest), digest)}, staging
                )
        just_made = {prefix + n: data for n, (data, _) in kept if data is not None}
        self._stage(just_made, staging)


def _old_file(out_dir: Path, name: str | None, digest: str) -> bytes:
    """The bytes of the output's file `name`, which must be `digest`'s (the search stage uses a
    stored slice only when the output has its files)."""
    try:
        data = (out_dir / urls.safe_relpath(name)).read_bytes() if name is not None else b""
    except OSError:
        data = b""
    if hashlib.sha256(data).hexdigest() != digest:
        raise SearchIndexError(
            f"the output lost {name or 'a file of the search index'}; build again"
        )
    return data


def _is_listing(page: Page) -> bool:
    """Listing pages read every annotation; a briefing page only its own briefing."""
    return "briefing" not in page.context


def _environment(site: Site) -> tuple[Environment, dict[str, bytes]]:
    """The theme's Jinja environment, and its static files as output path -> bytes."""
    site_dir, theme = site.content.site_dir, site.content.config.theme
    assets = {name: path.read_bytes() for name, path in static_files(site_dir, theme).items()}
    return make_environment(site_dir, theme, site, assets), assets

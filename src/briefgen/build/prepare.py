"""Phase one: everything read, anchored, rendered in memory and cross-checked; nothing written.

Each briefing file becomes a ProcessedBriefing: from the caller's memory, else the cache, else
made (in parallel, by forked workers). Then the site model is built over them and links are
checked. Phase two (writer.py) runs only if this found no error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.build import output, parallel, sitereuse
from briefgen.build.cache import DocCache
from briefgen.build.codec import NO_REFS, CodecError, Refs
from briefgen.build.digest import digest
from briefgen.build.inputs import BuildOptions, FileHashes, Found
from briefgen.build.known import Known
from briefgen.build.pieces import OnDemand, PieceStore, complete
from briefgen.build.processed import NO_PIECES, Pieces, ProcessedBriefing, processed, with_body
from briefgen.content.briefings import (
    briefing_files,
    check_stances,
    check_unique,
    draft_warnings,
    load_briefing,
    read_briefing,
    sniff_draft,
)
from briefgen.content.config import Settings, base_url_problem, load_settings
from briefgen.content.model import BriefingSource
from briefgen.diagnostics import ContentError, Diagnostic, Diagnostics, UsageError
from briefgen.document.assemble import build_briefing
from briefgen.document.markdown import make_parser
from briefgen.document.model import Briefing
from briefgen.search.warm import Warm
from briefgen.site.links import check_links, check_links_despite_errors
from briefgen.site.model import Site, build_site

if TYPE_CHECKING:
    from briefgen.search.merge import Slice


class Memory(dict[str, ProcessedBriefing]):
    """Cache key -> result, kept between builds by serve; for the writer, the search index's
    slices as the last build merged them (search/index.py); and the last build, when it
    deferred its search index, for pipeline.index_deferred() to take up."""

    def __init__(self) -> None:
        super().__init__()
        self.search_slices: dict[str, Slice] = Warm()
        self.deferred: Deferred | None = None
        # cache key -> its lines of data/annotations.jsonl, decompressed: a save remakes that
        # file (50 MB at 4,000 briefings), and decompressing every briefing's lines each
        # time took a tenth of a save's build
        self.lines: dict[str, bytes] = {}
        self.page_keys = Known()  # keys.py: what the last page keys were made of
        # the site model and site-wide checks of the last build (sitereuse.py)
        self.checked: sitereuse.Checked | None = None
        # the last build's cache keys: (path, content hash) -> key, under these settings
        self.cache_keys: tuple[str, dict[tuple[str, bytes], str]] = ("", {})


@dataclass(frozen=True)
class Prepared:
    """Phase one's output: the site model and, per briefing it shows, what was made of it."""

    site: Site
    diagnostics: Diagnostics
    briefings: dict[str, ProcessedBriefing]  # slug -> its processed file
    skipped_drafts: tuple[str, ...] = ()  # drafts left out (without --drafts), as rel paths
    lines: dict[str, bytes] | None = None  # Memory.lines, when serve keeps one
    store: PieceStore | None = None  # where results read from the cache find their pieces

    def pieces(self, slugs: Iterable[str]) -> dict[str, Pieces]:
        """Slug -> pieces, for these briefings (those the site has), read at once."""
        found = [p for slug in slugs if (p := self.briefings.get(slug)) is not None]
        if self.store is None:
            return {p.slug: p.pieces or NO_PIECES for p in found}
        by_key = self.store.of(found)
        return {p.slug: by_key[p.key] for p in found}

    def complete(self, briefing: Briefing) -> Briefing:
        """The briefing with its body (the site's may come without: see prepare())."""
        found = self.briefings.get(briefing.slug)
        if found is None:
            return briefing
        if self.store is None:
            return with_body(briefing, (found.pieces or NO_PIECES).body)
        return complete(self.store, found, briefing)

    def lines_of(self, slug: str) -> bytes:
        """A briefing's lines of data/annotations.jsonl (b"" where they were not made)."""
        pieces = self.pieces([slug]).get(slug)
        return pieces.lines() if pieces is not None else b""

    @cached_property
    def feed_entries(self) -> Mapping[str, bytes]:
        """Slug -> its entry in feed.xml; read when first asked for (see OnDemand)."""

        def made() -> dict[str, bytes]:
            return {slug: p.feed_entry for slug, p in self._all().items() if p.feed_entry}

        return OnDemand(made)

    @cached_property
    def annotation_lines(self) -> Mapping[str, bytes]:
        """Briefing slug -> its lines of data/annotations.jsonl, where they were made."""
        return OnDemand(self._annotation_lines)

    def _annotation_lines(self) -> dict[str, bytes]:
        known = self.lines
        if known is None:
            return {slug: lines for slug, p in self._all().items() if (lines := p.lines())}
        found = {}
        pieces: dict[str, Pieces] | None = None
        for slug, p in self.briefings.items():
            made = known.get(p.key)
            if made is None:
                pieces = pieces if pieces is not None else self._all()
                made = known[p.key] = pieces[slug].lines()
            if made:
                found[slug] = made
        return found

    @cached_property
    def position_rows(self) -> Mapping[str, str]:
        """Annotation id -> its row of positions.json."""

        def made() -> dict[str, str]:
            return {key: row for p in self._all().values() for key, row in p.position_rows}

        return OnDemand(made)

    def _all(self) -> dict[str, Pieces]:
        return self.pieces(self.briefings)


@dataclass(frozen=True)
class Deferred:
    """A build that published its pages and left the search index as it was (serve): what
    it prepared, and what it published, so that indexing needs no second build."""

    prepared: Prepared
    options: BuildOptions  # with defer_search
    manifest: output.Manifest  # the one it published
    signature: tuple[int, ...] | None  # output.manifest_signature() once published
    inputs: str  # the input digest of the same files without defer_search


def prepare(
    options: BuildOptions,
    cache: DocCache | None = None,
    memory: Memory | None = None,
    *,
    bodies_apart: bool = False,
    hashes: FileHashes | None = None,
    found: Found | None = None,
) -> Prepared:
    """Phase one. With `bodies_apart`, the site's briefings come without their bodies
    (`Prepared.complete()` restores one); otherwise they are complete. `found`: the input
    files as the build's input check found them (inputs.State), not to be listed again."""
    diags = Diagnostics()
    settings = _with_base_url(load_settings(options.site_dir, diags), options.base_url)
    cache = cache or DocCache(options.site_dir, False)
    long_lived = memory is not None  # serve: worth keeping lines and the site model
    memory = Memory() if memory is None else memory
    maker = _Maker(settings, options)
    planned = _planned(maker, memory, hashes or FileHashes(), found)
    results, remake = _process_briefings(maker, cache, options, memory, planned)
    store = PieceStore(cache, remake, memory)
    included, skipped = _without_drafts(results, options.drafts, diags)
    sources = [r.source for r in included if r.source is not None]
    content = settings.content()
    last, memory.checked = memory.checked, None  # sitereuse.py: serve's, from the last build
    same = long_lived and sitereuse.same_sources(last, included, content, options.search)
    checks = last.checks if same and last is not None else _checks(sources)
    diags.items.extend(checks)
    if diags.errors() and content is not None:  # broken links too, in the same run
        made = [r.briefing for r in included if r.usable and r.briefing is not None]
        written = dataclasses.replace(content, briefings=tuple(sources))
        check_links_despite_errors(written, made, options.search, diags)
    if diags.errors() or content is None:
        raise ContentError(diags)
    kept = {r.slug: r for r in included if r.usable}
    kept_sources = tuple(r.source for r in kept.values() if r.source is not None)
    content = dataclasses.replace(content, briefings=kept_sources)
    if not bodies_apart:
        store.of(kept.values())  # read at once
    briefings = [
        r.briefing if bodies_apart else complete(store, r, r.briefing)
        for r in kept.values()
        if r.briefing is not None
    ]
    if same and last is not None:
        site = sitereuse.site_of(last, content, briefings)
        if not sitereuse.same_links(last, included):
            check_links(site, diags)
    else:
        site = build_site(content, briefings, options.search)
        check_links(site, diags)
    if diags.errors(strict=options.strict):
        raise ContentError(diags)
    lines = None
    if long_lived:  # what the next build takes up (sitereuse.py), and this build's lines only
        settings_repr = sitereuse.settings_of(content)
        done = tuple(included)
        memory.checked = sitereuse.Checked(settings_repr, options.search, done, checks, site)
        known = memory.lines
        lines = memory.lines = {p.key: known[p.key] for p in kept.values() if p.key in known}
    return Prepared(site, diags, kept, skipped, lines, store)


def _checks(sources: list[BriefingSource]) -> tuple[Diagnostic, ...]:
    """What the site-wide checks of the briefings' front matter find."""
    found = Diagnostics()
    check_unique(sources, found)
    check_stances(sources, found)
    return tuple(found.items)


def _without_drafts(
    results: list[ProcessedBriefing], drafts: bool, diags: Diagnostics
) -> tuple[list[ProcessedBriefing], tuple[str, ...]]:
    """The results to build, and the drafts skipped. Every result's diagnostics go to `diags`;
    without --drafts, drafts are left out and their problems are only warnings."""
    for result in results:
        skip = result.draft and not drafts
        diags.items.extend(draft_warnings(result.diagnostics) if skip else result.diagnostics)
    included = [r for r in results if drafts or not r.draft]
    return included, tuple(r.rel_path for r in results if r.draft and not drafts)


def _with_base_url(settings: Settings, base_url: str | None) -> Settings:
    if not base_url or settings.config is None:
        return settings
    if problem := base_url_problem(base_url):
        raise UsageError(f"--base-url {problem}")
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    config = dataclasses.replace(settings.config, base_url=base_url)
    return dataclasses.replace(settings, config=config)


def _from_cache(
    cache: DocCache, keys: list[str], settings: Settings
) -> dict[str, ProcessedBriefing]:
    """The entries found (their models: the pieces are read when needed, see PieceStore); a
    row this briefgen did not write is a miss (and is made again)."""
    content = settings.content()
    refs = NO_REFS
    if content is not None:
        refs = Refs(content.actors, content.topics, content.config.stances)
    decode = ProcessedBriefing.reader(refs)
    found = {}
    for key, model in cache.get_many(keys):
        try:
            result = decode(model)
        except CodecError:
            continue
        if result.key == key:
            found[key] = result
    return found


class _Maker:
    """Makes a briefing file's result from its bytes: in forked workers, or in the parent
    when the cache lost a result's pieces (PieceStore)."""

    def __init__(self, settings: Settings, options: BuildOptions) -> None:
        self.settings = settings
        self.search = options.search
        self.relative = _relative(settings.site_dir)
        # Hashed once: each file's key hashes this digest, not the settings' text again.
        self.settings_key = digest(repr((settings.config, settings.actors, settings.topics)))
        self.md = make_parser()

    def key(self, path: Path | str, content_hash: bytes) -> str:
        return digest(self.settings_key, self.relative(path), content_hash)

    def __call__(
        self, item: tuple[Path, str, bytes]
    ) -> tuple[ProcessedBriefing, bytes, bytes, bytes]:
        path, key, data = item
        settings, diags = self.settings, Diagnostics()
        source = load_briefing(path, settings, diags, data)
        content = settings.content()
        briefing = None
        if source is not None and content is not None:
            briefing = build_briefing(self.md, content, source, diags)
        result = processed(key, source, briefing, diags, settings.config, self.search)
        draft = source.draft if source is not None else sniff_draft(data)
        result = dataclasses.replace(result, draft=draft, rel_path=self.relative(path))
        # Encoded once, here, in the worker: the parent only stores the bytes.
        return (result, *result.encoded())


def _planned(
    maker: _Maker, memory: Memory, hashes: FileHashes, found: Found | None
) -> list[tuple[str, str]]:
    """Every briefing file (path) and its cache key. The files and their hashes are those the
    input check found, if given; else listed and hashed here. A key is a digest of the
    settings, the file's name and its content hash: a long-lived caller keeps the last
    build's (Memory.cache_keys), and a build makes only those of names or contents it has
    not seen."""
    listed = found.briefings if found is not None else None
    if listed is None:
        listed = [str(path) for path in briefing_files(maker.settings.site_dir)]
    known = found.hashes if found is not None else {}
    settings, last = memory.cache_keys
    last = last if settings == maker.settings_key else {}
    made: dict[tuple[str, bytes], str] = {}
    planned = []
    for path in listed:
        content_hash = known.get(path) or hashes.of(path)
        key = last.get(held := (path, content_hash))
        made[held] = key = maker.key(path, content_hash) if key is None else key
        planned.append((path, key))
    memory.cache_keys = (maker.settings_key, made)  # this build's only
    return planned


def _process_briefings(
    maker: _Maker,
    cache: DocCache,
    options: BuildOptions,
    memory: Memory,
    planned: list[tuple[str, str]],
) -> tuple[list[ProcessedBriefing], Callable[[ProcessedBriefing], Pieces]]:
    """Every briefing file's result: from memory, else the cache, else made (in parallel);
    and how to make a result's pieces again from its file.

    `memory` is left holding exactly this build's results."""
    results = {key: memory[key] for _, key in planned if key in memory}
    cache.mark_used(results)
    results.update(_from_cache(cache, [k for _, k in planned if k not in results], maker.settings))
    # What is made is made from the bytes read here; its key is theirs, even if the file
    # changed since it was hashed (so no result is ever cached under another content's key).
    missing = []
    for name, key in planned:
        if key not in results:
            path = Path(name)
            data = read_briefing(path)
            missing.append((path, maker.key(path, hashlib.sha256(data).digest()), data))
    jobs = options.jobs or parallel.default_jobs()
    with cache.writer() as put:
        for _, (result, model, pieces, body) in parallel.run_unordered(maker, missing, jobs):
            results[result.key] = result
            put(result.key, model, pieces, body)
    memory.clear()
    memory.update(results)
    made = {str(path): key for path, key, _ in missing}
    paths = {key: name for name, key in planned}

    def remake(result: ProcessedBriefing) -> Pieces:
        """The pieces of a result read from the cache, made again from its file: the cache
        lost them, or holds them damaged. The file must still be what the result was made
        of (else the site model would not be that of the pages made of these pieces)."""
        path = Path(paths[result.key])
        try:
            data = read_briefing(path)
        except OSError:
            data = None
        if data is None or maker.key(path, hashlib.sha256(data).digest()) != result.key:
            raise UsageError(f"{path} changed during the build; build again")
        again, model, pieces, body = maker((path, result.key, data))
        with cache.writer() as put:
            put(result.key, model, pieces, body)
        assert again.pieces is not None
        return again.pieces

    return [results[made.get(path, key)] for path, key in planned], remake


def _relative(site_dir: Path) -> Callable[[Path | str], str]:
    """A path below `site_dir` relative to it, as POSIX text. The text cut off where it can be:
    pathlib's relative_to() costs more than hashing the file's key (4,000 of them a build)."""
    prefix = str(site_dir / "_")[:-1]  # "" for ".", "site/" for "site"

    def relative(path: Path | str) -> str:
        text = str(path)
        if os.sep == "/" and text.startswith(prefix):
            return text[len(prefix) :]
        return Path(path).relative_to(site_dir).as_posix()

    return relative

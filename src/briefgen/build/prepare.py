"""Phase one: everything read, anchored, rendered in memory and cross-checked; nothing written.

Each briefing file becomes a ProcessedBriefing: from the caller's memory, else the cache, else
made (in parallel, by forked workers). Then the site model is built over them and links are
checked. Phase two (writer.py) runs only if this found no error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.build import output, parallel
from briefgen.build.cache import DocCache
from briefgen.build.codec import NO_REFS, CodecError, Refs
from briefgen.build.digest import digest
from briefgen.build.inputs import BuildOptions, FileHashes
from briefgen.build.processed import ProcessedBriefing, processed, with_body
from briefgen.content.briefings import (
    briefing_files,
    check_stances,
    check_unique,
    draft_warnings,
    load_briefing,
    sniff_draft,
)
from briefgen.content.config import Settings, base_url_problem, load_settings
from briefgen.diagnostics import ContentError, Diagnostics, UsageError
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


@dataclass(frozen=True)
class Prepared:
    """Phase one's output: the site model and, per briefing it shows, what was made of it."""

    site: Site
    diagnostics: Diagnostics
    briefings: dict[str, ProcessedBriefing]  # slug -> its processed file
    skipped_drafts: tuple[str, ...] = ()  # drafts left out (without --drafts), as rel paths
    lines: dict[str, bytes] | None = None  # Memory.lines, when serve keeps one

    def complete(self, briefing: Briefing) -> Briefing:
        """The briefing with its body (the site's may come without: see prepare())."""
        found = self.briefings.get(briefing.slug)
        return with_body(briefing, found.body) if found is not None else briefing

    @cached_property
    def feed_entries(self) -> dict[str, bytes]:
        return {slug: p.feed_entry for slug, p in self.briefings.items() if p.feed_entry}

    @cached_property
    def annotation_lines(self) -> dict[str, bytes]:
        """Briefing slug -> its lines of data/annotations.jsonl, where they were made."""
        known = self.lines
        if known is None:
            return {slug: lines for slug, p in self.briefings.items() if (lines := p.lines())}
        found = {}
        for slug, p in self.briefings.items():
            made = known.get(p.key)
            if made is None:
                made = known[p.key] = p.lines()
            if made:
                found[slug] = made
        return found

    @cached_property
    def position_rows(self) -> dict[str, str]:
        """Annotation id -> its row of positions.json."""
        return {key: row for p in self.briefings.values() for key, row in p.position_rows}


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
) -> Prepared:
    """Phase one. With `bodies_apart`, the site's briefings come without their bodies
    (`Prepared.complete()` restores one); otherwise they are complete."""
    diags = Diagnostics()
    settings = _with_base_url(load_settings(options.site_dir, diags), options.base_url)
    cache = cache or DocCache(options.site_dir, False)
    keep_lines = memory is not None  # a long-lived caller's: worth holding them decompressed
    memory = Memory() if memory is None else memory
    results = _process_briefings(settings, cache, options, memory, hashes or FileHashes())
    included, skipped = _without_drafts(results, options.drafts, diags)
    sources = [r.source for r in included if r.source is not None]
    check_unique(sources, diags)
    check_stances(sources, diags)
    content = settings.content()
    if diags.errors() and content is not None:  # broken links too, in the same run
        made = [r.briefing for r in included if r.usable and r.briefing is not None]
        written = dataclasses.replace(content, briefings=tuple(sources))
        check_links_despite_errors(written, made, options.search, diags)
    if diags.errors() or content is None:
        raise ContentError(diags)
    kept = {r.slug: r for r in included if r.usable}
    kept_sources = tuple(r.source for r in kept.values() if r.source is not None)
    content = dataclasses.replace(content, briefings=kept_sources)
    briefings = [
        r.briefing if bodies_apart else r.complete()
        for r in kept.values()
        if r.briefing is not None
    ]
    site = build_site(content, briefings, options.search)
    check_links(site, diags)
    if diags.errors(strict=options.strict):
        raise ContentError(diags)
    lines = None
    if keep_lines:  # this build's only: those of replaced results go
        known = memory.lines
        lines = memory.lines = {p.key: known[p.key] for p in kept.values() if p.key in known}
    return Prepared(site, diags, kept, skipped, lines)


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
    """The entries found; a row this briefgen did not write is a miss (and is made again)."""
    content = settings.content()
    refs = NO_REFS
    if content is not None:
        refs = Refs(content.actors, content.topics, content.config.stances)
    decode = ProcessedBriefing.reader(refs)
    found = {}
    for key, model, body in cache.get_many(keys):
        try:
            result = decode(model, body)
        except CodecError:
            continue
        if result.key == key:
            found[key] = result
    return found


def _process_briefings(
    settings: Settings,
    cache: DocCache,
    options: BuildOptions,
    memory: Memory,
    hashes: FileHashes,
) -> list[ProcessedBriefing]:
    """Every briefing file's result: from memory, else the cache, else made (in parallel).

    `memory` is left holding exactly this build's results."""
    # Hashed once: each file's key hashes this digest, not the settings' text again.
    settings_key = digest(repr((settings.config, settings.actors, settings.topics)))
    relative = _relative(settings.site_dir)
    planned: list[tuple[Path, str]] = []
    for path in briefing_files(settings.site_dir):
        planned.append((path, digest(settings_key, relative(path), hashes.of(path))))
    results = {key: memory[key] for _, key in planned if key in memory}
    cache.mark_used(results)
    results.update(_from_cache(cache, [k for _, k in planned if k not in results], settings))
    # What is made is made from the bytes read here; its key is theirs, even if the file
    # changed since it was hashed (so no result is ever cached under another content's key).
    missing = []
    for path, key in planned:
        if key not in results:
            data = path.read_bytes()
            content_key = digest(settings_key, relative(path), hashlib.sha256(data).digest())
            missing.append((path, content_key, data))
    md = make_parser()

    def process(item: tuple[Path, str, bytes]) -> tuple[ProcessedBriefing, bytes, bytes]:
        path, key, data = item
        diags = Diagnostics()
        source = load_briefing(path, settings, diags, data)
        content = settings.content()
        briefing = None
        if source is not None and content is not None:
            briefing = build_briefing(md, content, source, diags)
        result = processed(key, source, briefing, diags, settings.config, options.search)
        draft = source.draft if source is not None else sniff_draft(data)
        result = dataclasses.replace(result, draft=draft, rel_path=relative(path))
        # Encoded once, here, in the worker: the parent only stores the bytes.
        return (result, *result.encoded())

    jobs = options.jobs or parallel.default_jobs()
    with cache.writer() as put:
        for _, (result, model, body) in parallel.run_unordered(process, missing, jobs):
            results[result.key] = result
            put(result.key, model, body)
    memory.clear()
    memory.update(results)
    made = {path: key for path, key, _ in missing}
    return [results[made.get(path, key)] for path, key in planned]


def _relative(site_dir: Path) -> Callable[[Path], str]:
    """A path below `site_dir` relative to it, as POSIX text. The text cut off where it can be:
    pathlib's relative_to() costs more than hashing the file's key (4,000 of them a build)."""
    prefix = str(site_dir / "_")[:-1]  # "" for ".", "site/" for "site"

    def relative(path: Path) -> str:
        text = str(path)
        if os.sep == "/" and text.startswith(prefix):
            return text[len(prefix) :]
        return path.relative_to(site_dir).as_posix()

    return relative

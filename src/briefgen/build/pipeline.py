"""The pipeline: load -> anchor and render documents -> site model -> templates -> output.

Phase one reads and checks everything; phase two writes, and only if phase one found no error.
Both phases skip what did not change: per-briefing results come from a cache keyed by content,
pages whose inputs are unchanged are not rendered again, and files whose bytes are unchanged
are not rewritten.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from briefgen.build import output, parallel
from briefgen.build.cache import CACHE_DIR, DocCache, digest
from briefgen.build.inputs import BuildOptions as BuildOptions  # re-exported: build's options
from briefgen.build.inputs import FileHashes, State, state
from briefgen.content.briefings import briefing_files, check_unique, load_briefing
from briefgen.content.config import Settings, load_settings
from briefgen.content.model import BriefingSource, SiteConfig
from briefgen.diagnostics import ContentError, Diagnostic, Diagnostics, UsageError
from briefgen.document.assemble import build_briefing
from briefgen.document.markdown import make_parser
from briefgen.document.model import Annotation, Briefing
from briefgen.exports import feed, positions
from briefgen.exports.files import briefing_export_names, briefing_exports, site_file_makers
from briefgen.site.links import check_links
from briefgen.site.model import Site, build_site
from briefgen.site.pages import Page, pages
from briefgen.theme.files import static_files
from briefgen.theme.render import make_environment, theme_digests

STALE_SEARCH = "stale"  # a manifest's search digest when indexing was deferred


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    pages: int
    annotations: int
    seconds: float
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    rendered: int = 0  # pages rendered this time (the others were unchanged)
    written: int = 0  # files written this time
    unchanged: bool = False  # nothing to do: inputs identical to the last build


@dataclass(frozen=True)
class DocResult:
    """Everything phase one learns from one briefing file; cached by `key`."""

    key: str
    source: BriefingSource | None  # without its body, which only build_briefing() reads
    briefing: Briefing | None
    diagnostics: tuple[Diagnostic, ...]
    feed_entry: bytes = b""  # its entry in feed.xml, made here so a warm build only joins them
    shown: str = ""  # shown_digest() of the briefing
    search_key: str = ""  # search.briefing_digest() of it, when the build indexes
    position_rows: tuple[tuple[str, str], ...] = ()  # (id, positions.position_row()) each
    # The briefing's body (chunks, plain text), compressed: `briefing` is kept without it. Only
    # its own page, exports and search record read a body; a big site's parent process (and
    # the workers it forks) would otherwise hold every one as Python strings.
    body: bytes = b""


@dataclass(frozen=True)
class Prepared:
    site: Site
    diagnostics: Diagnostics
    doc_keys: dict[str, str]  # slug -> cache key of its briefing
    feed_entries: dict[str, bytes] = field(default_factory=dict)  # slug -> its feed entry
    bodies: dict[str, bytes] = field(default_factory=dict)  # slug -> body, for with_body()
    position_rows: dict[str, str] = field(default_factory=dict)  # annotation id -> its row
    shown: dict[str, str] = field(default_factory=dict)  # slug -> shown_digest()
    search_keys: dict[str, str] = field(default_factory=dict)  # slug -> briefing_digest()


Memory = dict[str, DocResult]  # cache key -> result, kept between builds by a long-lived process


def prepare(
    options: BuildOptions,
    cache: DocCache | None = None,
    memory: Memory | None = None,
    *,
    bodies_apart: bool = False,
    hashes: FileHashes | None = None,
) -> Prepared:
    """Phase one: everything read, anchored, rendered in memory and cross-checked.

    With `bodies_apart`, the site's briefings come without their bodies (see DocResult.body;
    `with_body()` restores one); otherwise they are complete."""
    diags = Diagnostics()
    settings = _with_base_url(load_settings(options.site_dir, diags), options.base_url)
    cache = cache or DocCache(options.site_dir, False)
    memory = {} if memory is None else memory
    results = _process_briefings(settings, cache, options, memory, hashes or FileHashes())
    for result in results:
        diags.items.extend(result.diagnostics)
    check_unique([r.source for r in results if r.source is not None], diags)
    content = settings.content()
    if diags.errors() or content is None:
        raise ContentError(diags)
    kept = [
        r for r in results if r.briefing and r.source and (options.drafts or not r.source.draft)
    ]
    sources = tuple(r.source for r in kept if r.source)
    content = dataclasses.replace(content, briefings=sources)
    bodies = {r.source.slug: r.body for r in kept if r.source and r.body}
    briefings = [r.briefing for r in kept if r.briefing]
    if not bodies_apart:
        briefings = [with_body(b, bodies.get(b.slug)) for b in briefings]
    site = build_site(content, briefings, options.search)
    check_links(site, diags)
    if diags.errors(strict=options.strict):
        raise ContentError(diags)
    doc_keys = {r.source.slug: r.key for r in kept if r.source}
    feed_entries = {r.source.slug: r.feed_entry for r in kept if r.source and r.feed_entry}
    shown = {r.source.slug: r.shown for r in kept if r.source and r.shown}
    search_keys = {r.source.slug: r.search_key for r in kept if r.source and r.search_key}
    rows = {key: row for r in kept for key, row in r.position_rows}
    return Prepared(
        site,
        diags,
        doc_keys,
        feed_entries,
        bodies if bodies_apart else {},
        rows,
        shown,
        search_keys,
    )


def _with_base_url(settings: Settings, base_url: str | None) -> Settings:
    if not base_url or settings.config is None:
        return settings
    from briefgen.content.config import base_url_problem

    if problem := base_url_problem(base_url):
        raise UsageError(f"--base-url {problem}")
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    config = dataclasses.replace(settings.config, base_url=base_url)
    return dataclasses.replace(settings, config=config)


def _process_briefings(
    settings: Settings,
    cache: DocCache,
    options: BuildOptions,
    memory: Memory,
    hashes: FileHashes,
) -> list[DocResult]:
    """Every briefing file's result: from memory, else the cache, else made (in parallel).

    `memory` is left holding exactly this build's results."""
    settings_key = repr((settings.config, settings.actors, settings.topics))
    planned: list[tuple[Path, str]] = []
    for path in briefing_files(settings.site_dir):
        rel = path.relative_to(settings.site_dir).as_posix()
        planned.append((path, digest(settings_key, rel, hashes.of(path))))
    results = {key: memory[key] for _, key in planned if key in memory}
    cache.mark_used(results)
    for key, blob in cache.get_many(key for _, key in planned if key not in results):
        hit = _unpickle(blob)
        if isinstance(hit, DocResult):
            results[key] = hit
    # What is made is made from the bytes read here; its key is theirs, even if the file
    # changed since it was hashed (so no result is ever cached under another content's key).
    missing = []
    for path, key in planned:
        if key not in results:
            data = path.read_bytes()
            rel = path.relative_to(settings.site_dir).as_posix()
            content_key = digest(settings_key, rel, hashlib.sha256(data).digest())
            missing.append((path, content_key, data))
    md = make_parser()

    def process(item: tuple[Path, str, bytes]) -> bytes:
        path, key, data = item
        diags = Diagnostics()
        source = load_briefing(path, settings, diags, data)
        content = settings.content()
        briefing = None
        if source is not None and content is not None:
            briefing = build_briefing(md, content, source, diags)
        result = _doc_result(key, source, briefing, diags, settings.config, options.search)
        # Pickled once, here: the same bytes cross to the parent and go into the cache.
        return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)

    jobs = options.jobs or parallel.default_jobs()
    with cache.writer() as put:
        for _, blob in parallel.run_unordered(process, missing, jobs):
            result = pickle.loads(blob)
            results[result.key] = result
            put(result.key, blob)
    memory.clear()
    memory.update(results)
    made = {path: key for path, key, _ in missing}
    return [results[made.get(path, key)] for path, key in planned]


def _doc_result(
    key: str,
    source: BriefingSource | None,
    briefing: Briefing | None,
    diags: Diagnostics,
    config: SiteConfig | None,
    search: bool,
) -> DocResult:
    """The result as cached: with what later stages need of the briefing made here, in the
    worker (its feed entry and digests), and without the body text only build_briefing() reads.
    """
    entry, shown, search_key, body = b"", "", "", b""
    rows: tuple[tuple[str, str], ...] = ()
    if briefing is not None and config is not None and not diags.errors():
        entry = feed.feed_entry(config, briefing).encode("utf-8")
        rows = tuple((a.id, positions.position_row(config, a)) for a in briefing.positions)
        shown = shown_digest(briefing)
        if search:
            from briefgen.search.pagefind import briefing_digest

            search_key = briefing_digest(config.language, briefing)
    if briefing is not None:
        parts = (briefing.chunks, briefing.plain_text)
        body = zlib.compress(pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL), 1)
        briefing = dataclasses.replace(briefing, chunks=(), plain_text="")
    if source is not None:
        source = _slim(source)
    diagnostics = tuple(diags.items)
    return DocResult(key, source, briefing, diagnostics, entry, shown, search_key, rows, body)


def _slim(source: BriefingSource) -> BriefingSource:
    """What later stages read of a source: ids, positions, flags (check_unique, drafts). Its
    body and texts were used by build_briefing() and are in the briefing now."""
    specs = tuple(
        dataclasses.replace(s, quote="", prefix="", suffix="", summary="", note="")
        for s in source.annotations
    )
    return dataclasses.replace(source, body="", annotations=specs)


def with_body(briefing: Briefing, body: bytes | None) -> Briefing:
    """The briefing complete again, given its DocResult.body."""
    if not body:
        return briefing
    chunks, plain_text = pickle.loads(zlib.decompress(body))
    return dataclasses.replace(briefing, chunks=chunks, plain_text=plain_text)


def _unpickle(blob: bytes) -> object:
    try:
        return pickle.loads(blob)
    except Exception:  # written by other code (the key covers our version, but be safe): a miss
        return None


def _chrome_digest(site: Site) -> str:
    """What a briefing page may show besides its own briefing: settings and site structure."""
    summary = (
        site.content.config,
        site.content.actors,
        site.content.topics,
        [(b.slug, b.title, b.date, b.summary) for b in site.briefings],
        [p.slug for p in site.pairs],
        site.featured.slug if site.featured else None,
    )
    return digest(repr(summary))


def shown_digest(b: Briefing) -> str:
    """What pages other than a briefing's own show of it: metadata and annotations.

    Leaves out the body text and where in it each quote stands (offsets, prefix, suffix), but
    not the Text Fragment links positions.json gives (they quote the words around a passage).
    """

    def shown(a: Annotation) -> tuple[object, ...]:
        fields = (a.id, a.kind, a.number, a.quote, a.actor, a.topic, a.stance, a.summary)
        return (*fields, a.note_html, a.url, a.fragment_url)

    return digest(repr((b.slug, b.title, b.date, b.summary, [shown(a) for a in b.annotations])))


def _annotations_digest(prepared: Prepared) -> str:
    """Everything pages other than a briefing's own show: annotations and briefing metadata."""
    shown = prepared.shown
    return digest(*(shown.get(b.slug) or shown_digest(b) for b in prepared.site.briefings))


def page_keys(prepared: Prepared) -> dict[str, str]:
    """Output file -> digest of everything the page (or site-wide file) depends on.

    A page depends on its template and the templates that one uses (see render.theme_digests),
    the static assets and the site's chrome. A briefing page also depends on its briefing;
    every other page (home, compare, topics, actors) on all annotations and briefing metadata,
    but not on briefings' body text: editing a paragraph that holds no quote re-renders the
    one briefing page only. (See themes/default/README.md.)
    """
    site = prepared.site
    theme = theme_digests(site.content.site_dir, site.content.config.theme)
    chrome = _chrome_digest(site)
    annotations = _annotations_digest(prepared)
    keys = {}
    for page in pages(site):
        briefing = page.context.get("briefing")
        own = prepared.doc_keys[briefing.slug] if briefing is not None else annotations
        keys[page.file] = digest(theme.of(page.template), chrome, own)
    # positions.json shows annotations, like the listing pages; the sitemap lists every page.
    keys["data/positions.json"] = digest(chrome, annotations)
    keys["sitemap.xml"] = digest(chrome, annotations, *keys)
    return keys


def build(
    options: BuildOptions,
    memory: Memory | None = None,
    interrupted: Callable[[], bool] | None = None,
    start: State | None = None,
    hashes: FileHashes | None = None,
) -> BuildResult:
    """Build the site. A long-lived caller (serve) may pass `memory`, which carries every
    briefing's result from one build to the next, and `interrupted`, polled while the search
    index is made: when it turns true the build raises BuildInterrupted, output untouched.
    `start`: inputs.state(options), when the caller has it already; `hashes`: a FileHashes
    kept by a long-lived caller.

    One build at a time per output (publish.locked); `start` is made again if another build
    changed the output since it was made."""
    from briefgen.build.publish import locked

    started = time.perf_counter()
    with locked(options.output):
        if start is not None and output.trusted_manifest(options.output) != start.previous:
            start = None
        return _build(options, started, memory, interrupted, start or state(options, hashes))


def _build(
    options: BuildOptions,
    started: float,
    memory: Memory | None,
    interrupted: Callable[[], bool] | None,
    start: State,
) -> BuildResult:
    out = options.output
    previous, inputs = start.previous, start.inputs
    if start.unchanged:
        assert previous is not None
        return BuildResult(
            out, previous.pages, previous.annotations, _since(started), unchanged=True
        )

    cache = DocCache(options.site_dir, options.cache)
    with parallel.collector_paused():
        prepared = prepare(options, cache, memory, bodies_apart=True, hashes=start.hashes)
        writer = _Writer(prepared, options, previous or output.Manifest.empty(), interrupted)
        manifest = writer.write(inputs)
    cache.prune()
    return BuildResult(
        out,
        manifest.pages,
        manifest.annotations,
        _since(started),
        prepared.diagnostics,
        rendered=writer.rendered,
        written=writer.written,
    )


class _Writer:
    """Phase two: stage what changed beside the output, then commit it (see output.py)."""

    def __init__(
        self,
        prepared: Prepared,
        options: BuildOptions,
        old: output.Manifest,
        interrupted: Callable[[], bool] | None = None,
    ) -> None:
        self.interrupted = interrupted
        self.prepared = prepared
        self.site = prepared.site
        self.options = options
        self.old = old
        self.keys = page_keys(prepared)
        self.files: dict[str, str] = {}  # output path -> digest, for the new manifest
        self.rendered = 0
        self.written = 0

    def write(self, inputs: str) -> output.Manifest:
        out = self.options.output
        staging = output.new_staging(out)
        try:
            env, assets = _environment(self.site, self.options.cache)
            all_pages = list(pages(self.site))
            self._pages(env, all_pages, staging)
            self._stage(assets, staging)
            prepared = self.prepared
            makers = site_file_makers(self.site, prepared.feed_entries, prepared.position_rows)
            self._stage_site_files(makers, staging)
            search = self._search(staging) if self.options.search else ""
            annotations = sum(len(b.annotations) for b in self.site.briefings)
            manifest = output.Manifest(
                self.files, self.keys, inputs, search, len(all_pages), annotations
            )
            output.commit(staging, out, manifest)
        except BaseException:
            output.discard(staging)
            raise
        return manifest

    def _outputs(self, page: Page) -> list[str]:
        """The files a page's task writes: the page, and a briefing's own exports."""
        briefing = page.context.get("briefing")
        if briefing is None:
            return [page.file]
        return [page.file, *briefing_export_names(briefing)]

    def _unchanged(self, page: Page) -> bool:
        old = self.old
        same_inputs = old.keys.get(page.file) == self.keys.get(page.file)
        return same_inputs and all(name in old.files for name in self._outputs(page))

    def _pages(self, env: Environment, all_pages: list[Page], staging: Path) -> None:
        """Render the pages whose inputs changed, in parallel; keep the others as they are.

        A briefing page's task also writes that briefing's exports (annotations.json,
        text.txt): they depend on the same inputs, and the work is spread over the workers.
        """
        old, site = self.old, self.site

        def render(page: Page) -> list[tuple[str, str, bool]]:
            context = page.context
            briefing = context.get("briefing")
            if briefing is not None:
                briefing = with_body(briefing, self.prepared.bodies.get(briefing.slug))
                context = {**context, "briefing": briefing}
            html = env.get_template(page.template).render(page=page, **context)
            files = {page.file: html.encode("utf-8")}
            if briefing is not None:
                files.update(briefing_exports(site, briefing))
            return [
                output.stage_if_changed(staging, name, data, old.files.get(name))
                for name, data in files.items()
            ]

        to_render = []
        for page in all_pages:
            if self._unchanged(page):
                self.files.update({name: old.files[name] for name in self._outputs(page)})
            else:
                to_render.append(page)
        jobs = self.options.jobs or parallel.default_jobs()
        for staged in parallel.run(render, to_render, jobs, together=_is_listing):
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

    def _search(self, staging: Path) -> str:
        """Index again only when what the index holds changed; returns its digest."""
        from briefgen.search.pagefind import briefing_digest, index_digest, index_site

        language = self.site.content.config.language
        made, bodies = self.prepared.search_keys, self.prepared.bodies
        search_digest = index_digest(
            language,
            [
                made.get(b.slug) or briefing_digest(language, with_body(b, bodies.get(b.slug)))
                for b in self.site.briefings
            ],
        )
        old_bundle = {k: v for k, v in self.old.files.items() if k.startswith("pagefind/")}
        if old_bundle and (self.options.defer_search or search_digest == self.old.search):
            self.files.update(old_bundle)
            return search_digest if search_digest == self.old.search else STALE_SEARCH
        complete = (with_body(b, bodies.get(b.slug)) for b in self.site.briefings)
        index_site(self.site, staging, self.interrupted, complete)
        bundle = output.staged_digests(staging, "pagefind/")
        self.written += sum(self.old.files.get(name) != value for name, value in bundle.items())
        self.files.update(bundle)
        return search_digest


def _is_listing(page: Page) -> bool:
    """Listing pages read every annotation; a briefing page only its own briefing."""
    return "briefing" not in page.context


def _environment(site: Site, cache: bool) -> tuple[Environment, dict[str, bytes]]:
    """The theme's Jinja environment, and its static files as output path -> bytes."""
    site_dir, theme = site.content.site_dir, site.content.config.theme
    assets = {name: path.read_bytes() for name, path in static_files(site_dir, theme).items()}
    bytecode = site_dir / CACHE_DIR / "templates" if cache else None
    return make_environment(site_dir, theme, site, assets, bytecode), assets


def _since(started: float) -> float:
    return time.perf_counter() - started

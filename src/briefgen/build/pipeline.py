"""The pipeline: load -> anchor and render documents -> site model -> templates -> output.

Phase one (prepare.py) reads and checks everything; phase two (writer.py) writes, and only if
phase one found no error. Both phases skip what did not change: per-briefing results come from
a cache keyed by content (cache.py), pages whose inputs are unchanged (keys.py) are not rendered
again, and files whose bytes are unchanged are not rewritten.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.build import output, parallel
from briefgen.build.cache import DocCache
from briefgen.build.inputs import BuildOptions as BuildOptions  # re-exported: build's options
from briefgen.build.inputs import FileHashes, State, state
from briefgen.build.prepare import Deferred
from briefgen.build.prepare import Memory as Memory  # re-exported: serve keeps one
from briefgen.build.prepare import Prepared as Prepared
from briefgen.build.prepare import prepare as prepare
from briefgen.build.publish import locked
from briefgen.build.writer import Writer
from briefgen.diagnostics import BuildInterrupted, Diagnostics


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    pages: int
    annotations: int
    seconds: float
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    rendered: int = 0  # pages rendered this time (the others were unchanged)
    skipped_drafts: tuple[str, ...] = ()  # drafts left out (without --drafts)
    written: int = 0  # files written this time
    unchanged: bool = False  # nothing to do: inputs identical to the last build


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
    started = time.perf_counter()
    with locked(options.output):
        if start is not None and not start.current():
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
        prepared = prepare(
            options, cache, memory, bodies_apart=True, hashes=start.hashes, found=start.found
        )
        old = previous or output.Manifest.empty()
        warm = memory.search_slices if memory is not None else None
        known = memory.page_keys if memory is not None else None
        writer = Writer(prepared, options, old, interrupted, warm, start.listing, known)
        manifest = writer.write(inputs)
    cache.prune()
    if memory is not None:
        memory.deferred = None
        if options.defer_search and options.search:
            settled = start.inputs_with(dataclasses.replace(options, defer_search=False))
            signature = output.manifest_signature(out)
            memory.deferred = Deferred(prepared, options, manifest, signature, settled)
    return BuildResult(
        out,
        manifest.pages,
        manifest.annotations,
        _since(started),
        prepared.diagnostics,
        rendered=writer.rendered,
        written=writer.written,
        skipped_drafts=prepared.skipped_drafts,
    )


def index_deferred(
    options: BuildOptions,
    memory: Memory,
    interrupted: Callable[[], bool] | None = None,
) -> BuildResult | None:
    """serve, after a build that deferred the search index: index what that build prepared
    and publish the index, with the manifest a build of the same inputs with search makes.
    Inputs are not read again, nor pages rendered: the index is that of the pages published
    (a save since then is another build's, and the watcher's, business). None when there is
    nothing to take up (no such build in `memory`, other options, or the output changed
    since it was published): then build() instead.

    `interrupted` stops it as it stops build(): BuildInterrupted, output untouched, and
    `memory` still holding the deferred build for the next try."""
    started = time.perf_counter()
    deferred = memory.deferred
    if deferred is None or deferred.options != dataclasses.replace(options, defer_search=True):
        return None
    with locked(options.output):
        if output.manifest_signature(options.output) != deferred.signature:
            return None
        if interrupted is not None and interrupted():  # a save waits: it goes first
            raise BuildInterrupted("search indexing stopped for a newer change")
        warm = memory.search_slices
        writer = Writer(deferred.prepared, options, deferred.manifest, interrupted, warm)
        with parallel.collector_paused():  # as a build: no collection walks the site model
            manifest = writer.write_search(deferred.inputs)
    memory.deferred = None
    return BuildResult(
        options.output,
        manifest.pages,
        manifest.annotations,
        _since(started),
        written=writer.written,
    )


def _since(started: float) -> float:
    return time.perf_counter() - started

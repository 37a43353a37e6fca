"""One briefing file, processed: the unit phase one makes, caches and hands to phase two.

A ProcessedBriefing carries the briefing's model *without* its body (chunks, plain text), the
body compressed beside it, and what later stages need of it made ahead, in the worker that
made it: its feed entry, its rows of positions.json, its lines of annotations.jsonl and the
digests that decide which pages change. Only its own page, exports and search record read a
body; a big site's parent process (and the workers it forks) would otherwise hold every one as
Python strings.
"""

from __future__ import annotations

import dataclasses
import functools
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from briefgen.build import codec
from briefgen.build.digest import digest
from briefgen.content.model import BriefingSource, SiteConfig
from briefgen.diagnostics import Diagnostic, Diagnostics
from briefgen.document.model import Annotation, Briefing
from briefgen.exports import feed, positions
from briefgen.exports.annotations import annotation_lines


@dataclass(frozen=True)
class ProcessedBriefing:
    """Everything phase one learns from one briefing file; cached by `key`."""

    key: str  # digest of the file's path and bytes, the settings and briefgen's code
    source: BriefingSource | None  # slimmed (see slim()): ids, positions, flags
    briefing: Briefing | None  # without its body: see complete()
    diagnostics: tuple[Diagnostic, ...]
    feed_entry: bytes = b""  # its entry in feed.xml, so a warm build only joins them
    shown: str = ""  # shown_digest() of the briefing
    search_key: str = ""  # search.briefing_digest() of it, when the build indexes
    position_rows: tuple[tuple[str, str], ...] = ()  # (id, positions.position_row()) each
    body: bytes = b""  # codec.pack_body() of its chunks and plain text; not in the cache row
    draft: bool = False  # the file says draft: true (read even when it has errors)
    rel_path: str = ""
    annotation_lines: bytes = b""  # its lines of data/annotations.jsonl, zlib-compressed

    @property
    def slug(self) -> str:
        return self.source.slug if self.source is not None else ""

    def lines(self) -> bytes:
        """Its lines of data/annotations.jsonl (b"" if they were not made)."""
        try:
            return zlib.decompress(self.annotation_lines) if self.annotation_lines else b""
        except zlib.error:
            return b""  # made again from the model

    @property
    def usable(self) -> bool:
        return self.briefing is not None and self.source is not None

    def complete(self) -> Briefing:
        """The briefing with its body."""
        assert self.briefing is not None
        return with_body(self.briefing, self.body)

    def encoded(self) -> tuple[bytes, bytes]:
        """(model, body) as the cache stores them (see codec.py)."""
        row = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        row.update(body=b"", briefing=self.briefing and codec.stored_briefing(self.briefing))
        return codec.dumps(row), self.body

    @staticmethod
    def reader(refs: codec.Refs) -> Callable[[bytes, bytes], ProcessedBriefing]:
        """`decode(model, body)`: a cache row read back against the site's settings; raises
        codec.CodecError for anything briefgen did not write."""
        read = codec.Reader(_stored(codec.briefing_type(refs)))

        def decode(model: bytes, body: bytes) -> ProcessedBriefing:
            result: ProcessedBriefing = read(model)
            if not isinstance(body, bytes):
                raise codec.CodecError("a body that is not bytes")
            codec.as_model(result, ProcessedBriefing)
            if result.briefing is not None:
                codec.restore_briefing(result.briefing, refs)
            result.__dict__["body"] = body  # as dataclasses.replace would, without a copy
            return result

        return decode


@functools.lru_cache(maxsize=8)
def _stored(briefing: Any) -> type[Any]:
    """ProcessedBriefing as a row stores it, its briefing read as `briefing`."""
    return codec.variant(ProcessedBriefing, briefing=briefing | None)


def processed(
    key: str,
    source: BriefingSource | None,
    briefing: Briefing | None,
    diags: Diagnostics,
    config: SiteConfig | None,
    search: bool,
) -> ProcessedBriefing:
    """The result as cached: with what later stages need of the briefing made here, in the
    worker (its feed entry and digests), and without the body text only build_briefing() reads.
    """
    entry, shown, search_key, body, lines = b"", "", "", b"", b""
    rows: tuple[tuple[str, str], ...] = ()
    if briefing is not None and config is not None and not diags.errors():
        entry = feed.feed_entry(config, briefing).encode("utf-8")
        rows = tuple((a.id, positions.position_row(config, a)) for a in briefing.positions)
        lines = zlib.compress(annotation_lines(config, briefing), 1)
        shown = shown_digest(briefing)
        if search:
            from briefgen.search.records import briefing_digest

            search_key = briefing_digest(config.language, briefing)
    if briefing is not None:
        body = codec.pack_body(briefing.chunks, briefing.plain_text)
        briefing = dataclasses.replace(briefing, chunks=(), plain_text="")
    if source is not None:
        source = slim(source)
    diagnostics = tuple(diags.items)
    return ProcessedBriefing(
        key,
        source,
        briefing,
        diagnostics,
        entry,
        shown,
        search_key,
        rows,
        body,
        annotation_lines=lines,
    )


def slim(source: BriefingSource) -> BriefingSource:
    """What later stages read of a source: ids, positions, flags (check_unique, drafts). Its
    body, texts and notes' positions were used by build_briefing() and are in the briefing now
    (each object less is one less to decode from the cache)."""
    specs = tuple(
        dataclasses.replace(s, quote="", prefix="", suffix="", summary="", note="", note_pos=None)
        for s in source.annotations
    )
    return dataclasses.replace(source, body="", annotations=specs)


def with_body(briefing: Briefing, body: bytes) -> Briefing:
    if not body or briefing.chunks or briefing.plain_text:
        return briefing
    chunks, plain_text = codec.unpack_body(body)
    return dataclasses.replace(briefing, chunks=chunks, plain_text=plain_text)


def shown_digest(b: Briefing) -> str:
    """What pages other than a briefing's own show of it: metadata and annotations.

    Leaves out the body text and where in it each quote stands (offsets, prefix, suffix), but
    not the Text Fragment links positions.json gives (they quote the words around a passage).
    """

    def shown(a: Annotation) -> tuple[object, ...]:
        fields = (a.id, a.kind, a.number, a.quote, a.actor, a.topic, a.stance, a.summary)
        return (*fields, a.note_html, a.url, a.fragment_url)

    return digest(repr((b.slug, b.title, b.date, b.summary, [shown(a) for a in b.annotations])))

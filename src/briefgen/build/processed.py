"""One briefing file, processed: the unit phase one makes, caches and hands to phase two.

A ProcessedBriefing carries the briefing's model *without* its body (chunks, plain text), the
digests that decide which pages change, and its Pieces: what later stages need of it made
ahead, in the worker that made it (its feed entry, its rows of positions.json, its lines of
annotations.jsonl) and the body, compressed. Only its own page, exports and search record read
a body, only the site-wide files made again read the other pieces: a build reads the pieces of
a cached briefing from the cache only then (prepare.Prepared), and a big site's parent process
(and the workers it forks) does not hold every body as Python strings.
"""

from __future__ import annotations

import dataclasses
import functools
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from briefgen.build import codec
from briefgen.build.digest import digest
from briefgen.content.model import BriefingSource, SiteConfig
from briefgen.diagnostics import Diagnostic, Diagnostics
from briefgen.document.model import Annotation, Briefing
from briefgen.exports import feed, positions
from briefgen.exports.annotations import annotation_lines


@dataclass(frozen=True)
class Pieces:
    """What only some outputs read of a briefing: its own page and exports (the body and its
    lines), and the site-wide files made again only when their keys change (keys.py). Stored
    apart from the rest, and read from the cache only for the briefings that need them."""

    feed_entry: bytes = b""  # its entry in feed.xml, so a warm build only joins them
    position_rows: tuple[tuple[str, str], ...] = ()  # (id, positions.position_row()) each
    annotation_lines: bytes = b""  # its lines of data/annotations.jsonl, zlib-compressed
    body: bytes = b""  # codec.pack_body() of its chunks and plain text

    def lines(self) -> bytes:
        """Its lines of data/annotations.jsonl (b"" if they were not made)."""
        try:
            return zlib.decompress(self.annotation_lines) if self.annotation_lines else b""
        except zlib.error:
            return b""  # made again from the model

    def encoded(self, key: str) -> bytes:
        """The pieces as the cache stores them, but the body (a column of its own)."""
        return codec.pack_pieces((key, self.feed_entry, self.position_rows, self.annotation_lines))

    @staticmethod
    def decoded(key: str, data: bytes, body: bytes) -> Pieces:
        """The pieces of entry `key` read back; codec.CodecError for anything briefgen did not
        write, or wrote for another entry."""
        found, entry, rows, lines = codec.unpack_pieces(data)
        if found != key or not isinstance(body, bytes):
            raise codec.CodecError("the pieces of another entry")
        return Pieces(entry, rows, lines, body)


NO_PIECES = Pieces()


@dataclass(frozen=True)
class ProcessedBriefing:
    """Everything phase one learns from one briefing file; cached by `key`."""

    key: str  # digest of the file's path and bytes, the settings and briefgen's code
    source: BriefingSource | None  # slimmed (see slim()): ids, positions, flags
    briefing: Briefing | None  # without its body: see complete()
    diagnostics: tuple[Diagnostic, ...]
    shown: str = ""  # shown_digest() of the briefing
    search_key: str = ""  # search.briefing_digest() of it, when the build indexes
    draft: bool = False  # the file says draft: true (read even when it has errors)
    rel_path: str = ""
    feed_key: str = ""  # digest of its feed entry (keys.py: is feed.xml the same?)
    lines_key: str = ""  # digest of its lines of data/annotations.jsonl (the same)
    # None: in the cache, under `key`, not read yet (prepare.Prepared reads them)
    pieces: Pieces | None = field(default=None, compare=False)

    @property
    def slug(self) -> str:
        return self.source.slug if self.source is not None else ""

    @property
    def usable(self) -> bool:
        return self.briefing is not None and self.source is not None

    def complete(self) -> Briefing:
        """The briefing with its body (its pieces must have been read)."""
        assert self.briefing is not None and self.pieces is not None
        return with_body(self.briefing, self.pieces.body)

    def encoded(self) -> tuple[bytes, bytes, bytes]:
        """(model, pieces, body) as the cache stores them (see codec.py)."""
        row = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        row.update(pieces=None, briefing=self.briefing and codec.stored_briefing(self.briefing))
        pieces = self.pieces or NO_PIECES
        return codec.dumps(row), pieces.encoded(self.key), pieces.body

    @staticmethod
    def reader(refs: codec.Refs) -> Callable[[bytes], ProcessedBriefing]:
        """`decode(model)`: a cache row read back against the site's settings, its pieces not
        read; raises codec.CodecError for anything briefgen did not write."""
        read = codec.Reader(_stored(codec.briefing_type(refs)))

        def decode(model: bytes) -> ProcessedBriefing:
            result: ProcessedBriefing = read(model)
            codec.as_model(result, ProcessedBriefing)
            if result.briefing is not None:
                codec.restore_briefing(result.briefing, refs)
            return result

        return decode


@functools.lru_cache(maxsize=8)
def _stored(briefing: Any) -> type[Any]:
    """ProcessedBriefing as a row stores it, its briefing read as `briefing`."""
    return codec.variant(ProcessedBriefing, briefing=briefing | None, pieces=None)


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
    feed_key = lines_key = ""
    if briefing is not None and config is not None and not diags.errors():
        entry = feed.feed_entry(config, briefing).encode("utf-8")
        rows = tuple((a.id, positions.position_row(config, a)) for a in briefing.positions)
        text = annotation_lines(config, briefing)
        lines = codec.compress(text)
        feed_key, lines_key = digest(entry), digest(text)
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
        shown,
        search_key,
        feed_key=feed_key,
        lines_key=lines_key,
        pieces=Pieces(entry, rows, lines, body),
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

"""Stage 7: the search index, built with Pagefind over the finished site.

Each briefing is indexed from a small HTML document made for the purpose (title, summary and
body; no notes, navigation or chrome), and each annotation becomes a result of its own whose
URL is the passage's permalink, so a hit lands on the highlighted quote.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import os
import select
import subprocess
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast

from briefgen import urls
from briefgen.diagnostics import BuildInterrupted, SearchIndexError
from briefgen.document.markdown import HtmlChunk
from briefgen.document.model import Annotation, Briefing
from briefgen.site.model import Site
from briefgen.theme.render import longdate

POLL_SECONDS = 0.05  # how often an interruptible indexing run checks whether to stop
KIND_LABELS = {"briefing": "Briefing", "position": "Position", "context": "Context note"}
REPORTING_LABELS = {"direct": "Direct quote", "paraphrase": "Paraphrase by the outlet"}


@dataclass(frozen=True)
class HtmlRecord:
    url: str
    html: str


@dataclass(frozen=True)
class CustomRecord:
    url: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: dict[str, str] = field(default_factory=dict)


Records = tuple[list[HtmlRecord], list[CustomRecord]]


def records(site: Site, briefings: Iterable[Briefing] | None = None) -> Records:
    """What the index holds, for `briefings` (complete, with bodies) or the site's."""
    language = site.content.config.language
    pages, notes = [], []
    for b in site.briefings if briefings is None else briefings:
        pages.append(briefing_record(language, b))
        notes += [annotation_record(a) for a in b.annotations]
    return pages, notes


def briefing_digest(language: str, briefing: Briefing) -> str:
    """Changes exactly when what the index holds of this briefing changes."""
    page = briefing_record(language, briefing)
    notes = [annotation_record(a) for a in briefing.annotations]
    return hashlib.sha256(repr((language, page, notes)).encode()).hexdigest()


def index_digest(language: str, briefing_digests: list[str]) -> str:
    """Changes exactly when what the index would hold changes."""
    return hashlib.sha256(repr((language, briefing_digests)).encode()).hexdigest()


# Record URLs are site-relative ("/briefings/x/"): Pagefind's script prefixes the base path it
# finds in its own bundle path, so the same index works under any sub-path.


def briefing_record(language: str, briefing: Briefing) -> HtmlRecord:
    language = escape(language)
    body = "".join(c.html for c in briefing.chunks if isinstance(c, HtmlChunk))
    actors = "".join(
        f'<span data-pagefind-filter="actor">{escape(a.name)}</span>' for a in briefing.actors
    )
    topics = sorted({a.topic.title for a in briefing.positions if a.topic})
    topic_tags = "".join(f'<span data-pagefind-filter="topic">{escape(t)}</span>' for t in topics)
    html = (
        f'<!doctype html><html lang="{language}"><head><title>{escape(briefing.title)}</title>'
        "</head><body>"
        f'<h1 data-pagefind-meta="title">{escape(briefing.title)}</h1>'
        f"<p>{escape(briefing.summary)}</p>{body}"
        f'<div hidden data-pagefind-ignore="index">{actors}{topic_tags}</div>'
        f'<span hidden data-pagefind-filter="kind">{KIND_LABELS["briefing"]}</span>'
        f'<span hidden data-pagefind-meta="kind">{KIND_LABELS["briefing"]}</span>'
        f'<span hidden data-pagefind-meta="date">{briefing.date.isoformat()}</span>'
        f'<span hidden data-pagefind-meta="date_label">{longdate(briefing.date)}</span>'
        f'<span hidden data-pagefind-sort="date">{briefing.date.isoformat()}</span>'
        "</body></html>"
    )
    return HtmlRecord(urls.rooted(briefing.path), html)


def annotation_record(a: Annotation) -> CustomRecord:
    note = html_text(a.note_html)
    if a.kind == "position" and a.actor and a.topic and a.stance:
        answer = a.topic.answer(a.stance)  # the stance as the answer to the topic's question
        title = f"{a.actor.name} — {a.topic.question} {answer}"
        filters = {
            "actor": [a.actor.name],
            "topic": [a.topic.title],
            "stance": [a.stance.label],
        }
        meta = {
            "actor": a.actor.name,
            "topic": a.topic.title,
            "question": a.topic.question,
            "stance": a.stance.label,
            "answer": answer,
            "stance_id": a.stance.id,
        }
    else:
        title, filters, meta = f"Context note: {a.briefing_title}", {}, {}
    filters["kind"] = [KIND_LABELS[a.kind]]
    meta |= {
        "title": title,
        "quote": a.quote,
        "briefing": a.briefing_title,
        "date": a.date.isoformat(),
        "date_label": longdate(a.date),
        "kind": KIND_LABELS[a.kind],
    }
    if a.reporting:
        meta["reporting"] = REPORTING_LABELS[a.reporting]
    content = "\n".join(part for part in (a.quote, a.summary, note) if part)
    url = urls.rooted(urls.passage(a.briefing_slug, a.id))
    return CustomRecord(url, content, meta, filters, {"date": a.date.isoformat()})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())


def index_site(
    site: Site,
    out_dir: Path,
    interrupted: Callable[[], bool] | None = None,
    briefings: Iterable[Briefing] | None = None,
) -> None:
    """Write the Pagefind bundle into out_dir/pagefind. When `interrupted()` turns true while
    Pagefind works, stop it and raise BuildInterrupted. `briefings`: see records()."""
    pages, notes = records(site, briefings)
    if interrupted is not None and interrupted():
        raise BuildInterrupted("search indexing stopped for a newer change")
    language = site.content.config.language
    requests: list[dict[str, object]] = [
        {"type": "AddFile", "file_path": None, "url": p.url, "file_contents": p.html} for p in pages
    ]
    requests += [
        {
            "type": "AddRecord",
            "url": n.url,
            "content": n.content,
            "language": language,
            "meta": n.meta,
            "filters": n.filters,
            "sort": n.sort,
        }
        for n in notes
    ]
    bundle = (out_dir / "pagefind").resolve()
    config = {"force_language": language}
    with PagefindService(interrupted) as service:
        index_id = service.call({"type": "NewIndex", "config": config})["index_id"]
        service.call_many([{**r, "index_id": index_id} for r in requests])
        # GetFiles rather than WriteFiles: the service may still be writing when it replies.
        files = service.call({"type": "GetFiles", "index_id": index_id})["files"]
    for file in files:
        target = bundle / urls.safe_relpath(file["path"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(file["content"]))
    canonicalise_bundle(bundle)


class PagefindService:
    """Pagefind's `--service` mode, pipelined.

    The official Python wrapper waits 0.1 s between responses (pagefind/service, 1.5), which
    makes 10,000 records take minutes; this client streams requests from a thread and reads
    replies as they come. The protocol: base64-encoded JSON messages, each ended by a comma.
    """

    def __init__(self, interrupted: Callable[[], bool] | None = None) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.next_id = 0
        self.buffer = b""
        self.interrupted = interrupted  # polled while waiting for Pagefind

    def __enter__(self) -> PagefindService:
        binary = _pagefind_binary()
        try:
            self.process = subprocess.Popen(
                [str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
        except OSError as exc:
            raise SearchIndexError(f"cannot run Pagefind ({binary}): {exc.strerror}") from None
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        assert self.process is not None
        if exc_type is not None:  # interrupted or failed: nothing it writes will be used
            self.process.kill()
        if self.process.stdin and not self.process.stdin.closed:
            with contextlib.suppress(OSError):  # it is gone already
                self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise SearchIndexError("Pagefind did not finish writing the index") from None

    def _send(self, payload: dict[str, object]) -> None:
        assert self.process is not None and self.process.stdin is not None
        message = {"message_id": self.next_id, "payload": payload}
        self.next_id += 1
        self.process.stdin.write(base64.b64encode(json.dumps(message).encode()) + b",")

    def _receive(self) -> dict[str, Any]:
        """The next reply. Replies can be tens of megabytes (GetFiles): read in chunks and
        join once, rather than growing and rescanning one buffer (quadratic)."""
        assert self.process is not None and self.process.stdout is not None
        parts: list[bytes] = []
        tail = self.buffer
        while (end := tail.find(b",")) == -1:
            parts.append(tail)
            self._wait_for_output()
            tail = os.read(self.process.stdout.fileno(), 1 << 20)
            if not tail:
                raise SearchIndexError("Pagefind stopped unexpectedly while indexing")
        parts.append(tail[:end])
        self.buffer = tail[end + 1 :]
        payload: dict[str, Any] = json.loads(base64.b64decode(b"".join(parts)))["payload"]
        if payload.get("type") == "Error":
            raise SearchIndexError(f"Pagefind could not index the site: {payload.get('message')}")
        return payload

    def _wait_for_output(self) -> None:
        """Block until Pagefind has written something, checking `interrupted` meanwhile."""
        if self.interrupted is None:
            return
        assert self.process is not None and self.process.stdout is not None
        while True:
            if self.interrupted():
                raise BuildInterrupted("search indexing stopped for a newer change")
            if select.select([self.process.stdout], [], [], POLL_SECONDS)[0]:
                return

    def call(self, payload: dict[str, object]) -> dict[str, Any]:
        assert self.process is not None and self.process.stdin is not None
        try:
            self._send(payload)
            self.process.stdin.flush()
        except (OSError, ValueError):  # a broken pipe: Pagefind exited (or was stopped)
            raise SearchIndexError(self._stopped()) from None
        return self._receive()

    def _stopped(self) -> str:
        assert self.process is not None
        try:
            code = self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return "Pagefind stopped reading its input while indexing"
        return f"Pagefind stopped unexpectedly while indexing (exit status {code})"

    def call_many(self, payloads: list[dict[str, object]]) -> None:
        def feed() -> None:
            # Pagefind stopped (or was stopped) when these fail: the reading side reports it.
            with contextlib.suppress(OSError, ValueError):
                for payload in payloads:
                    self._send(payload)
                assert self.process is not None and self.process.stdin is not None
                self.process.stdin.flush()

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        for _ in payloads:
            self._receive()
        writer.join()


def _pagefind_binary() -> Path:
    try:
        from pagefind_bin import get_executable

        return Path(get_executable())
    except (ImportError, OSError) as exc:
        raise SearchIndexError(
            "the search index needs Pagefind, which comes with briefgen (the pagefind-bin "
            f"package): reinstall briefgen, or build with --no-search ({exc})"
        ) from None


# Pagefind writes its filter index in hash-map order, which changes from run to run
# (Pagefind issue 638). Sorting the filters, and renaming the files whose content hash that
# changes, makes two builds of the same content byte-identical.
SIGNATURE = b"pagefind_dcd"


def _read_cbor(path: Path) -> object:
    import cbor2

    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise SearchIndexError(f"unexpected Pagefind file format: {path.name}")
    return cbor2.loads(raw[len(SIGNATURE) :])


def _write_cbor(folder: Path, prefix: str, suffix: str, data: object, digits: int) -> str:
    import cbor2

    raw = SIGNATURE + cbor2.dumps(data)
    name = f"{prefix}_{hashlib.sha256(raw).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(raw, mtime=0))
    return name


def canonicalise_bundle(bundle: Path) -> None:
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read_cbor(meta_path)
        assert isinstance(meta, list) and len(meta) > 3
        filters = []
        for name, old_hash in meta[3]:
            old = bundle / "filter" / f"{old_hash}.pf_filter"
            filter_name, values = cast(list[Any], _read_cbor(old))
            old.unlink()
            data = [filter_name, sorted(values, key=lambda item: item[0])]
            filters.append([name, _write_cbor(bundle / "filter", language, ".pf_filter", data, 7)])
        meta[3] = sorted(filters)
        meta_path.unlink()
        info["hash"] = _write_cbor(bundle, f"pagefind.{language}", ".pf_meta", meta, 10)
        info["hash"] = info["hash"].removeprefix("pagefind.")
    entry_path.write_text(json.dumps(entry, separators=(",", ":"), ensure_ascii=False))

"""Pagefind's `--service` mode: records in, the files of a Pagefind bundle out.

One service process can build several indexes one after another (NewIndex ... GetFiles,
DeleteIndex), so a worker indexing many slices starts Pagefind once and holds one slice at a
time.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import subprocess
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from briefgen import urls
from briefgen.diagnostics import BuildInterrupted, SearchIndexError
from briefgen.search.records import CustomRecord, HtmlRecord

POLL_SECONDS = 0.05  # how often an interruptible indexing run checks whether to stop
EXIT_SECONDS = 0.5  # how long Pagefind may take to exit once its input is closed (ms, alone)


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
        self.feeder: threading.Thread | None = None  # call_many()'s, while it writes

    def __enter__(self) -> PagefindService:
        binary = _pagefind_binary()
        try:
            # close_fds=False makes Python start it with posix_spawn. Otherwise it forks and
            # waits for an error pipe to close at exec, and a page worker forked meanwhile by
            # another thread (Pagefind indexes beside the pages) holds that pipe for its life:
            # the start hung until the workers ended. Python's own descriptors are not
            # inheritable (PEP 446), so Pagefind still gets only its pipes.
            self.process = subprocess.Popen(
                [str(binary), "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                close_fds=False,
            )
        except OSError as exc:
            raise SearchIndexError(f"cannot run Pagefind ({binary}): {exc.strerror}") from None
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        assert self.process is not None
        if exc_type is not None:  # interrupted or failed: nothing it writes will be used
            self.process.kill()
        if self.feeder is not None:  # its writes fail once Pagefind is gone, if not before
            self.feeder.join()
        if self.process.stdin and not self.process.stdin.closed:
            with contextlib.suppress(OSError):  # it is gone already
                self.process.stdin.close()
        try:
            self.process.wait(timeout=EXIT_SECONDS)
        except subprocess.TimeoutExpired:
            # Every reply was read (GetFiles: nothing is left to write), but Pagefind sees no
            # end of its input while a process forked meanwhile (the pages' workers, when it
            # indexes beside them) holds a copy of the pipe: it is done, and ended.
            self.process.kill()
            self.process.wait()

    def index(
        self, language: str, records: Iterable[HtmlRecord | CustomRecord]
    ) -> dict[str, bytes]:
        """The bundle Pagefind makes of `records`, numbered in their order: path -> bytes."""
        index_id = self.call({"type": "NewIndex", "config": {"force_language": language}})[
            "index_id"
        ]
        self.call_many([_request(index_id, language, record) for record in records])
        # GetFiles rather than WriteFiles: the service may still be writing when it replies.
        files = self.call({"type": "GetFiles", "index_id": index_id})["files"]
        self.call({"type": "DeleteIndex", "index_id": index_id})
        try:
            return {
                urls.safe_relpath(file["path"]): base64.b64decode(file["content"]) for file in files
            }
        except (KeyError, TypeError, ValueError) as exc:  # never from a sound Pagefind
            raise SearchIndexError(f"Pagefind gave a file briefgen cannot place: {exc}") from None

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

        self.feeder = threading.Thread(target=feed, daemon=True)
        self.feeder.start()
        for _ in payloads:
            self._receive()
        self.feeder.join()
        self.feeder = None


def _request(index_id: int, language: str, record: HtmlRecord | CustomRecord) -> dict[str, object]:
    if isinstance(record, HtmlRecord):
        file = {"file_path": None, "url": record.url, "file_contents": record.html}
        return {"type": "AddFile", "index_id": index_id, **file}
    return {
        "type": "AddRecord",
        "index_id": index_id,
        "url": record.url,
        "content": record.content,
        "language": language,
        "meta": record.meta,
        "filters": record.filters,
    }


def _pagefind_binary() -> Path:
    try:
        from pagefind_bin import get_executable

        return Path(get_executable())
    except (ImportError, OSError) as exc:
        raise SearchIndexError(
            "the search index needs Pagefind, which comes with briefgen (the pagefind-bin "
            f"package): reinstall briefgen, or build with --no-search ({exc})"
        ) from None


def pagefind_version() -> str:
    """Part of every stored slice's key: another Pagefind writes another format."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pagefind-bin")
    except PackageNotFoundError:
        return "unknown"

"""A reader's first search, measured in the real Chromium: requests and bytes.

A built site is served over HTTP by a local static server (`http.server`, files as they are on
disk: Pagefind's index files are gzipped there and count as served, nothing is compressed on the
fly). For each query a fresh Chromium (nothing cached) opens `/search/`, types the query
into `<pagefind-input>`, and waits until the summary names the query and at least one result
link has rendered, then until the server has been idle (no request in flight) for QUIET seconds,
so the fragments of the results on screen are counted too. Every request the server answered
from the page load until then counts: the page, its CSS and scripts, Pagefind's files, anything
else. The server keeps the ledger, so the figure does not depend on the index's file names.
"""

from __future__ import annotations

import contextlib
import statistics
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

SEARCH_PREFIX = "/pagefind/"
# A common corpus word, a rarer one (a verb only quotes use), a two-word query.
QUERIES = ("lorem", "endorses", "magna aliqua")
QUIET = 1.0  # seconds without a request in flight after the results show
TIMEOUT = 120.0  # seconds for the results to show, or for the network to settle
VIEWPORT = {"width": 1280, "height": 800}  # results load as they scroll into view
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]
# Summary names the query, and a result has its link (a loading placeholder has none; any
# result template will do, Pagefind's default or a theme's own).
RESULTS_SHOWN = """(query) => {
  const summary = document.querySelector("pagefind-summary");
  const links = document.querySelectorAll("pagefind-results a[href]:not([href=''])");
  return !!summary && summary.textContent.includes(query) && links.length > 0;
}"""


# --- the server and its ledger --------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One request the server answered."""

    path: str  # the URL's path, percent-decoded, without the query string
    status: int
    body_bytes: int  # bytes of the response body written to the socket


@dataclass
class Ledger:
    """Every request a server answers, and whether any is in flight (thread-safe)."""

    hits: list[Hit] = field(default_factory=list)
    in_flight: int = 0
    last_change: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def begin(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.last_change = time.monotonic()

    def end(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)
            self.in_flight -= 1
            self.last_change = time.monotonic()

    def take(self) -> list[Hit]:
        """The hits so far, leaving the ledger empty."""
        with self._lock:
            hits, self.hits = self.hits, []
            return hits

    def quiet_for(self, seconds: float) -> bool:
        with self._lock:
            return self.in_flight == 0 and time.monotonic() - self.last_change >= seconds


class _CountingWriter:
    """The handler's socket writer, counting the bytes written through it."""

    def __init__(self, raw: BufferedIOBase) -> None:
        self.raw = raw
        self.written = 0

    def write(self, data: bytes) -> int:
        self.raw.write(data)
        self.written += len(data)
        return len(data)

    def flush(self) -> None:
        self.raw.flush()

    def __getattr__(self, name: str) -> Any:  # closed, close(), ... of the socket writer
        return getattr(self.raw, name)


class _Handler(SimpleHTTPRequestHandler):
    """Serves files from `directory`, recording each response in the server's ledger."""

    ledger: Ledger  # set on the subclass made per server
    _writer: _CountingWriter
    _status = 0
    _body_from = 0

    def setup(self) -> None:
        super().setup()
        self._writer = _CountingWriter(self.wfile)
        self.wfile = self._writer  # type: ignore[assignment]

    def send_response(self, code: int, message: str | None = None) -> None:
        self._status = code
        super().send_response(code, message)

    def end_headers(self) -> None:
        super().end_headers()  # writes the buffered status line and headers
        self._body_from = self._writer.written

    def do_GET(self) -> None:
        # Counted here, not per connection: an idle keep-alive connection is not a request.
        self._status, self._body_from = 0, self._writer.written
        self.ledger.begin()
        try:
            super().do_GET()
        finally:
            body = self._writer.written - self._body_from if self._status else 0
            self.ledger.end(Hit(unquote(urlsplit(self.path).path), self._status, body))

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[tuple[str, Ledger]]:
    """Serve directory at the root of http://127.0.0.1:<free port>; yield (origin, ledger)."""
    ledger = Ledger()
    handler = type("Handler", (_Handler,), {"ledger": ledger})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", ledger
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- accounting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Requests and response-body bytes of one search, in all and under /pagefind/."""

    requests: int
    bytes: int
    search_requests: int
    search_bytes: int
    failed: tuple[str, ...] = ()  # "status path" of each answer with a status >= 400
    paths: tuple[str, ...] = ()  # every path requested, in the order they were answered

    @classmethod
    def of(cls, hits: Sequence[Hit], prefix: str = SEARCH_PREFIX) -> Tally:
        under = [h for h in hits if h.path.startswith(prefix)]
        return cls(
            requests=len(hits),
            bytes=sum(h.body_bytes for h in hits),
            search_requests=len(under),
            search_bytes=sum(h.body_bytes for h in under),
            failed=tuple(sorted(f"{h.status} {h.path}" for h in hits if h.status >= 400)),
            paths=tuple(h.path for h in hits),
        )


def ratios(ours: Tally, theirs: Tally) -> dict[str, float]:
    """ours / theirs for requests and bytes, in all and under /pagefind/."""

    def ratio(a: int, b: int) -> float:
        return a / b if b else float("inf")

    return {
        "requests": ratio(ours.requests, theirs.requests),
        "bytes": ratio(ours.bytes, theirs.bytes),
        "search_requests": ratio(ours.search_requests, theirs.search_requests),
        "search_bytes": ratio(ours.search_bytes, theirs.search_bytes),
    }


def worst(ours: Sequence[Tally], theirs: Sequence[Tally]) -> dict[str, float]:
    """The largest ours/theirs ratio over the queries (paired by position), per figure."""
    pairs = [ratios(a, b) for a, b in zip(ours, theirs, strict=True)]
    return {k: max(p[k] for p in pairs) for k in pairs[0]}


def medians(tallies: Sequence[Tally]) -> dict[str, float]:
    keys = ("requests", "bytes", "search_requests", "search_bytes")
    return {k: statistics.median(getattr(t, k) for t in tallies) for k in keys}


# --- the browser ----------------------------------------------------------------------------


class ReaderError(Exception):
    """The page did not show results (or settle) in time; raised as a BenchError by callers."""


def wait_quiet(ledger: Ledger, seconds: float = QUIET, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not ledger.quiet_for(seconds):
        if time.monotonic() > deadline:
            raise ReaderError(f"the network did not settle within {timeout:.0f} s")
        time.sleep(0.05)


def first_search(
    browser: Any, origin: str, ledger: Ledger, query: str, timeout: float = TIMEOUT
) -> Tally:
    """Open origin/search/ in a fresh context, type query, count what it took (see above)."""
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(viewport=VIEWPORT)
    outside: list[str] = []

    def note(request: Any) -> None:
        if not request.url.startswith((origin, "data:", "blob:")):
            outside.append(request.url)

    try:
        page = context.new_page()
        page.on("request", note)
        wait_quiet(ledger)
        ledger.take()
        page.goto(f"{origin}/search/", wait_until="load")
        page.locator("pagefind-input input").click()
        page.keyboard.type(query)
        try:
            page.wait_for_function(RESULTS_SHOWN, arg=query, timeout=timeout * 1000)
        except PlaywrightError as exc:
            summary = page.locator("pagefind-summary").text_content(timeout=5000)
            raise ReaderError(
                f"{origin}/search/: no results for {query!r} within {timeout:.0f} s "
                f"(summary: {summary!r}): {exc.message.splitlines()[0]}"
            ) from None
        wait_quiet(ledger)
        tally = Tally.of(ledger.take())
    finally:
        context.close()
    if outside:
        raise ReaderError(f"the search page requested other origins: {outside[:5]}")
    if tally.search_requests == 0:
        raise ReaderError(f"{origin}/search/: results shown without a request under /pagefind/")
    return tally


@contextlib.contextmanager
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        raise ReaderError(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as p:
        yield p


def first_visit(p: Any, origin: str, ledger: Ledger, query: str, timeout: float) -> Tally:
    """first_search in a browser of its own: nothing cached, the favicon fetched as on a
    reader's first visit (Chromium keeps favicons across a browser's contexts)."""
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        return first_search(browser, origin, ledger, query, timeout)
    finally:
        browser.close()


def measure_sites(
    sites: dict[str, Path], queries: Sequence[str], timeout: float = TIMEOUT
) -> dict[str, Any]:
    """Each query's first search on each site (by tool name): tallies and their medians; with
    two sites, the ratios first / second per query and the worst of them."""
    per_tool: dict[str, list[Tally]] = {name: [] for name in sites}
    with playwright() as p:
        for name, directory in sites.items():
            with serve(directory) as (origin, ledger):
                for query in queries:
                    per_tool[name].append(first_visit(p, origin, ledger, query, timeout))
    result: dict[str, Any] = {
        "queries": list(queries),
        "tallies": {name: [asdict(t) for t in ts] for name, ts in per_tool.items()},
        "medians": {name: medians(ts) for name, ts in per_tool.items()},
    }
    if len(per_tool) == 2:
        ours, theirs = per_tool.values()
        result["ratios"] = [ratios(a, b) for a, b in zip(ours, theirs, strict=True)]
        result["worst_ratios"] = worst(ours, theirs)
    return result

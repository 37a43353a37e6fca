"""`briefgen serve`: build, serve under the base path, watch, rebuild, reload open pages.

- The site is built into a temporary directory (never DIR/site), removed on exit, Ctrl-C
  included. Drafts are included: this is the author's preview.
- It is served by `http.server.ThreadingHTTPServer` under the path part of site.yaml's
  `base_url`, with `http://HOST:PORT` as the origin. Request paths are decoded strictly, any
  `.`/`..` segment is refused (400), and files are resolved and confined to the output (404
  otherwise, with the site's own 404.html).
- `content/` and `themes/` are watched with watchfiles (which batches bursts); the main thread
  waits a further DEBOUNCE of quiet, then rebuilds through a `Rebuild` callable: `build()` with
  every briefing's result kept in memory between builds, so a save re-renders what it touched.
- Search comes last: a rebuild after a save keeps the previous Pagefind index (indexing a big
  site takes seconds, Pagefind has no incremental mode) and reloads pages at once; after
  SEARCH_QUIET without saves, a second build indexes, without reloading pages. A save during
  that indexing stops it (Pagefind is killed, the output left as it was) and is built at once.
- Live reload over server-sent events. Every HTML response gets, at serve time only, a script
  tag carrying the id of the build it came from; the script listens on `<base>__briefgen/events`.
  Each event's data is the state `{"good": <id of the build being served>, "problems": [...]}`:
  event `state` on connect, `reload` after a good build, `problems` after a failed one. A page
  reloads when `good` differs from its own build id, so a rebuild finished between page load and
  connect, or a restarted server, is never missed; otherwise it shows `problems` as an overlay
  (or removes it when there are none). A failed rebuild keeps the last good site served.
"""

from __future__ import annotations

import dataclasses
import html
import http.server
import importlib.util
import json
import mimetypes
import queue
import secrets
import shutil
import signal
import socket
import socketserver
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlsplit

import yaml
from jinja2 import TemplateError

from briefgen.build.inputs import FileHashes
from briefgen.build.pipeline import BuildOptions, BuildResult, Memory, build
from briefgen.console import Console, plural
from briefgen.diagnostics import (
    BuildInterrupted,
    ContentError,
    Diagnostic,
    SearchIndexError,
    UsageError,
)
from briefgen.theme.render import exception_problems

LIVE = "__briefgen/"  # under the base path; ids are [a-z0-9-], so no page can be called this
DEBOUNCE = 0.08  # seconds without a new change, after watchfiles' batch, before rebuilding
WATCH_STEP_MS = 50  # watchfiles: quiet time that ends a batch
WATCH_MAX_MS = 1600  # watchfiles: longest a batch may grow
KEEPALIVE = 15.0  # seconds between SSE comments, so proxies and browsers keep the stream open
RETRY_MS = 1000  # EventSource reconnect delay (after the server restarts)
SEARCH_QUIET = 0.5  # seconds without a save before a deferred search index is brought up to date
SWAP_WAIT = 0.5  # the output is swapped in with two renames; wait this long for it to reappear

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".woff2": "font/woff2",
}


class Rebuild(Protocol):
    """Build the site into options.output; `changed` is None for a full build. `interrupted`
    is polled while indexing search (see build())."""

    def __call__(
        self,
        options: BuildOptions,
        changed: frozenset[Path] | None,
        interrupted: Callable[[], bool] | None = None,
    ) -> BuildResult: ...


class WarmRebuild:
    """`build()`, with every briefing's result kept in memory from one build to the next: a
    save re-reads and re-renders the saved file, the rest comes from memory (not even from the
    on-disk cache). build() still checks everything, so `changed` is only for the log."""

    def __init__(self) -> None:
        self.memory: Memory = {}
        self.hashes = FileHashes()  # files are re-read only when their stat changes

    def __call__(
        self,
        options: BuildOptions,
        changed: frozenset[Path] | None,
        interrupted: Callable[[], bool] | None = None,
    ) -> BuildResult:
        return build(options, self.memory, interrupted, hashes=self.hashes)


# -- state shared with the request threads ---------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    version: int
    good: str  # id of the build being served; "" before the first good build
    problems: tuple[dict[str, Any], ...]  # of the last attempt; () when it succeeded

    def data(self) -> str:
        return json.dumps({"good": self.good, "problems": list(self.problems)})


class LiveState:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._snap = Snapshot(0, "", ())
        self.closing = False

    def snapshot(self) -> Snapshot:
        with self._cond:
            return self._snap

    def publish(self, good: str | None, problems: list[dict[str, Any]]) -> None:
        with self._cond:
            old = self._snap
            self._snap = Snapshot(old.version + 1, good or old.good, tuple(problems))
            self._cond.notify_all()

    def wait(self, version: int, timeout: float) -> Snapshot | None:
        """The next state after `version`, or None on timeout or when closing."""
        with self._cond:
            self._cond.wait_for(lambda: self.closing or self._snap.version != version, timeout)
            return None if self.closing or self._snap.version == version else self._snap

    def close(self) -> None:
        with self._cond:
            self.closing = True
            self._cond.notify_all()


@dataclass
class App:
    root: Path  # the built site
    base_path: str  # "/" or "/sub/path/"
    state: LiveState

    def live_tag(self, build_id: str) -> bytes:
        src = html.escape(quote(self.base_path + LIVE + "live.js"))
        events = html.escape(quote(self.base_path + LIVE + "events"))
        return (
            f'<script src="{src}" data-build="{html.escape(build_id)}" '
            f'data-events="{events}"></script>'
        ).encode()

    def resolve(self, rel: str) -> Path | str | None:
        """The file for `rel` (decoded, relative to the base), "redirect" for a directory
        asked for without its slash, None when there is none inside the output."""
        deadline = time.monotonic() + SWAP_WAIT
        while not self.root.is_dir() and time.monotonic() < deadline:
            time.sleep(0.01)
        root = self.root.resolve()
        try:
            target = root.joinpath(*(p for p in rel.split("/") if p)).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not target.is_relative_to(root):
            return None
        if target.is_dir():
            if rel and not rel.endswith("/"):
                return "redirect"
            target = target / "index.html"
        return target if target.is_file() else None


def inject(page: bytes, tag: bytes) -> bytes:
    """Insert the live-reload tag before the last </body>, or append it."""
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


# -- HTTP ------------------------------------------------------------------------------------


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    app: App

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn), which can stall; skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    server_version = "briefgen-serve"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: the terminal is for diagnostics."""

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        app = self.server.app
        raw = urlsplit(self.path)
        try:
            path = unquote(raw.path, errors="strict")
        except UnicodeDecodeError:
            return self._plain(400, "bad request: the path is not UTF-8", head)
        if not path.startswith("/") or "\x00" in path or "\\" in path:
            return self._plain(400, "bad request: malformed path", head)
        if any(part in (".", "..") for part in path.split("/")):
            return self._plain(400, "bad request: the path may not contain . or .. segments", head)
        base = app.base_path
        if base != "/" and path in ("/", base.rstrip("/")):
            return self._redirect(quote(base))
        if not path.startswith(base):
            return self._not_found(head)
        rel = path[len(base) :]
        if rel == LIVE + "events":
            return self._events(head)
        if rel == LIVE + "live.js":
            return self._send(200, LIVE_JS.encode(), TYPES[".js"], head)
        snap = app.state.snapshot()
        if not snap.good:
            return self._placeholder(snap, head)
        found = app.resolve(rel)
        if found == "redirect":
            return self._redirect(raw.path + "/" + (f"?{raw.query}" if raw.query else ""))
        if not isinstance(found, Path):
            return self._not_found(head)
        try:
            body = found.read_bytes()
        except OSError:
            return self._not_found(head)
        ctype = TYPES.get(found.suffix) or mimetypes.guess_type(found.name)[0]
        ctype = ctype or "application/octet-stream"
        if ctype.startswith("text/html"):
            body = inject(body, app.live_tag(snap.good))
        return self._send(200, body, ctype, head)

    def _send(self, status: int, body: bytes, ctype: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _plain(self, status: int, text: str, head: bool) -> None:
        self._send(status, (text + "\n").encode(), "text/plain; charset=utf-8", head)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _not_found(self, head: bool) -> None:
        app = self.server.app
        snap = app.state.snapshot()
        page = app.root / "404.html"
        try:
            body = inject(page.read_bytes(), app.live_tag(snap.good))
        except OSError:
            return self._plain(404, "not found", head)
        self._send(404, body, TYPES[".html"], head)

    def _placeholder(self, snap: Snapshot, head: bool) -> None:
        """Before the first good build: a page that shows the problems and reloads when fixed."""
        heading = "The site could not be built" if snap.problems else "Building the site…"
        page = (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>briefgen serve: {heading}</title></head><body><main><h1>{heading}</h1>"
            "<p>This page reloads by itself as soon as a build succeeds.</p></main></body></html>"
        ).encode()
        self._send(503, inject(page, self.server.app.live_tag("")), TYPES[".html"], head)

    def _events(self, head: bool) -> None:
        state = self.server.app.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if head:
            return
        try:
            snap = state.snapshot()
            self._event("state", snap)
            while True:
                following = state.wait(snap.version, KEEPALIVE)
                if state.closing:
                    return
                if following is None:
                    self.wfile.write(b": keep-alive\n\n")
                    continue
                snap = following
                self._event("problems" if snap.problems else "reload", snap)
        except OSError:  # the page went away
            return

    def _event(self, name: str, snap: Snapshot) -> None:
        self.wfile.write(f"retry: {RETRY_MS}\nevent: {name}\ndata: {snap.data()}\n\n".encode())


def bind(host: str, port: int) -> _Server:
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as exc:
        raise UsageError(f"cannot use --host {host!r}: {exc.strerror}") from None
    cls = _Server6 if family == socket.AF_INET6 else _Server
    try:
        return cls((host, port), _Handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host} port {port}: {exc.strerror}") from None


# -- building --------------------------------------------------------------------------------


def base_path(site_dir: Path) -> str:
    """The path part of site.yaml's base_url ("/" when it cannot be read: the build will say
    why). Read afresh before each build, so editing base_url moves the served site."""
    try:
        text = (site_dir / "content" / "site.yaml").read_text(encoding="utf-8-sig")
        data: Any = yaml.safe_load(text)
        path = urlsplit(str(data["base_url"])).path
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError, ValueError):
        return "/"
    return "/" + "".join(p + "/" for p in path.split("/") if p and p not in (".", ".."))


class Session:
    """One `briefgen serve` run: the temporary output, the live state, the rebuild loop."""

    def __init__(
        self,
        site_dir: Path,
        server: _Server,
        tmp: Path,
        console: Console,
        rebuild: Rebuild | None = None,
    ) -> None:
        self.site_dir = site_dir
        self.server = server
        self.console = console
        self.rebuild = rebuild or WarmRebuild()
        self.search_stale = False  # pages were rebuilt, the search index not yet
        host, port = server.server_address[:2]
        shown = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(str(host), str(host))
        self.origin = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
        self.id_prefix = secrets.token_hex(4)  # a restarted server's builds never look current
        self.builds = 0
        self.search = importlib.util.find_spec("pagefind_bin") is not None
        self.app = App(tmp / "site", base_path(site_dir), LiveState())
        server.app = self.app

    @property
    def url(self) -> str:
        return self.origin + quote(self.app.base_path)

    def build(self, changed: frozenset[Path] | None) -> bool:
        """Build once; publish the result to open pages. False when the build failed.

        After a save, the search index is left as it was so the page refreshes at once;
        `index_search()` brings it up to date once the saves pause."""
        moved = base_path(self.site_dir)
        if moved != self.app.base_path:
            self.app.base_path = moved
            self.console.info(f"base_url changed: now serving {self.url}")
        defer = self.search and changed is not None
        result = self._attempt(self._options(defer_search=defer), changed)
        if result is None:
            return False
        self.search_stale = defer and not result.unchanged
        self.console.diagnostics(result.diagnostics.sorted())  # warnings
        self.builds += 1
        self.app.state.publish(f"{self.id_prefix}-{self.builds}", [])
        what = "built" if changed is None else "rebuilt"
        names = sorted(self._rel(p) for p in changed or ())
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        files = f" after {', '.join(names[:3])}{more}" if names else ""
        self.console.summary(
            f"{what} {plural(result.pages, 'page')}, {plural(result.annotations, 'annotation')}"
            f" in {result.seconds:.2f} s{files}"
        )
        return True

    def index_search(self, interrupted: Callable[[], bool]) -> None:
        """Index the site for search after deferred builds. Pages are unchanged: no reload.
        A new save (`interrupted()`) stops it; it runs again once the saves pause."""
        options = self._options(defer_search=False)
        try:
            result = self._attempt(options, frozenset(), interrupted)
        except BuildInterrupted:
            return
        self.search_stale = False
        if result is not None:
            self.console.info(f"search index up to date ({result.seconds:.2f} s)")

    def _options(self, defer_search: bool) -> BuildOptions:
        return BuildOptions(
            self.site_dir,
            out_dir=self.app.root,
            base_url=self.url,
            drafts=True,
            search=self.search,
            defer_search=defer_search,
        )

    def _attempt(
        self,
        options: BuildOptions,
        changed: frozenset[Path] | None,
        interrupted: Callable[[], bool] | None = None,
    ) -> BuildResult | None:
        """One build; a failure is told to the console and to open pages, and gives None."""
        try:
            return self.rebuild(options, changed, interrupted)
        except BuildInterrupted:
            raise
        except ContentError as exc:
            self._failed(exc.diagnostics.sorted())
        except UsageError as exc:
            self._failed([Diagnostic("", 0, 0, "error", str(exc), "", "usage")])
        except SearchIndexError as exc:
            self.console.error(f"{exc}; serving without search")
            self.search = False
            return self._attempt(dataclasses.replace(options, search=False), changed, interrupted)
        except Exception as exc:
            if not isinstance(exc, TemplateError):  # a template error is told in full below
                self.console.err.write(traceback.format_exc())
            self._failed(exception_problems(exc, self.site_dir))
        return None

    def _rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.site_dir.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def _failed(self, items: list[Diagnostic]) -> bool:
        self.console.diagnostics(items)
        serving = "still serving the last good build" if self.app.state.snapshot().good else ""
        errors = sum(1 for d in items if d.severity == "error")
        self.console.failure(f"{plural(errors, 'error')}" + (f"; {serving}" if serving else ""))
        self.app.state.publish(None, [dataclasses.asdict(d) for d in items])
        return False

    def watch_paths(self) -> list[Path]:
        return [p for p in (self.site_dir / "content", self.site_dir / "themes") if p.is_dir()]

    def loop(self, watcher: Watcher) -> None:
        """Wait for a batch of changes, let the burst settle, rebuild; forever. A themes/ (or
        content/) folder that appears later is watched from then on."""
        while True:
            wait = SEARCH_QUIET if self.search_stale else 1.0
            try:
                changed = set(watcher.changes.get(timeout=wait))
            except queue.Empty:
                if self.search_stale:
                    self.index_search(lambda: not watcher.changes.empty())
                    continue
                paths = self.watch_paths()
                if paths != watcher.paths:
                    watcher.restart(paths)
                    self.console.info("briefgen: watching " + self.watching(paths))
                    self.build(None)
                continue
            while True:
                try:
                    changed |= watcher.changes.get(timeout=DEBOUNCE)
                except queue.Empty:
                    break
            self.build(frozenset(changed))

    def watching(self, paths: list[Path]) -> str:
        return ", ".join(self._rel(p) + "/" for p in paths) or "nothing"


class Watcher:
    """watchfiles in a thread, feeding batches of changed paths into a queue."""

    def __init__(self) -> None:
        self.changes: queue.Queue[frozenset[Path]] = queue.Queue()
        self.paths: list[Path] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def restart(self, paths: list[Path]) -> None:
        self.stop()
        self.paths = paths
        if not paths:
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(paths, self._stop), name="briefgen-watch", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self, paths: list[Path], stop: threading.Event) -> None:
        from watchfiles import DefaultFilter, watch

        try:
            for batch in watch(
                *paths,
                watch_filter=DefaultFilter(),
                debounce=WATCH_MAX_MS,
                step=WATCH_STEP_MS,
                stop_event=stop,
                raise_interrupt=False,
            ):
                self.changes.put(frozenset(Path(p) for _, p in batch))
        except Exception as exc:  # a watched folder vanished, say: keep serving, retry later
            if not stop.is_set():
                print(f"briefgen: watching stopped: {exc}", file=sys.stderr, flush=True)
                self.paths = []


@contextmanager
def _interrupts_as_keyboard() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the server like Ctrl-C does, cleaning up on the way out."""

    def raise_interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    saved = {s: signal.signal(s, raise_interrupt) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def serve(
    site_dir: Path, host: str, port: int, console: Console, rebuild: Rebuild | None = None
) -> int:
    if not (site_dir / "content").is_dir():
        raise UsageError(f"{site_dir} has no content/ directory; is it a briefgen site?")
    server = bind(host, port)
    tmp = Path(tempfile.mkdtemp(prefix="briefgen-serve-"))
    watcher = Watcher()
    http_thread: threading.Thread | None = None
    session: Session | None = None
    try:
        with _interrupts_as_keyboard():
            session = Session(site_dir, server, tmp, console, rebuild)
            http_thread = threading.Thread(
                target=server.serve_forever, args=(0.2,), name="briefgen-http"
            )
            http_thread.start()
            console.info(f"briefgen: serving {session.url}  (drafts included; Ctrl-C to stop)")
            watcher.restart(session.watch_paths())  # first, so no save during the build is lost
            session.build(None)
            console.info("briefgen: watching " + session.watching(watcher.paths))
            session.loop(watcher)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip cleanup
        try:
            watcher.stop()
            if session is not None:
                session.app.state.close()
            if http_thread is not None:
                server.shutdown()
                http_thread.join(timeout=5)
            server.server_close()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            signal.signal(signal.SIGINT, signal.default_int_handler)
    console.info("briefgen: stopped")
    return 0


LIVE_JS = """\
// briefgen serve: live reload and the error overlay. Injected at serve time only.
(function () {
  "use strict";
  var me = document.currentScript;
  var page = me.getAttribute("data-build");
  var source = new EventSource(me.getAttribute("data-events"));
  var box = null;

  function hide() {
    if (box) { box.remove(); box = null; }
  }

  function el(tag, text, css) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    for (var key in css || {}) node.style[key] = css[key];
    return node;
  }

  function show(problems) {
    hide();
    box = el("section", "", {
      position: "fixed", zIndex: "2147483647", left: "1rem", right: "1rem", bottom: "1rem",
      maxHeight: "60vh", overflow: "auto", padding: "1rem 1.25rem", margin: "0",
      background: "#fff", color: "#1a1a1a", border: "3px solid #b91c1c", borderRadius: "6px",
      boxShadow: "0 8px 32px rgba(0,0,0,.35)", textAlign: "left",
      font: "14px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
    });
    box.id = "briefgen-overlay";
    box.setAttribute("role", "alert");
    box.setAttribute("aria-labelledby", "briefgen-overlay-title");
    var errors = problems.filter(function (p) { return p.severity === "error"; }).length;
    var title = el("h2", "briefgen: the last save has " + errors +
      (errors === 1 ? " error" : " errors") + "; showing the last good build",
      { font: "bold 15px/1.3 system-ui, sans-serif", color: "#b91c1c", margin: "0 0 .5rem" });
    title.id = "briefgen-overlay-title";
    box.appendChild(title);
    var list = el("ul", "", { margin: "0", padding: "0", listStyle: "none" });
    problems.forEach(function (p) {
      var item = el("li", "", { margin: ".5rem 0", whiteSpace: "pre-wrap" });
      var where = p.path ? p.path + ":" + p.line + ":" + p.col + ": " : "";
      item.appendChild(el("strong", where + p.severity + ": ", {}));
      item.appendChild(document.createTextNode(p.message));
      if (p.hint) item.appendChild(el("div", "  hint: " + p.hint, { color: "#374151" }));
      list.appendChild(item);
    });
    box.appendChild(list);
    var close = el("button", "Dismiss", { marginTop: ".5rem", font: "inherit" });
    close.type = "button";
    close.addEventListener("click", hide);
    box.appendChild(close);
    document.body.appendChild(box);
  }

  function handle(event) {
    var state = JSON.parse(event.data);
    if (state.good && state.good !== page) {
      source.close();
      location.reload();
      return;
    }
    if (state.problems.length) show(state.problems); else hide();
  }

  ["state", "reload", "problems"].forEach(function (name) {
    source.addEventListener(name, handle);
  });
})();
"""

"""The HTTP side of `serve`: binding, the request handler, confinement to the built site.

- Served by `http.server.ThreadingHTTPServer` under the path part of the base URL. Request paths
  are decoded strictly, any `.`/`..` segment is refused (400), and files are resolved and
  confined to the output (404 otherwise, with the site's own 404.html).
- The Host header must name an address the server listens on (hosts.py; 403 otherwise).
- A client that goes away mid-request or mid-response (a closed tab, a dropped live-reload
  stream) is no error: nothing is printed.
- HTML responses get the live-reload tag (live.py) unless the App is a production preview.
"""

from __future__ import annotations

import http.server
import mimetypes
import socket
import socketserver
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from briefgen.diagnostics import UsageError
from briefgen.serve import live
from briefgen.serve.hosts import AllowedHosts

KEEPALIVE = 15.0  # seconds between SSE comments, so proxies and browsers keep the stream open
RETRY_MS = 1000  # EventSource reconnect delay (after the server restarts)
SWAP_WAIT = 0.5  # the output is swapped in with two renames; wait this long for it to reappear
IDLE_TIMEOUT = 60.0  # a connection that sends nothing for this long is closed

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


@dataclass
class App:
    """What the request threads serve: the built site, where, and its live state."""

    root: Path  # the built site
    base_path: str  # "/" or "/sub/path/"
    state: live.LiveState = field(default_factory=live.LiveState)
    reload: bool = True  # inject the live-reload script (False: a production preview)

    def tag(self, build_id: str) -> bytes:
        return live.tag(self.base_path, build_id) if self.reload else b""

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


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    app: App
    hosts: AllowedHosts

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn), which can stall; skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is not an error; anything else is one line, no traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        print(f"briefgen serve: answering a request failed: {exc!r}", file=sys.stderr, flush=True)


class Server6(Server):
    address_family = socket.AF_INET6


def bind(host: str, port: int) -> Server:
    """A server listening on host:port (0: any free port), not yet serving."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as exc:
        raise UsageError(f"cannot use --host {host!r}: {exc.strerror}") from None
    cls = Server6 if family == socket.AF_INET6 else Server
    try:
        server = cls((host, port), Handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host} port {port}: {exc.strerror}") from None
    address, bound = server.server_address[:2]
    server.hosts = AllowedHosts.listening_on(host, str(address), int(bound))
    return server


class Handler(http.server.BaseHTTPRequestHandler):
    server: Server
    server_version = "briefgen-serve"
    sys_version = ""
    timeout = IDLE_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: the terminal is for diagnostics."""

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        hosts = self.server.hosts
        raw_path, _, query = self.path.partition("#")[0].partition("?")
        host = self.headers.get("Host")
        if not self.path.startswith("/"):  # absolute form, `GET http://host/x`: its host counts
            target = urlsplit(self.path)
            raw_path, query, host = target.path, target.query, target.netloc
        if not hosts.allows(host):
            text = f"forbidden: unknown Host header; open {hosts.example()} (DNS-rebinding guard)"
            return self._plain(403, text, head)
        try:
            path = unquote(raw_path, errors="strict")
        except UnicodeDecodeError:
            return self._plain(400, "bad request: the path is not UTF-8", head)
        if not path.startswith("/") or "\x00" in path or "\\" in path:
            return self._plain(400, "bad request: malformed path", head)
        if any(part in (".", "..") for part in path.split("/")):
            return self._plain(400, "bad request: the path may not contain . or .. segments", head)
        base = self.server.app.base_path
        if base != "/" and path in ("/", base.rstrip("/")):
            return self._redirect(quote(base))
        if not path.startswith(base):
            return self._not_found(head)
        self._site(path[len(base) :], query, head)

    def _site(self, rel: str, query: str, head: bool) -> None:
        """Answer `rel`, a decoded path under the base."""
        app = self.server.app
        if app.reload and rel == live.EVENTS:
            return self._events(head)
        if app.reload and rel == live.SCRIPT:
            return self._send(200, live.script(), TYPES[".js"], head)
        snap = app.state.snapshot()
        if not snap.good:
            return self._placeholder(snap, head)
        found = app.resolve(rel)
        if found == "redirect":  # rebuilt from segments: `//host` must not become a Location
            slashed = app.base_path + "".join(p + "/" for p in rel.split("/") if p)
            return self._redirect(quote(slashed) + (f"?{query}" if query else ""))
        if not isinstance(found, Path):
            return self._not_found(head)
        try:
            body = found.read_bytes()
        except OSError:
            return self._not_found(head)
        ctype = TYPES.get(found.suffix) or mimetypes.guess_type(found.name)[0]
        ctype = ctype or "application/octet-stream"
        if ctype.startswith("text/html"):
            body = live.inject(body, app.tag(snap.good))
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
        try:
            page = (app.root / "404.html").read_bytes()
        except OSError:
            return self._plain(404, "not found", head)
        body = live.inject(page, app.tag(app.state.snapshot().good))
        self._send(404, body, TYPES[".html"], head)

    def _placeholder(self, snap: live.Snapshot, head: bool) -> None:
        """Before the first good build: a page that shows the problems and reloads when fixed."""
        heading = "The site could not be built" if snap.problems else "Building the site…"
        after = "by itself" if self.server.app.reload else "when you reload it"
        page = (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>briefgen serve: {heading}</title></head><body><main><h1>{heading}</h1>"
            f"<p>This page shows the site {after} as soon as a build succeeds.</p>"
            "</main></body></html>"
        ).encode()
        self._send(503, live.inject(page, self.server.app.tag("")), TYPES[".html"], head)

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

    def _event(self, name: str, snap: live.Snapshot) -> None:
        self.wfile.write(f"retry: {RETRY_MS}\nevent: {name}\ndata: {snap.data()}\n\n".encode())

"""Serve a built site over HTTP on 127.0.0.1, mounted under a sub-path.

The server's document root is a temporary folder that holds the site at ``<sub-path>/``, so the
site sees exactly the URLs it would see on a host such as ``https://user.github.io/repo/``.
A request for a missing file under the sub-path gets the site's own ``404.html`` with status 404,
as GitHub Pages and most static hosts do.
"""

from __future__ import annotations

import functools
import http.server
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit


def normalise_sub_path(sub_path: str) -> str:
    """Return ``sub_path`` as ``/a/b/`` (leading and trailing slash; ``/`` for the root)."""
    parts = [p for p in sub_path.split("/") if p]
    for part in parts:
        if part in (".", ".."):
            raise ValueError(f"sub-path may not contain {part!r}: {sub_path!r}")
    return "/" + "".join(p + "/" for p in parts)


class _Handler(http.server.SimpleHTTPRequestHandler):
    sub_path: str = "/"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: test output should show failures, not access logs."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == 404 and self.command in ("GET", "HEAD"):
            path = urlsplit(self.path).path
            not_found = Path(self.directory) / self.sub_path.lstrip("/") / "404.html"
            if path.startswith(self.sub_path) and not_found.is_file():
                body = not_found.read_bytes()
                self.send_response(404, message)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command == "GET":
                    self.wfile.write(body)
                return
        super().send_error(code, message, explain)


@dataclass
class SiteServer:
    """A running server. ``site_dir`` is where the site's files go; ``base_url`` is its URL."""

    root: Path
    sub_path: str
    httpd: http.server.ThreadingHTTPServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return self.origin + self.sub_path

    @property
    def site_dir(self) -> Path:
        return self.root / self.sub_path.strip("/") if self.sub_path != "/" else self.root

    def url(self, path: str = "") -> str:
        """The absolute URL of ``path`` relative to the site's base (``""`` is the home page)."""
        return self.base_url + path.lstrip("/")

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)

    def __enter__(self) -> SiteServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def serve(root: Path, sub_path: str = "/") -> SiteServer:
    """Serve ``root`` on ``127.0.0.1`` (a free port) in a daemon thread.

    The site is expected at ``root/<sub_path>``; it need not exist yet (bind first, then build
    with the now known base URL). Use the result as a context manager or call ``close()``.
    """
    sub = normalise_sub_path(sub_path)
    handler = functools.partial(
        type("SubPathHandler", (_Handler,), {"sub_path": sub}), directory=str(root)
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    thread.start()
    return SiteServer(root=Path(root), sub_path=sub, httpd=httpd, thread=thread)

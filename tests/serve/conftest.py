"""`briefgen serve` as a real subprocess on a copy of the demo site (tests.support.served), and
its HTTP side alone, in this process, on a synthetic site (`server`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.serve.http import App, Server, bind
from tests.support.served import Served, start_serve

WAIT = 60.0


@pytest.fixture
def served(demo_site: Path, tmp_path: Path) -> Iterator[Served]:
    """`briefgen serve` on a copy of the demo site; stopped (and checked) after the test."""
    handle = start_serve(demo_site, tmp_path)
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """bind() and Handler serving tmp_path/site (an index.html) at "/" on a free port."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<html><body>Synthetic page</body></html>")
    server = bind("127.0.0.1", 0)
    server.app = App(root, "/")
    server.app.state.publish("synthetic-build-1", [])
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.app.state.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=WAIT)

"""`briefgen serve`: build, serve under the base path, watch, rebuild, reload open pages.

The site is built into a temporary directory (never DIR/site), removed on exit, Ctrl-C
included. The pieces: `http` answers requests (confined to the built site, Host-checked),
`live` keeps the state open pages follow, `watch` reports saves, `session` rebuilds.

By default this is the author's preview: drafts included, served at `http://HOST:PORT` plus the
base URL's path, pages reloading on save. `production=True` serves what `briefgen build` would
publish instead (the site's own base_url, no drafts, no live-reload script), still at
`http://HOST:PORT/<base path>`: internal links are root-relative, so they work there too.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from briefgen.console import Console
from briefgen.diagnostics import UsageError
from briefgen.serve.http import App, Server, bind
from briefgen.serve.session import Rebuild, Session
from briefgen.serve.watch import Watcher


@contextmanager
def _interrupts_as_keyboard() -> Iterator[threading.Event]:
    """SIGTERM and SIGHUP stop the server like Ctrl-C does, cleaning up on the way out.

    Yields an event set by every such signal: the KeyboardInterrupt a signal raises can land
    where Python swallows it (a weakref callback or a __del__ running just then prints
    "Exception ignored" and goes on), so the serve loop also stops when it sees the event."""
    requested = threading.Event()

    def raise_interrupt(signum: int, frame: FrameType | None) -> None:
        requested.set()
        raise KeyboardInterrupt

    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    saved = {s: signal.signal(s, raise_interrupt) for s in stops}
    try:
        yield requested
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def origin(server: Server) -> str:
    """`http://host:port` of the server, with a loopback address for a wildcard one."""
    host, port = server.server_address[:2]
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(str(host), str(host))
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def serve(
    site_dir: Path,
    host: str,
    port: int,
    console: Console,
    rebuild: Rebuild | None = None,
    production: bool = False,
) -> int:
    """Serve until interrupted; 0 once stopped and cleaned up."""
    if not (site_dir / "content").is_dir():
        raise UsageError(f"{site_dir} has no content/ directory; is it a briefgen site?")
    server = bind(host, port)
    tmp = Path(tempfile.mkdtemp(prefix="briefgen-serve-"))
    server.app = App(tmp / "site", "/", reload=not production)
    watcher = Watcher()
    http_thread: threading.Thread | None = None
    try:
        with _interrupts_as_keyboard() as stop_requested:
            session = Session(site_dir, server.app, origin(server), console, rebuild, production)
            http_thread = threading.Thread(
                target=server.serve_forever, args=(0.2,), name="briefgen-http"
            )
            http_thread.start()
            what = "a production build, drafts hidden" if production else "drafts included"
            console.info(f"briefgen: serving {session.url}  ({what}; Ctrl-C to stop)")
            watcher.restart(session.watch_paths())  # first, so no save during the build is lost
            session.build(None)
            console.info("briefgen: watching " + session.watching(watcher.paths))
            session.loop(watcher, stop_requested.is_set)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip cleanup
        try:
            watcher.stop()
            server.app.state.close()
            if http_thread is not None:
                server.shutdown()
                http_thread.join(timeout=5)
            server.server_close()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            signal.signal(signal.SIGINT, signal.default_int_handler)
    console.info("briefgen: stopped")
    return 0

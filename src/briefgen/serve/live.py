"""Live reload: the state open pages follow, and the script tag that follows it.

Every HTML response gets, at serve time only, a script tag carrying the id of the build it came
from; the script (`livereload.js`, package data) listens on `<base>__briefgen/events`. Each
event's data is the state `{"good": <id of the build being served>, "problems": [...]}`: event
`state` on connect, `reload` after a good build, `problems` after a failed one. A page reloads
when `good` differs from its own build id, so a rebuild finished between page load and connect,
or a restarted server, is never missed; otherwise it shows `problems` as an overlay (or removes
it when there are none).
"""

from __future__ import annotations

import functools
import html
import importlib.resources
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

LIVE = "__briefgen/"  # under the base path; ids are [a-z0-9-], so no page can be called this
EVENTS = LIVE + "events"
SCRIPT = LIVE + "live.js"


@functools.cache
def script() -> bytes:
    """The live-reload and overlay script, read once from the package."""
    return importlib.resources.files(__package__).joinpath("livereload.js").read_bytes()


@dataclass(frozen=True)
class Snapshot:
    version: int
    good: str  # id of the build being served; "" before the first good build
    problems: tuple[dict[str, Any], ...]  # of the last attempt; () when it succeeded

    def data(self) -> str:
        return json.dumps({"good": self.good, "problems": list(self.problems)})


class LiveState:
    """The latest Snapshot, shared between the rebuild loop and the request threads."""

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


def tag(base_path: str, build_id: str) -> bytes:
    """The script tag for a page of build `build_id` served under `base_path`."""
    src = html.escape(quote(base_path + SCRIPT))
    events = html.escape(quote(base_path + EVENTS))
    return (
        f'<script src="{src}" data-build="{html.escape(build_id)}" data-events="{events}"></script>'
    ).encode()


def inject(page: bytes, script_tag: bytes) -> bytes:
    """Insert the script tag before the last </body>, or append it."""
    at = page.lower().rfind(b"</body>")
    return page + script_tag if at < 0 else page[:at] + script_tag + page[at:]

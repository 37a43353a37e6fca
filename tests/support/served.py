"""The author's loop under test: `briefgen serve` as a real subprocess, on a copy of the demo.

`Served` starts `python -m briefgen serve DIR --port <free port>` with its own TMPDIR (so a test
can see that no temporary files are left), collects its terminal output, and polls: every wait
has a generous bound and no test asserts how long anything took.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[2]
BASE_PATH = "/briefings/"  # the path of the demo's base_url, https://example.org/briefings/
BRIEFING_FILE = "content/briefings/2024-07-04-putin-ceasefire-impossible.md"
BRIEFING_PATH = "briefings/2024-07-04-putin-ceasefire-impossible/"
START_TIMEOUT = 90.0
WAIT_TIMEOUT = 60.0
POLL = 0.05


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def poll(check: Callable[[], T | None], what: str, timeout: float = WAIT_TIMEOUT) -> T:
    """Call `check` until it returns something other than None (or False); fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value is not None and value is not False:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}", pytrace=False)
        time.sleep(POLL)


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Served:
    proc: subprocess.Popen[str]
    site: Path
    port: int
    tmpdir: Path
    lines: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "") -> str:
        return self.origin + BASE_PATH + path

    def output(self) -> str:
        return "".join(self.lines)

    def request(self, raw_path: str, method: str = "GET") -> Response:
        """One request with the path sent exactly as given (no normalising, no redirects)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest(method, raw_path, skip_accept_encoding=True)
            conn.endheaders()
            resp = conn.getresponse()
            body = resp.read().decode("utf-8", "replace")
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
        finally:
            conn.close()

    def get(self, path: str = "") -> Response:
        return self.request(BASE_PATH + path)

    def wait_for_output(self, text: str, after: int = 0) -> str:
        """Wait until the terminal output (from character `after` on) contains `text`."""
        return poll(
            lambda: self.output()[after:] if text in self.output()[after:] else None,
            f"{text!r} in the output of briefgen serve:\n{self.output()}",
        )

    def wait_for_page(self, path: str, text: str) -> Response:
        def check() -> Response | None:
            resp = self.get(path)
            return resp if resp.status == 200 and text in resp.body else None

        return poll(check, f"{text!r} on {self.url(path)}\n--- output\n{self.output()}")

    def output_dirs(self) -> list[Path]:
        return sorted(self.tmpdir.glob("briefgen-serve-*"))

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"briefgen serve did not stop on signal {sig}:\n{self.output()}")


def start_serve(site: Path, tmp_path: Path, *options: str) -> Served:
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir(exist_ok=True)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "serve", str(site), "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        env=child_env(TMPDIR=str(tmpdir)),
    )
    served = Served(proc, site, port, tmpdir)
    assert proc.stdout is not None
    stream = proc.stdout

    def collect() -> None:
        for line in stream:
            served.lines.append(line)

    threading.Thread(target=collect, daemon=True).start()

    def ready() -> bool | None:
        if proc.poll() is not None:
            pytest.fail(f"briefgen serve exited with {proc.returncode}:\n{served.output()}")
        try:
            return served.get().status == 200 or None
        except OSError:
            return None

    try:
        poll(ready, "briefgen serve to answer", START_TIMEOUT)
    except BaseException:
        served.stop()
        print(served.output())
        raise
    return served


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append_paragraph(path: Path, text: str) -> None:
    body = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{body}\n\n{text}\n", encoding="utf-8")


@dataclass(frozen=True)
class Quote:
    """The first annotation's `quote:` line, and its number."""

    line: str  # the whole `    quote: ...` line
    quote_line: int  # 1-based; diagnostics about the quote point here


def first_quote(path: Path) -> Quote:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.strip().startswith("- "))
    quote = next(n for n in range(start, len(lines)) if lines[n].strip().startswith("quote:"))
    return Quote(lines[quote], quote + 1)


def break_quote(path: Path, quote: Quote) -> str:
    """Point the annotation at a passage that is not in the text; return the broken line."""
    indent = quote.line[: len(quote.line) - len(quote.line.lstrip())]
    broken = indent + "quote: a passage this text never contains, marker 5d2e"
    replace_once(path, quote.line + "\n", broken + "\n")
    return broken

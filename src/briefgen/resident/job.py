"""One client's build inside the resident server: the command line's build, as the client
would have run it in-process.

The client's argv is parsed by the same parser and run by the same function (cli.execute);
for its length the process takes the client's working directory, environment (os.environ:
SOURCE_DATE_EPOCH, NO_COLOR, CI, ... and what subprocesses inherit), umask and time zone,
and sys.stdout / sys.stderr become streams that send text to the client, terminals or not
as the client's are (colours, progress). One build at a time in the server, so this is safe;
all is restored afterwards.
"""

from __future__ import annotations

import contextlib
import io
import os
import select
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from briefgen import cli
from briefgen.build.pipeline import BuildOptions, BuildResult
from briefgen.build.warm import WarmRebuild
from briefgen.console import Console
from briefgen.resident import protocol


class ClientStream(io.TextIOBase):
    """A text stream whose writes go to the client as OUT or ERR frames. A client that went
    away makes writes no-ops (the build goes on: its publishing is atomic either way)."""

    def __init__(self, conn: socket.socket, kind: bytes, tty: bool, lock: threading.Lock):
        super().__init__()
        self._conn, self._kind, self._tty, self._lock = conn, kind, tty, lock
        self.gone = False

    encoding = "utf-8"

    def isatty(self) -> bool:
        return self._tty

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        if s and not self.gone:
            with self._lock:  # the progress line is drawn from a thread
                try:
                    protocol.send_text(self._conn, self._kind, s)
                except OSError:
                    self.gone = True
        return len(s)


def hung_up(conn: socket.socket) -> bool:
    """Whether the client closed its end (it sends nothing after its request)."""
    try:
        readable, _, broken = select.select([conn], [], [conn], 0)
        if broken:
            return True
        return bool(readable) and conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except OSError:
        return True


class Builders:
    """The long-lived builder (build/warm.py: memory, file hashes, kept listings), kept
    while builds come with the same options, working directory and SOURCE_DATE_EPOCH; any
    other build gets a fresh one. Each build still checks every input and the output."""

    def __init__(self) -> None:
        self._key: tuple[Any, ...] | None = None
        self._warm: WarmRebuild | None = None
        self.builds = 0  # builds by the current builder (the first of them filled its memory)

    def rebuild(self, interrupted: Callable[[], bool]) -> Callable[[BuildOptions], BuildResult]:
        def run(options: BuildOptions) -> BuildResult:
            key = (os.getcwd(), options, os.environ.get("SOURCE_DATE_EPOCH"))
            if self._warm is None or key != self._key:
                self._key, self._warm, self.builds = key, WarmRebuild(), 0
            self.builds += 1
            return self._warm(options, None, interrupted)

        return run


def run(request: dict[str, Any], conn: socket.socket, builders: Builders) -> int:
    """Run the client's build; its exit code (the output went to the client as it came)."""
    lock = threading.Lock()
    tty = request.get("tty") or [False, False]
    out = ClientStream(conn, protocol.OUT, bool(tty[0]), lock)
    err = ClientStream(conn, protocol.ERR, bool(tty[1]), lock)
    with _as_client(request, out, err):
        try:
            args = cli.parser().parse_args(request["argv"])
        except SystemExit as exc:  # argparse's own message went to err already
            return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
        console = Console.from_env(quiet=getattr(args, "quiet", False))
        return cli.execute(args, console, builders.rebuild(lambda: hung_up(conn)))


@contextlib.contextmanager
def _as_client(request: dict[str, Any], out: ClientStream, err: ClientStream) -> Iterator[None]:
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_streams = sys.stdout, sys.stderr
    os.chdir(request["cwd"])  # first: the client's folder may be gone (then: in-process)
    saved_mask = os.umask(int(request.get("umask", 0o022)))
    _set_environ(request["environ"])
    sys.stdout, sys.stderr = out, err
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved_streams
        _set_environ(saved_env)
        os.umask(saved_mask)
        os.chdir(saved_cwd)


def _set_environ(values: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in values.items()})
    if hasattr(time, "tzset"):
        time.tzset()  # TZ may differ: local times follow the client's

"""The resident build process: `python -m briefgen.resident.server SITE IDENT`, started by a
client (client.py), detached, one per identity (place.py), serving one build at a time.

It holds `<id>.lock` while it lives (its pid and site written there), binds `<id>.sock`
(0600, replacing a stale one: nobody else holds the lock), answers only peers of its own uid,
and exits, removing its socket, after BRIEFGEN_RESIDENT_IDLE seconds without a request, when
its site folder vanishes, on SIGTERM/SIGINT, or when asked (`briefgen resident stop`).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import signal
import socket
import struct
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from briefgen.resident import protocol
from briefgen.resident.place import Place, Refused, flock_by

IDLE_ENV = "BRIEFGEN_RESIDENT_IDLE"
# 15 minutes: the server holds the site's model in memory (hundreds of MB at 4,000
# briefings); an author's pauses between builds are seconds to minutes, so a quarter of an
# hour keeps it through a working session without holding memory all day (Gradle's daemon
# idles 3 hours, but holds no site). Set BRIEFGEN_RESIDENT_IDLE (seconds) to change it.
IDLE_DEFAULT = 900.0
TICK = 1.0  # seconds between checks of idleness, the site folder and a stop request
WHOLE = 30.0  # seconds without a build before a whole collection (at most half the idle limit)
LOCK_WAIT = 2.0  # seconds to wait for a server of the same identity that is exiting
REQUEST_WAIT = 10.0  # seconds a connected client has to send its request
SEND_WAIT = 300.0  # seconds a client may leave its output unread before it counts as gone


def same_user(conn: socket.socket) -> bool:
    """Whether the peer runs as our uid (SO_PEERCRED). Where the system has no such option,
    the folder (0700) and socket (0600) modes are the guard."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return bool(uid == os.getuid())


def idle_seconds(environ: os._Environ[str] | dict[str, str]) -> float:
    try:
        value = float(environ.get(IDLE_ENV, ""))
    except ValueError:
        return IDLE_DEFAULT
    return value if value > 0 else IDLE_DEFAULT


class Server:
    def __init__(self, place: Place, idle: float) -> None:
        self.place = place
        self.idle = idle
        self.started = time.time()
        self.last = time.monotonic()  # the end of the last build (status requests don't count)
        self.builds = 0
        self.collections = 0  # of the garbage builds left (see collect())
        self.whole_collections = 0
        self.whole_due = False
        self.stopping = False
        self.listener: socket.socket | None = None
        self.bound: int | None = None  # the socket file's inode, to remove only ours
        self.builders: Any = None

    def bind(self) -> None:
        path = self.place.socket
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # stale: its server is gone (we hold the lock)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            listener.bind(path)
        finally:
            os.umask(old)
        listener.listen(16)
        self.listener, self.bound = listener, os.lstat(path).st_ino

    def serve(self) -> None:
        assert self.listener is not None
        from briefgen.resident import job  # the pipeline, Jinja, ...: after the socket is up

        self.builders = job.Builders()
        while not self._should_exit():
            self.listener.settimeout(self._wait())
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                self.collect()
                continue
            with conn:
                try:
                    self.handle(conn)
                except Exception:  # a bug: the client says so and builds in-process
                    traceback.print_exc(file=sys.__stderr__)
            self.collect()  # when due, though requests (for its status) keep coming

    def _should_exit(self) -> bool:
        if self.stopping:
            return True
        if time.monotonic() - self.last > self.idle:
            _log("idle: exiting")
            return True
        if not os.path.isdir(self.place.site):
            _log(f"{self.place.site} is gone: exiting")
            return True
        return False

    def handle(self, conn: socket.socket) -> None:
        if not same_user(conn):
            _log("refused a peer of another user")
            return
        conn.settimeout(REQUEST_WAIT)
        frame = protocol.receive(conn)
        if frame is None or frame[0] != protocol.REQUEST:
            return
        request = protocol.value(frame[1])
        op = request.get("op") if isinstance(request, dict) else None
        if op in ("status", "stop"):
            self.stopping = self.stopping or op == "stop"
            protocol.send_json(conn, protocol.STATUS, self.status())
        elif op == "build":
            self.build(conn, request)

    def build(self, conn: socket.socket, request: dict[str, Any]) -> None:
        from briefgen.resident import job

        if request.get("site") != self.place.site or not os.path.isdir(str(request.get("cwd"))):
            protocol.send_json(conn, protocol.DECLINED, "not this server's build")
            return
        conn.settimeout(SEND_WAIT)
        with _held(self.place.busy_lock):  # a client waiting meanwhile knows we build
            try:
                protocol.send(conn, protocol.TAKEN)
            except OSError:  # the client left: it gave up waiting (client.TAKE_WAIT)
                _log("a client left before its build was taken")
                return
            try:
                code = job.run(request, conn, self.builders)
            finally:
                self.last = time.monotonic()  # idle time counts from the end of the last build
            self.builds += 1
            with contextlib.suppress(OSError):
                protocol.send_json(conn, protocol.EXIT, code)
            conn.close()
        self.after_build()

    def _wait(self) -> float:
        """Seconds to wait for a request: TICK, or until the whole collection is due."""
        if not self.whole_due:
            return TICK
        due = self.last + min(WHOLE, self.idle / 2)
        return min(TICK, max(0.01, due - time.monotonic()))

    def after_build(self) -> None:
        """Free the cycles the build left, then set what stays aside (frozen), so that later
        collections skip it: right after a build, once its client has its answer, a
        collection of what is not frozen follows that build alone: 10-30 ms after an edit at
        4,000 briefings, ~0.25 s after the build that filled the memory. (It used to wait a
        second, and a whole collection then held up the build an author or a script asked
        for about then.)"""
        gc.collect()
        gc.freeze()
        self.collections += 1
        self.whole_due = True

    def collect(self) -> None:
        """A whole collection, frozen objects too: frees what a young one leaves (a cycle
        frozen, then garbage: ~10 objects an edit). ~0.3 s at 4,000 briefings, so it waits
        until the author has been away for a while (WHOLE seconds, at most half the idle
        limit)."""
        if not self.whole_due or time.monotonic() - self.last < min(WHOLE, self.idle / 2):
            return
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.whole_due = False
        self.whole_collections += 1
        self.collections += 1

    def status(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "site": self.place.site,
            "idle": round(time.monotonic() - self.last, 1),
            "idle_limit": self.idle,
            "builds": self.builds,
            "warm_builds": self.builders.builds if self.builders is not None else 0,
            "collections": self.collections,
            "whole_collections": self.whole_collections,
            "memory": _resident_memory(),
            "started": self.started,
            "python": sys.executable,
        }

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()
        with contextlib.suppress(OSError):
            if os.lstat(self.place.socket).st_ino == self.bound:
                os.unlink(self.place.socket)


def _resident_memory() -> int:
    """Bytes of memory the process holds now (Linux), else its peak."""
    try:
        with open("/proc/self/statm", "rb") as file:
            return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def _log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} [{os.getpid()}] {message}", file=sys.__stderr__, flush=True)


@contextlib.contextmanager
def _held(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _take_lock(place: Place) -> int | None:
    """The server's lock, held for its life (fd kept open); None if another server has it."""
    fd = os.open(place.lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    if not flock_by(fd, time.monotonic() + LOCK_WAIT, 0.05):
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, json.dumps({"pid": os.getpid(), "site": place.site}).encode())
    return fd


def main(argv: list[str] | None = None) -> int:
    site, ident = argv if argv is not None else sys.argv[1:]
    _log("starting")
    try:
        place = Place.of(site)
    except Refused as exc:
        _log(f"refused: {exc}")
        return 2
    if place.ident != ident:  # the code changed between the client's start and ours
        _log("another code version than the client's: exiting")
        return 3
    lock = _take_lock(place)
    if lock is None:
        _log("another server holds the lock: exiting")
        return 0
    server = Server(place, idle_seconds(os.environ))

    def stop(signum: int, frame: FrameType | None) -> None:
        server.stopping = True  # a build under way ends first (its publishing is atomic)

    for name in ("SIGTERM", "SIGINT"):
        signal.signal(getattr(signal, name), stop)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        server.bind()
        _log(f"serving {site} on {place.socket}")
        server.serve()
    finally:
        server.close()
        _log("exited")
    return 0


if __name__ == "__main__":
    sys.exit(main())

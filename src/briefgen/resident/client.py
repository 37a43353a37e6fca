"""The client side: `briefgen build` hands its build to this site's resident server.

Whether: on by default for `briefgen build`; off with --no-resident or BRIEFGEN_RESIDENT=0,
and by default under CI (a CI machine builds once: a server would only cost its start);
BRIEFGEN_RESIDENT=1 turns it on even there. Off where there is no AF_UNIX, fork or flock.

How: connect to the server of this site and code (place.py), or start one (detached, in its
own session) and wait for its socket; send the build's argv, working directory, environment
and umask; write what it streams back to our stdout/stderr; exit with its exit code. Anything
that goes wrong before the server took the build means an in-process build, never an error;
a server that dies during the build is said in one line, and the build runs here instead.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from briefgen.console import Console, in_ci
from briefgen.resident import protocol
from briefgen.resident.place import Place, Refused, flock_by, site_path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

ENV = "BRIEFGEN_RESIDENT"
_ON, _OFF = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
# Seconds a client waits for a new server's socket (it binds before importing the pipeline:
# ~0.1 s) and for another client that is starting one; then it builds in-process.
START_WAIT = 10.0
# Seconds a client waits for the server to take its build while the server builds nothing
# (a build of another client's is waited for, however long): then the server is taken to be
# stuck (stopped, say) and the build runs in-process. A server that took the build late finds
# the client gone and drops it; publishing is locked, so two builds never overlap.
TAKE_WAIT = 10.0
STOP_WAIT = 10.0  # seconds `resident stop` waits for the server to exit before SIGTERM
_POLL = 0.02
TAKE_POLL = 0.5  # seconds between looks at whether the server builds, while it has not answered
LOG_LIMIT = 1 << 20  # bytes of server log kept: past it, the next server starts it afresh


class Unavailable(Exception):
    """No server can be reached or started; the message says why (empty: nothing to say)."""


def wanted(no_resident: bool, environ: dict[str, str] | os._Environ[str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if no_resident or not supported():
        return False
    forced = env.get(ENV, "").strip().lower()
    if forced in _OFF:
        return False
    return forced in _ON or not in_ci(dict(env))


def supported() -> bool:
    return hasattr(socket, "AF_UNIX") and hasattr(os, "fork") and fcntl is not None


def build(argv: list[str], directory: Path, output: Path, console: Console) -> int | None:
    """Run `briefgen <argv>` (a build of `directory` into `output`) in the resident server:
    its exit code, or None when the build is to run in-process (told in at most one line,
    unless simply none ran)."""
    site = site_path(directory)
    if not os.path.isdir(os.path.join(site, "content")):
        return None  # not a site: the in-process build says so, as ever
    try:
        place = Place.of(site)
    except Refused as exc:
        console.info(f"briefgen: building without the resident build process: {exc}")
        return None
    request = {
        "op": "build",
        "site": site,
        "argv": argv,
        "cwd": os.getcwd(),
        "environ": dict(os.environ),
        "umask": _umask(),
        "tty": [_isatty(sys.stdout), _isatty(sys.stderr)],
    }
    for _ in range(3):  # a server may go between our connect and its accept: start another
        try:
            sock = _connect(place) or _start(place)
        except Unavailable as exc:
            if str(exc):
                console.info(f"briefgen: building without the resident build process: {exc}")
            return None
        with sock:
            outcome = _converse(sock, request, place)
        if isinstance(outcome, int):
            return outcome
        if outcome == "stuck":
            console.info(
                "briefgen: the resident build process did not answer within "
                f"{TAKE_WAIT:.0f} s; building here instead (`briefgen resident stop` ends it)"
            )
            return None
        if outcome == "died":
            console.info(
                "briefgen: the resident build process stopped during the build; "
                "building here instead"
            )
            _await_output(output)
            return None
        if outcome.startswith("declined:"):
            return None
    return None


def _converse(sock: socket.socket, request: dict[str, Any], place: Place) -> int | str:
    """Send the request, relay the output: the exit code, "retry" (the server ended before
    taking it), "died" (after), "stuck" (it never took it: see TAKE_WAIT), or
    "declined:<why>"."""
    taken = False
    try:
        protocol.send_json(sock, protocol.REQUEST, request)
        while taken or _answers(sock, place):
            frame = protocol.receive(sock)
            if frame is None:
                break
            kind, payload = frame
            if kind == protocol.TAKEN:
                taken = True
            elif kind == protocol.OUT:
                _write(sys.stdout, protocol.text(payload))
            elif kind == protocol.ERR:
                _write(sys.stderr, protocol.text(payload))
            elif kind == protocol.EXIT and taken:
                code = protocol.value(payload)
                return code if isinstance(code, int) else 1
            elif kind == protocol.DECLINED:
                return f"declined:{protocol.value(payload)}"
        else:
            return "stuck"
    except (OSError, protocol.ProtocolError):
        pass
    return "died" if taken else "retry"


def _answers(sock: socket.socket, place: Place) -> bool:
    """Wait until the server says something (True), or until TAKE_WAIT passed while it
    built nothing (False)."""
    waited_since = time.monotonic()
    while not select.select([sock], [], [], TAKE_POLL)[0]:
        if alive(place.busy_lock):
            waited_since = time.monotonic()  # another build first: its length is no sign
        elif time.monotonic() - waited_since >= TAKE_WAIT:
            return False
    return True


def _write(stream: Any, text: str) -> None:
    if stream is not None:
        stream.write(text)
        stream.flush()


def _connect(place: Place) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(place.socket)
        return sock
    except (FileNotFoundError, ConnectionRefusedError):
        sock.close()
        return None  # none running (or a stale socket: the new server replaces it)
    except OSError as exc:
        sock.close()
        raise Unavailable(f"cannot connect to {place.socket}: {exc.strerror or exc}") from None


def _start(place: Place) -> socket.socket:
    """Start this site's server, unless another client is doing so, and connect to it."""
    deadline = time.monotonic() + START_WAIT
    with _flocked(place.start_lock, deadline):
        sock = _connect(place)  # started by the client that held the lock before us
        if sock is not None:
            return sock
        process = _spawn(place)
        while time.monotonic() < deadline:
            sock = _connect(place)
            if sock is not None:
                return sock
            if process.poll() is not None:
                raise Unavailable(f"the resident build process did not start (see {place.log})")
            time.sleep(_POLL)
    raise Unavailable(f"the resident build process did not answer within {START_WAIT:.0f} s")


def _spawn(place: Place) -> subprocess.Popen[bytes]:
    """The server, detached: its own session (no terminal's Ctrl-C), stdio to its log, cwd
    "/" (it pins no folder), importing this very briefgen (PYTHONPATH made absolute)."""
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    env = dict(os.environ)
    paths = [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join([package_root, *paths])
    argv = [sys.executable, "-m", "briefgen.resident.server", place.site, place.ident]
    try:
        grown = place.log.exists() and place.log.stat().st_size > LOG_LIMIT
        with open(place.log, "wb" if grown else "ab") as log:  # a few lines per server
            os.chmod(place.log, 0o600)
            return subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd="/",
                env=env,
                start_new_session=True,
                close_fds=True,
            )
    except OSError as exc:
        raise Unavailable(f"cannot start the resident build process: {exc}") from None


@contextlib.contextmanager
def _flocked(path: Path, deadline: float) -> Iterator[None]:
    assert fcntl is not None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise Unavailable(f"cannot open {path}: {exc.strerror or exc}") from None
    try:
        if not flock_by(fd, deadline, _POLL):
            raise Unavailable("another client is still starting the server")
        yield
    finally:
        os.close(fd)


def _await_output(output: Path) -> None:
    """Wait (up to START_WAIT) until no process holds the output's lock: the workers a killed
    server had forked share it until they notice and exit."""
    assert fcntl is not None
    try:
        real = output.resolve() if output.is_symlink() else output.absolute()  # as publish does
        fd = os.open(real.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                time.sleep(_POLL)
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _isatty(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


# -- `briefgen resident status|stop` -------------------------------------------------------------


def status(site: str) -> dict[str, Any] | None:
    """What the server of `site` says of itself, or None when none runs."""
    place = Place.of(site)
    return _ask(place, "status")


def stop(site: str) -> dict[str, Any] | None:
    """Stop the server of `site` (what it said of itself), or None when none ran. It exits
    once a build it is running has ended; after STOP_WAIT, SIGTERM."""
    place = Place.of(site)
    said = _ask(place, "stop")
    if said is None:
        return None
    deadline = time.monotonic() + STOP_WAIT
    while alive(place.lock):
        if time.monotonic() >= deadline:
            with contextlib.suppress(OSError):
                os.kill(int(said["pid"]), signal.SIGTERM)
            break
        time.sleep(_POLL)
    return said


def _ask(place: Place, op: str) -> dict[str, Any] | None:
    try:
        sock = _connect(place)
    except Unavailable:
        return None
    if sock is None:
        return None
    with sock:
        try:
            protocol.send_json(sock, protocol.REQUEST, {"op": op})
            frame = protocol.receive(sock)
        except (OSError, protocol.ProtocolError):
            return None
    if frame is None or frame[0] != protocol.STATUS:
        return None
    said = protocol.value(frame[1])
    return said if isinstance(said, dict) else None


def alive(lock: Path) -> bool:
    """Whether a server holds this lock (it does while it lives)."""
    assert fcntl is not None
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False  # no lock file: none ever ran here
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)

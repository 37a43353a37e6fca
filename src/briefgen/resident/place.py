"""Where a resident server lives: a private folder of ours, and names made from its identity.

One server per (site folder's real path, briefgen's code version, Python executable): a client
of other code never talks to an old server, which just idles out. The folder is
`$XDG_RUNTIME_DIR/briefgen` or `<tmp>/briefgen-<uid>`, made 0700; one that is a symlink, not
ours, or open to group or others is refused (the build then runs in-process). Names are a hash
of the identity: AF_UNIX paths are limited to ~107 bytes, so the site's path is never in one.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no resident process there
    fcntl = None  # type: ignore[assignment]

SOCKET_PATH_MAX = 100  # bytes; sun_path holds 108 on Linux, 104 on the BSDs


class Refused(Exception):
    """The private folder cannot be trusted or made; the message says why."""


def private_folder(environ: dict[str, str] | os._Environ[str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime):
        return Path(runtime) / "briefgen"
    return Path(tempfile.gettempdir()) / f"briefgen-{os.getuid()}"


def checked_folder(folder: Path) -> Path:
    """Make the folder 0700 if missing; refuse one that others could reach or replace."""
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise Refused(f"cannot make {folder}: {exc.strerror or exc}") from None
    try:
        st = os.lstat(folder)
    except OSError as exc:
        raise Refused(f"cannot read {folder}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(st.st_mode):
        raise Refused(f"{folder} is a symbolic link")
    if not stat.S_ISDIR(st.st_mode):
        raise Refused(f"{folder} is not a folder")
    if st.st_uid != os.getuid():
        raise Refused(f"{folder} belongs to another user (uid {st.st_uid})")
    if st.st_mode & 0o077:
        raise Refused(f"{folder} is open to other users (mode {stat.S_IMODE(st.st_mode):04o})")
    return folder


def identity(site: str, code_version: str, executable: str) -> str:
    parts = (site, code_version, executable)
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogateescape")
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()[:24]


@dataclass(frozen=True)
class Place:
    """The files of one server: `<id>.sock`, `<id>.lock` (held by the server while it lives,
    holding its pid), `<id>.busy` (held by it while it builds), `<id>.start` (held by a
    client starting one), `<id>.log`."""

    folder: Path
    site: str  # the site folder's real path
    ident: str

    @classmethod
    def of(cls, site: str, environ: dict[str, str] | None = None) -> Place:
        """The place of this code's server for `site` (a real path); Refused if unsafe."""
        from briefgen.build.digest import CODE_VERSION

        folder = checked_folder(private_folder(environ))
        place = cls(folder, site, identity(site, CODE_VERSION, sys.executable))
        if len(os.fsencode(place.socket)) > SOCKET_PATH_MAX:
            raise Refused(f"the socket path in {folder} would be too long for AF_UNIX")
        return place

    @property
    def socket(self) -> str:
        return str(self.folder / f"{self.ident}.sock")

    @property
    def lock(self) -> Path:
        return self.folder / f"{self.ident}.lock"

    @property
    def busy_lock(self) -> Path:
        return self.folder / f"{self.ident}.busy"

    @property
    def start_lock(self) -> Path:
        return self.folder / f"{self.ident}.start"

    @property
    def log(self) -> Path:
        return self.folder / f"{self.ident}.log"


def site_path(directory: Path, cwd: str | None = None) -> str:
    """The real path of a site folder given on the command line (relative to `cwd`)."""
    return os.path.realpath(os.path.join(cwd or os.getcwd(), directory))


def flock_by(fd: int, deadline: float, poll: float = 0.02) -> bool:
    """Take an exclusive flock on `fd`, trying until time.monotonic() reaches `deadline`:
    whether it was taken."""
    assert fcntl is not None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)

"""Publishing a staged tree: one build at a time, one atomic switch, nothing else removed.

- `locked()`: an exclusive flock on the output's parent directory for the whole build, so two
  builds into one output never interleave; it also removes what a killed build left behind.
- `complete()`: the staged tree gets every file of the new site (unchanged ones hard-linked
  from the current output) and every entry of the current output that briefgen did not write.
- `swap_in()`: renameat2(RENAME_EXCHANGE) swaps the two trees in one step (Linux); elsewhere,
  two renames. A build killed at any moment leaves the old site or the new one, whole.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefgen.build.output import (
    MANIFEST,
    Manifest,
    entries,
    read_manifest,
    real_output,
    regular_files,
)
from briefgen.diagnostics import UsageError
from briefgen.urls import safe_relpath

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; builds are not serialised there
    fcntl = None  # type: ignore[assignment]

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the output for one build; fail at once, with a clear message, if another has it."""
    out_dir = real_output(out_dir)
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"another briefgen build is writing to {out_dir}; wait until it has finished"
            ) from None
        remove_leftovers(out_dir)
        yield
    finally:
        os.close(fd)  # releases the lock


def leftovers(out_dir: Path) -> list[Path]:
    """Staging and old trees of builds that were killed before they could remove them."""
    out_dir = real_output(out_dir)
    prefixes = (f".{out_dir.name}.new-", f".{out_dir.name}.old-")
    try:
        names = os.listdir(out_dir.parent)
    except OSError:
        return []
    return sorted(out_dir.parent / n for n in names if n.startswith(prefixes))


def remove_leftovers(out_dir: Path) -> None:
    out_dir = real_output(out_dir)
    found = leftovers(out_dir)
    olds = [p for p in found if p.name.startswith(f".{out_dir.name}.old-")]
    if not out_dir.exists() and len(olds) == 1 and not olds[0].is_symlink():
        os.rename(olds[0], out_dir)  # killed between the two renames of the fallback swap
        found.remove(olds[0])
    for path in found:
        if path.is_symlink() or not path.is_dir():
            path.unlink(missing_ok=True)
        else:
            shutil.rmtree(path, ignore_errors=True)


def commit(
    staging: Path, out_dir: Path, manifest: Manifest, remove_old_later: bool = False
) -> None:
    """Complete the staged tree and swap it in atomically. With `remove_old_later` (serve,
    a long-lived process), the previous tree is removed on another thread after the swap, so
    that the page can reload first: one unlink per file of the site."""
    out_dir = real_output(out_dir)
    if out_dir.is_dir():
        complete(staging, out_dir, manifest)
    (staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    # mkdtemp creates 0700; a published site must be readable by a web server.
    os.chmod(staging, 0o755)
    old = swap_in(staging, out_dir)
    if old is None:
        return
    if remove_old_later:  # a build meanwhile removes it too, as a leftover: either may finish
        threading.Thread(target=shutil.rmtree, args=(old, True), daemon=True).start()
    else:
        shutil.rmtree(old, ignore_errors=True)


def complete(staging: Path, out_dir: Path, manifest: Manifest) -> None:
    """Give the staged tree the unchanged files of the new site and the current output's
    entries that briefgen did not write, hard-linked (copied where links are refused).

    The output is walked once and the staged tree (what this build wrote) once: a warm build
    of a big site links tens of thousands of files, and every system call per file counts."""
    found = list(entries(out_dir))
    present = {name for name, regular in found if regular}
    staged = regular_files(staging)
    previous = read_manifest(out_dir)
    link = _Linker(out_dir, staging)
    for name in manifest.files:
        if safe_relpath(name) in staged:
            continue  # written by this build
        if name not in present:
            raise UsageError(
                f"{out_dir / name} disappeared during the build; build again "
                "(and keep other programs from changing the output meanwhile)"
            )
        link(name)
    for name in _foreign(out_dir, manifest, previous, present, [n for n, _ in found]):
        try:
            link(name)
        except (FileExistsError, NotADirectoryError):
            raise UsageError(
                f"{out_dir / name} was not written by briefgen, and the new site needs its "
                "place; move it away and build again"
            ) from None


class _Linker:
    """Hard-links files of the current output into the staged tree, making each folder once
    (a warm build links thousands of files: a failed mkdir per file costs more than the link)."""

    def __init__(self, out_dir: Path, staging: Path) -> None:
        self.source, self.target = str(out_dir), str(staging)
        self.folders: set[str] = set()

    def __call__(self, name: str) -> None:
        folder = os.path.dirname(name)
        if folder not in self.folders:
            os.makedirs(os.path.join(self.target, folder), exist_ok=True)
            self.folders.add(folder)
        _link(os.path.join(self.source, name), os.path.join(self.target, name))


def _foreign(
    out_dir: Path,
    manifest: Manifest,
    previous: Manifest | None,
    present: set[str],
    names: list[str],
) -> list[str]:
    """Entries of the current output (`names`) to keep: all but briefgen's own files (listed
    in the previous manifest with the bytes it lists) and those the new site writes again."""
    kept = []
    for name in names:
        if name == MANIFEST or name in manifest.files:
            continue
        if previous is not None and name in present and _wrote(out_dir, name, previous):
            continue
        kept.append(name)
    return sorted(kept)


def _wrote(out_dir: Path, name: str, previous: Manifest) -> bool:
    expected = previous.files.get(name)
    if expected is None:
        return False
    digest = hashlib.sha256()
    with open(out_dir / name, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest() == expected


def _link(source: str, target: str) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        if os.path.islink(source):
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)


def swap_in(staging: Path, out_dir: Path) -> Path | None:
    """Make the staged tree the output in one step; returns where the previous tree now is
    (for the caller to remove), if there was one."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return None
    if not _exchange(staging, out_dir):
        old = out_dir.with_name(staging.name.replace(".new-", ".old-", 1))
        os.rename(out_dir, old)  # a build killed here: the next one renames it back
        os.rename(staging, out_dir)
        return old
    return staging  # now the previous site


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system cannot (then nothing happened)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False  # a file system without RENAME_EXCHANGE
    raise OSError(code, os.strerror(code), str(a), None, str(b))

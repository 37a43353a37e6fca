"""Publishing a staged tree: one build at a time, nothing lost, nothing else removed.

- `locked()`: an exclusive flock on the output's parent directory for the whole build, so two
  builds into one output never interleave; it also removes what a killed build left behind.
- `briefgen build`: a complete tree of the new site is swapped in for the output in one step,
  renameat2(RENAME_EXCHANGE) on Linux, elsewhere two renames. A build killed at any moment
  leaves the old site or the new one, whole. That tree is the spare kept by the previous build
  in the cache folder, brought up to date (spare.py: work in proportion to what changed), or,
  without one, the staged tree completed from the output (complete.py: a hard link per file).
- `serve` publishes in place instead (inplace.py): its output is a private folder, so only the
  files a save changed are moved in, one atomic rename each.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefgen.build import spare
from briefgen.build.complete import complete
from briefgen.build.folders import remove_tree
from briefgen.build.inplace import publish_in_place
from briefgen.build.output import (
    MANIFEST,
    Listing,
    Manifest,
    new_staging,
    real_output,
    regular_files,
    write_manifest,
)
from briefgen.diagnostics import UsageError

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
        remove_tree(str(path))  # a symbolic link or a file is unlinked, not followed


def commit(
    staging: Path,
    out_dir: Path,
    manifest: Manifest,
    in_place: bool = False,
    cache_folder: Path | None = None,
    listing: Listing | None = None,
) -> None:
    """Publish the staged tree: complete it and swap it in atomically, or with `in_place`
    (serve's private output) move what it holds into the output file by file.

    `cache_folder`: the site's cache folder, where the tree a swap takes out is kept as a
    spare for the next build to bring up to date instead of making a tree afresh (spare.py).
    `listing`: the output's, made before the build; used only while still current."""
    out_dir = real_output(out_dir)
    if in_place and out_dir.is_dir():
        publish_in_place(staging, out_dir, manifest)
        return
    if out_dir.is_dir() and cache_folder is not None:
        with spare.held(cache_folder) as place:
            ready = place is not None and spare.ready(staging, out_dir, place, manifest, listing)
            if ready:
                assert place is not None
                _swap_spare(place, out_dir)
                remove_tree(str(staging))  # only its folders are left
                return
    if out_dir.is_dir():
        complete(staging, out_dir, manifest, regular_files(staging), listing)
    write_manifest(staging / MANIFEST, manifest)
    # mkdtemp creates 0700; a published site must be readable by a web server.
    os.chmod(staging, 0o755)
    old = swap_in(staging, out_dir)
    if old is not None:
        remove_tree(str(old))


def _swap_spare(place: Path, out_dir: Path) -> None:
    """Swap the ready spare with the output; the previous site stays at the spare's place.
    Where the system cannot exchange two folders, the spare goes the way of a staged tree."""
    if _exchange(place, out_dir):
        return
    staged = new_staging(out_dir)
    os.rmdir(staged)
    os.rename(place, staged)
    old = swap_in(staged, out_dir)
    if old is not None:
        remove_tree(str(old))


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

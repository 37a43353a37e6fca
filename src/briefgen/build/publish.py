"""Publishing a staged tree: one build at a time, nothing lost, nothing else removed.

- `locked()`: an exclusive flock on the output's parent directory for the whole build, so two
  builds into one output never interleave; it also removes what a killed build left behind.
- `briefgen build`: `complete()` gives the staged tree every file of the new site (unchanged
  ones hard-linked from the current output) and every entry of the current output that
  briefgen did not write; `swap_in()`: renameat2(RENAME_EXCHANGE) swaps the two trees in one
  step (Linux); elsewhere, two renames. A build killed at any moment leaves the old site or
  the new one, whole.
- `serve` publishes in place instead (inplace.py): its output is a private folder, so only the
  files a save changed are moved in, one atomic rename each.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefgen.build.folders import Folders, by_folder, remove_tree
from briefgen.build.inplace import publish_in_place
from briefgen.build.output import (
    MANIFEST,
    Manifest,
    entries,
    read_manifest,
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
_COPY_INSTEAD = (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP)  # links refused


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


def commit(staging: Path, out_dir: Path, manifest: Manifest, in_place: bool = False) -> None:
    """Publish the staged tree: complete it and swap it in atomically, or with `in_place`
    (serve's private output) move what it holds into the output file by file."""
    out_dir = real_output(out_dir)
    if in_place and out_dir.is_dir():
        publish_in_place(staging, out_dir, manifest)
        return
    if out_dir.is_dir():
        complete(staging, out_dir, manifest)
    write_manifest(staging / MANIFEST, manifest)
    # mkdtemp creates 0700; a published site must be readable by a web server.
    os.chmod(staging, 0o755)
    old = swap_in(staging, out_dir)
    if old is not None:
        remove_tree(str(old))


def complete(staging: Path, out_dir: Path, manifest: Manifest) -> None:
    """Give the staged tree the unchanged files of the new site and the current output's
    entries that briefgen did not write, hard-linked (copied where links are refused).

    The output is walked once and the staged tree (what this build wrote) once: a warm build
    of a big site links tens of thousands of files, and every system call per file counts.
    The new manifest's names need no check: briefgen made them, or read_manifest() checked
    them; the output's other names come from listing it."""
    found = list(entries(out_dir))
    present = {name for name, regular in found if regular}
    staged = regular_files(staging)
    unchanged = [name for name in manifest.files if name not in staged]
    for name in unchanged:
        if name not in present:
            raise UsageError(
                f"{out_dir / name} disappeared during the build; build again "
                "(and keep other programs from changing the output meanwhile)"
            )
    _link_all(out_dir, staging, unchanged)
    previous = read_manifest(out_dir)  # parsed already this build: one stat
    kept = _foreign(out_dir, manifest, previous, present, [n for n, _ in found])
    try:
        _link_all(out_dir, staging, kept)
    except _Taken as taken:
        raise UsageError(
            f"{out_dir / taken.name} was not written by briefgen, and the new site needs its "
            "place; move it away and build again"
        ) from None


class _Taken(Exception):
    """A file of the output cannot be linked: the staged tree has something at its place."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _link_all(out_dir: Path, staging: Path, names: list[str]) -> None:
    """Hard-link these files of the current output into the staged tree, folder by folder,
    with a descriptor per folder: one system call per file."""
    with Folders(str(out_dir)) as source, Folders(str(staging), make=True) as target:
        for folder, bases in by_folder(names):
            try:
                to = target.fd(folder)
            except (FileExistsError, NotADirectoryError):
                raise _Taken(folder) from None
            where = source.fd(folder)
            for base in bases:
                try:
                    os.link(base, base, src_dir_fd=where, dst_dir_fd=to, follow_symlinks=False)
                except FileExistsError:
                    raise _Taken(f"{folder}/{base}" if folder else base) from None
                except OSError as exc:
                    if exc.errno not in _COPY_INSTEAD:
                        raise
                    rel = os.path.join(folder, base)
                    _copy(os.path.join(out_dir, rel), os.path.join(staging, rel))


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


def _copy(source: str, target: str) -> None:
    """Where the system refuses a hard link: the same entry, copied."""
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

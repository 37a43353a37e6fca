"""Publishing in place, for `serve`: work in proportion to the files a build wrote.

serve builds into a private folder it made itself and removes at exit; no one else writes
there, and no one publishes it as a whole. So instead of a complete new tree swapped in (one
hard link per file of the site, then one unlink per file of the old tree), a save's build
removes the files of the previous site that the new one no longer has, moves the files it
wrote into the output, each with one atomic rename (a request reads the old file or the new
one, never half of one), and writes the manifest last.

- Files that go away go first, so that a folder of the previous site may become a file of
  the new one, and back. Then subfolders before their folder: Pagefind's index chunks and
  fragments are in place before the files that name them (pagefind-entry.json, the .pf_meta).
- Only files briefgen wrote are removed: listed in the previous manifest, and still holding
  the bytes it lists; reached without following a symbolic link.
- Leftovers: while files move, the output's manifest lists nothing. A publish that fails
  half-way (a full disk) thus leaves an output the next build trusts nothing of: it writes
  every file again, as into a new folder, and leaves what it cannot prove briefgen wrote.
  That costs one full build after a rare failure, and needs no recovery code.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from briefgen.build.folders import Folders, by_folder, remove_tree
from briefgen.build.output import (
    MANIFEST,
    Manifest,
    read_manifest,
    regular_files,
    write_manifest,
)
from briefgen.diagnostics import UsageError

_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_TAKEN = (errno.EISDIR, errno.ENOTDIR, errno.ELOOP, errno.ENOTEMPTY, errno.EEXIST)


def publish_in_place(staging: Path, out_dir: Path, manifest: Manifest) -> None:
    """Move the staged files into out_dir (an existing folder), remove the previous site's
    files that the new one does not have, write the manifest; then remove the staged tree."""
    previous = read_manifest(out_dir)
    _replace(staging, out_dir, Manifest.empty())  # until the end: trust nothing of out_dir
    if previous is not None:
        _remove(out_dir, previous, [n for n in previous.files if n not in manifest.files])
    move_in(staging, out_dir, list(regular_files(staging)))
    _replace(staging, out_dir, manifest)
    remove_tree(str(staging))  # only its folders are left


def _replace(staging: Path, out_dir: Path, manifest: Manifest) -> None:
    write_manifest(staging / MANIFEST, manifest)
    os.replace(staging / MANIFEST, out_dir / MANIFEST)


def _deeper_first(name: str) -> tuple[int, list[str]]:
    return -name.count("/"), name.split("/")


def move_in(staging: Path, out_dir: Path, names: list[str]) -> None:
    """Folder by folder, each folder's subfolders before it (by_folder's order, reversed)."""
    with Folders(str(staging)) as source, Folders(str(out_dir), make=True) as target:
        for folder, bases in reversed(by_folder(names)):
            base = ""
            try:
                to = target.fd(folder)
                where = source.fd(folder)
                for base in bases:
                    os.replace(base, base, src_dir_fd=where, dst_dir_fd=to)
            except OSError as exc:
                if exc.errno not in _TAKEN:
                    raise
                place = out_dir / folder / base if base else out_dir / folder
                raise UsageError(
                    f"{place} was not written by briefgen, and the new site needs its place; "
                    "move it away and build again"
                ) from None


def _remove(out_dir: Path, previous: Manifest, names: list[str]) -> None:
    """Remove these files of the previous site, those that still hold the bytes it wrote,
    and the folders that leaves empty. Names from the manifest are not trusted: a folder on
    the way that is a symbolic link (or gone) is left alone."""
    emptied = set()
    with Folders(str(out_dir)) as folders:
        for folder, bases in by_folder(names):
            try:
                fd = folders.fd(folder)
            except OSError:
                continue
            for base in bases:
                name = f"{folder}/{base}" if folder else base
                if _holds(fd, base, previous.files[name]):
                    os.unlink(base, dir_fd=fd)
                    emptied.add(folder)
        for folder in sorted(emptied, key=_deeper_first):
            _remove_empty(folders, folder)


def _holds(fd: int, base: str, digest: str) -> bool:
    """The regular file `base` in folder `fd` has these bytes (sha256)."""
    try:
        file = os.open(base, _READ, dir_fd=fd)
    except OSError:
        return False
    with open(file, "rb") as opened:
        if not stat.S_ISREG(os.fstat(file).st_mode):
            return False
        return hashlib.file_digest(opened, "sha256").hexdigest() == digest


def _remove_empty(folders: Folders, folder: str) -> None:
    """Remove `folder` and then its parents, as long as they are empty."""
    while folder:
        parent, _, base = folder.rpartition("/")
        try:
            os.rmdir(base, dir_fd=folders.fd(parent))
        except OSError:
            return  # not empty (or not a folder): so are its parents
        folder = parent

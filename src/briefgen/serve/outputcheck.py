"""serve: is every file the output's manifest lists still there? Asked before every save's
build (output.intact()), answered without listing the whole output each time.

output.intact() lists every folder of the output (36,000 files at 4,000 briefings: ~0.1-0.2 s
of each save). serve asks the same question of the same output again and again, and between
two saves only a few folders change. So each folder is listed once and its listing kept with
the folder's status (device, inode, change time); the next check stats every folder (~4,000
stats, ~20 ms) and lists again only those whose status changed. What it answers is what
output.intact() answers: every listed file is a regular file, reached through real folders
from the output's root (no symbolic link on the way).

Why a folder's status tells: creating, removing or renaming an entry of a folder (a file
deleted, or replaced by a symbolic link, or a folder put in its place) sets the folder's
modification and change times, and the change time cannot be set back (utime() sets the
others). A change inside a sub-folder changes that sub-folder, which is checked in its turn.
Times have a granularity (a clock tick, a second on some file systems): a change in the same
tick as the status was read would leave it equal, so a listing is kept only for a folder whose
change time is older than `RECENT_NS` when its status was read; a folder changed more recently
(the few a save just wrote into) is listed again at the next check.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from briefgen.build.output import Manifest

RECENT_NS = 2_000_000_000  # coarser than any file system's time granularity (FAT: 2 s)

Status = tuple[int, int, int, int]  # device, inode, change time, modification time


class OutputCheck:
    """output.intact() for one long-lived process's output, by folder status (see above)."""

    def __init__(self, clock: Callable[[], int] = time.time_ns) -> None:
        self.clock = clock
        # folder (relative, "" for the root) -> its status when listed, and the names in it of
        # regular files and of real folders (symbolic links are neither)
        self.listed: dict[str, tuple[Status, frozenset[str], frozenset[str]]] = {}
        self.listings = 0  # folders listed, for tests: how much work the check did

    def intact(self, out_dir: Path, manifest: Manifest) -> bool:
        """Every file `manifest` lists is a regular file in out_dir, reached without a
        symbolic link (output.intact()'s answer)."""
        files, folders = _expected(manifest.files)
        root = os.fspath(out_dir)
        now = self.clock()
        seen = set()
        for folder in files.keys() | folders.keys():
            found = self._entries(root, folder, now)
            if found is None:
                return False
            seen.add(folder)
            regular, real = found
            if not files.get(folder, set()) <= regular or not folders.get(folder, set()) <= real:
                return False
        self.listed = {k: v for k, v in self.listed.items() if k in seen}
        return True

    def _entries(
        self, root: str, folder: str, now: int
    ) -> tuple[frozenset[str], frozenset[str]] | None:
        """The names of the regular files and real folders in `folder`: kept from its last
        listing when its status is the same, else listed. None when it cannot be read."""
        path = os.path.join(root, folder) if folder else root
        try:
            # the root may be a symbolic link (as output.intact() follows it); a folder below
            # is checked as an entry of its parent, whose listing says it is a real folder
            st = os.stat(path, follow_symlinks=not folder)
            status = (st.st_dev, st.st_ino, st.st_ctime_ns, st.st_mtime_ns)
            known = self.listed.get(folder)
            if known is not None and known[0] == status:
                return known[1], known[2]
            with os.scandir(path) as listing:
                entries = list(listing)
            regular = frozenset(e.name for e in entries if e.is_file(follow_symlinks=False))
            real = frozenset(e.name for e in entries if e.is_dir(follow_symlinks=False))
        except OSError:
            self.listed.pop(folder, None)
            return None
        self.listings += 1
        if st.st_ctime_ns < now - RECENT_NS and st.st_mtime_ns < now - RECENT_NS:
            self.listed[folder] = (status, regular, real)
        else:
            self.listed.pop(folder, None)  # changed lately: listed again next time
        return regular, real


def _expected(names: dict[str, str]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The manifest's files by folder, and each folder's expected sub-folders (every folder
    on the way from the root to a file)."""
    files: dict[str, set[str]] = {}
    folders: dict[str, set[str]] = {}
    for name in names:
        folder, _, base = name.rpartition("/")
        known = folder in files or folder in folders
        files.setdefault(folder, set()).add(base)
        while folder and not known:
            parent, _, base = folder.rpartition("/")
            known = parent in files or parent in folders
            folders.setdefault(parent, set()).add(base)
            folder = parent
    return files, folders

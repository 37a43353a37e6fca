"""Listings of a tree's entries, and a long-lived builder's listings kept by folder stamp.

`Listing.of()` lists a whole tree (36,000 entries at 4,000 briefings, ~0.13 s). `briefgen build`
lists its output once per build and publishes with that listing while it is `current()`.

A long-lived builder (build/warm.py) publishes again and again into the same trees, its output
and its spare (spare.py), and between two builds only a few of their folders change. `Kept`
keeps each tree's listing folder by folder, with the folder's stamp taken before it was read,
and brings it up to date by a stat per folder (~4,000: ~20 ms), listing again only the folders
whose stamp changed: the work follows what changed, while the answer is that of Listing.of().

Why a folder's stamp tells (the same rule as Listing.current()): creating, removing, renaming or
replacing an entry of a folder (a file, a symbolic link, a sub-folder) sets the folder's
modification and change times, and the change time cannot be set back (utime() sets the
others); a change inside a sub-folder changes that sub-folder, whose own stamp is checked in its
turn, after its parent's listing says it is still a real folder there. A file rewritten in
place keeps its inode and its folder's stamp: it is the same entry, as it is to Listing.of().
Times have a granularity, so a folder changed within RECENT_NS of its listing keeps no stamp: it
is listed again next time. Trees are kept by their root's device and inode: when a swap
exchanges the output and the spare, each listing follows its tree, and a tree removed and made
anew (a new inode, or a reused one with a later change time) is listed again.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# A folder changed this close to (or after) the start of its listing may change again within
# the same tick of the file system's clock, unseen by its stamp (coarse timestamps: a few ms).
_RACY_NS = 50_000_000
# Kept listings live longer, across file systems of any clock: a folder whose times have no
# fraction of a second may be on one whose ticks are a second or two (FAT's: 2 s).
RECENT_NS = 2_000_000_000
_TREES = 4  # trees a Kept holds (an output and its spare; a few more outputs at most)


@dataclass(frozen=True)
class Listing:
    """Every entry below a tree's root that is not a folder (symbolic links included, not
    followed): relative name -> (inode, is a regular file). scandir gives both without a stat.

    `briefgen build` lists its output once, before its build (inputs.state), and publishes
    with that listing (spare.py) if it is still `current()`: the output is locked against
    other builds meanwhile (publish.locked), but not against other programs, and what one of
    them added, removed or replaced during the build must not be lost or published stale.
    Any of those changes the stamp (inode, modification and change times) of the folder that
    holds the entry; so the listing keeps each folder's stamp, taken before the folder was
    read, and is current while every stamp is the same (a stat per folder, ~4,000 at 4,000
    briefings: a tenth of the walk). An entry rewritten in place keeps its inode, and is the
    same file to both (the spare holds it by a hard link). A listing of a folder changed
    within _RACY_NS of the walk is never current: its next change could keep its stamp.

    `kept`: the Kept this listing came from (a long-lived builder's): ask it, not current(),
    for the tree as it is now."""

    entries: dict[str, tuple[int, bool]]
    folders: list[str]  # below the root, parents before their subfolders
    stamps: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # "" is the root
    racy: bool = True  # not to be trusted as current (see above)
    kept: Kept | None = field(default=None, compare=False, repr=False)
    # the entries that are not regular files (symbolic links, sockets...): few, so that
    # questions about many names are set operations (output.intact, complete.needed)
    irregular: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @classmethod
    def of(cls, root: Path, stamped: bool = False) -> Listing:
        """The tree's listing; `stamped`, with the stamps current() needs (a stat per
        folder), else never current."""
        started = time.time_ns()
        found: dict[str, tuple[int, bool]] = {}
        below: list[str] = []
        stamps: dict[str, tuple[int, int, int]] = {}
        irregular: list[str] = []
        folders = [(str(root), "")]
        while folders:
            folder, prefix = folders.pop()
            if stamped:
                stamps[prefix[:-1]] = _stamp(folder)  # before its entries: see current()
            with os.scandir(folder) as listed:
                for entry in listed:
                    name = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        folders.append((entry.path, name + "/"))
                        below.append(name)
                    else:
                        regular = entry.is_file(follow_symlinks=False)
                        found[name] = (entry.inode(), regular)
                        if not regular:
                            irregular.append(name)
        racy = not stamped or any(max(s[1], s[2]) >= started - _RACY_NS for s in stamps.values())
        return cls(found, below, stamps, racy, irregular=frozenset(irregular))

    def regular(self) -> set[str]:
        return {name for name, (_, regular) in self.entries.items() if regular}

    def current(self, root: Path) -> bool:
        """Whether the tree at `root` still has exactly these entries (see the class)."""
        if self.racy:
            return False
        base = str(root)
        try:
            for name, stamp in self.stamps.items():
                if _stamp(f"{base}/{name}" if name else base) != stamp:
                    return False
        except OSError:
            return False
        return True


def _stamp(folder: str) -> tuple[int, int, int]:
    st = os.stat(folder, follow_symlinks=False)
    return (st.st_ino, st.st_mtime_ns, st.st_ctime_ns)


Stamp = tuple[int, int, int, int]  # device, inode, modification and change times


@dataclass(frozen=True)
class _Folder:
    """One folder's listing: its stamp (None: changed too lately to be trusted), its entries
    that are not folders (by relative name, as Listing.entries), its real sub-folders."""

    stamp: Stamp | None
    entries: dict[str, tuple[int, bool]]
    folders: tuple[str, ...]
    irregular: tuple[str, ...]


def window(mtime_ns: int, ctime_ns: int) -> int:
    """How long after a change a folder's times may still change unseen: a clock tick of its
    file system. Times with a fraction of a second come from one that keeps them finer than
    the kernel's tick (a few ms; _RACY_NS, as Listing.current()); whole seconds, maybe not."""
    fine = mtime_ns % 1_000_000_000 or ctime_ns % 1_000_000_000
    return _RACY_NS if fine else RECENT_NS


class _Moved(OSError):
    """A folder a listing holds is not one at its place any more, its parent unchanged: the
    tree changed while it was being checked. It is listed afresh, once; changed again
    meanwhile, the caller is told as by Listing.of() (an OSError)."""


class Kept:
    """The listings of the trees a long-lived builder works on, kept folder by folder and
    brought up to date by folder stamp (see the module). `of()` answers what Listing.of()
    answers; `listed` counts the folders it read (for tests: how much work it did)."""

    def __init__(self, clock: Callable[[], int] = time.time_ns) -> None:
        self.clock = clock
        self.trees: dict[tuple[int, int], dict[str, _Folder]] = {}
        self.listed = 0

    def of(self, root: Path) -> Listing:
        """The listing of the tree at `root` (followed if a symbolic link, as Listing.of()),
        with every entry it has now. Raises OSError when it cannot be read."""
        st = os.stat(root)
        key = (st.st_dev, st.st_ino)
        old = self.trees.pop(key, {})
        try:
            tree = self._refresh(str(root), old)
        except _Moved:
            tree = self._refresh(str(root), {})
        self.trees[key] = tree
        while len(self.trees) > _TREES:
            del self.trees[next(iter(self.trees))]  # the one used longest ago
        entries: dict[str, tuple[int, bool]] = {}
        irregular: list[str] = []
        for folder in tree.values():
            entries.update(folder.entries)
            irregular.extend(folder.irregular)
        below = [name for name in tree if name]
        return Listing(entries, below, kept=self, irregular=frozenset(irregular))

    def _refresh(self, root: str, old: dict[str, _Folder]) -> dict[str, _Folder]:
        """Every folder of the tree, parents first: the old listing of each whose stamp is
        the same, a new one of the others."""
        now = self.clock()
        tree: dict[str, _Folder] = {}
        todo = [""]
        while todo:
            name = todo.pop()
            path = f"{root}/{name}" if name else root
            try:
                st = os.stat(path, follow_symlinks=not name)  # the root may be a link
            except (FileNotFoundError, NotADirectoryError) as gone:
                raise _Moved(name) from gone
            if not stat.S_ISDIR(st.st_mode):
                raise _Moved(name)
            stamp = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
            folder = old.get(name)
            if folder is None or folder.stamp is None or folder.stamp != stamp:
                recent = max(st.st_mtime_ns, st.st_ctime_ns) >= now - window(
                    st.st_mtime_ns, st.st_ctime_ns
                )
                folder = self._list(path, name, None if recent else stamp)
            tree[name] = folder
            todo.extend(reversed(folder.folders))
        return tree

    def _list(self, path: str, name: str, stamp: Stamp | None) -> _Folder:
        self.listed += 1
        prefix = name + "/" if name else ""
        entries: dict[str, tuple[int, bool]] = {}
        below: list[str] = []
        irregular: list[str] = []
        try:
            listed = os.scandir(path)
        except (FileNotFoundError, NotADirectoryError) as gone:  # since its stat
            raise _Moved(name) from gone
        with listed:
            for entry in listed:
                if entry.is_dir(follow_symlinks=False):
                    below.append(prefix + entry.name)
                    continue
                regular = entry.is_file(follow_symlinks=False)
                entries[prefix + entry.name] = (entry.inode(), regular)
                if not regular:
                    irregular.append(prefix + entry.name)
        return _Folder(stamp, entries, tuple(below), tuple(irregular))

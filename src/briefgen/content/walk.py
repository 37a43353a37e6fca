"""The one walk of a source folder's tree: what the readers list (content.briefings, the theme's
templates and static files) and what the input check hashes (build/inputs.py) come from this
function, so the build can never read a file that the check did not see.

Symbolic links are followed everywhere, to files and to folders, at any depth (as MkDocs
does): a link is how an author shares a folder of briefings or a theme between sites, and
Jinja, open() and the kernel read through links anyway. A link to a folder that holds the
link itself (a parent of it as walked, or as it really is: the folder it lives in, its
parent...) would make the walk endless: it is not entered, and is reported as a `Cycle`; the
readers make it an author error, the input check skips it (whatever is behind it is walked
already, under the folder it leads back to). Whether a link is a cycle depends on the link
alone, not on where the walk started: a walk of content/ and one of content/briefings/ agree
on every link below content/briefings/. Two links to one folder are not a cycle: its files
are listed under both.

Links that reach the same folders again and again (two links in each folder to the next, ten
folders deep: a thousand ways down) are no cycle, yet their walk grows with the number of
ways: a walk enters at most LINKED_FOLDERS links to folders, and more is an author error
naming the last link (raised by walk(), so the input check and the readers stop alike).

Light on purpose (no YAML, Markdown or Jinja imports): `briefgen build` walks the sources
before it loads the pipeline. Plain folders cost no more than os.scandir lists them; only a
link to a folder costs stats (of its target and, once a walk, of each folder above it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.diagnostics import UsageError, printable

# What an entry that is not a folder is: a regular file (links to one followed), or anything
# else (a dangling link, a pipe, a socket...), which a reader may still list and fail to read.
FILE, OTHER = 0, 1
Entry = tuple[tuple[str, ...], str, int]  # names below the walked folder, path, FILE or OTHER
_Identity = tuple[int, int]  # a real folder's (st_dev, st_ino)
LINKED_FOLDERS = 1_000  # links to folders one walk enters, at most (see above)


@dataclass(frozen=True)
class Cycle:
    """A link to a folder on its own way down: `path` leads back to `folder`."""

    names: tuple[str, ...]  # of the link, below the walked folder
    path: str
    folder: str

    def error(self) -> UsageError:
        link, folder = printable(self.path), printable(self.folder)
        return UsageError(
            f"{link}: a symbolic link to {folder}, a folder that holds the link itself: a link "
            f"cycle, which briefgen cannot walk (it follows links to folders); remove the link, "
            f"or point it at a folder outside {folder}"
        )


@dataclass
class Tree:
    """A walk's findings: every entry that is not a folder, in the order of their names'
    parts; the folders that could not be listed, with why; the cycles not entered."""

    entries: list[Entry] = field(default_factory=list)
    failed: list[tuple[tuple[str, ...], OSError]] = field(default_factory=list)
    cycles: list[Cycle] = field(default_factory=list)

    def files(self) -> list[Entry]:
        return [entry for entry in self.entries if entry[2] == FILE]


def walk(folder: Path | str, prune: Callable[[str], bool] | None = None) -> Tree:
    """Every entry below `folder` (followed if itself a link), through links to folders at
    any depth; `prune(name)`: a folder of that name is not entered (hidden ones, say).

    Raises UsageError past LINKED_FOLDERS links to folders entered."""
    root = os.fspath(folder)
    tree = Tree()
    guard = _Guard()
    folders: list[tuple[str, tuple[str, ...]]] = [(root, ())]
    while folders:
        where, parts = folders.pop()
        try:
            with os.scandir(where) as listing:
                listed = list(listing)
        except (FileNotFoundError, NotADirectoryError, PermissionError) as error:
            tree.failed.append((parts, error))
            continue
        for entry in listed:
            names = (*parts, entry.name)
            try:
                if entry.is_dir(follow_symlinks=False):
                    if prune is None or not prune(entry.name):
                        folders.append((entry.path, names))
                elif entry.is_file():
                    tree.entries.append((names, entry.path, FILE))
                elif not entry.is_dir():
                    tree.entries.append((names, entry.path, OTHER))
                elif prune is None or not prune(entry.name):  # a link to a folder: rare
                    back = guard.leads_back(entry.path)
                    if back is None:
                        guard.enter(root, entry.path)
                        folders.append((entry.path, names))
                    else:
                        tree.cycles.append(Cycle(names, entry.path, back))
            except OSError:
                tree.entries.append((names, entry.path, OTHER))  # as os.walk: not a folder
    tree.entries.sort()
    tree.cycles.sort(key=lambda cycle: cycle.names)
    tree.failed.sort(key=lambda failed: failed[0])
    return tree


class _Guard:
    """Tells a link to a folder that holds the link itself. Each folder above a link is
    stat'ed once a walk, and only when a link to a folder is met."""

    def __init__(self) -> None:
        self._known: dict[str, _Identity | None] = {}
        self._entered = 0  # links to folders

    def enter(self, root: str, link: str) -> None:
        self._entered += 1
        if self._entered > LINKED_FOLDERS:
            raise UsageError(
                f"{printable(link)}: more than {LINKED_FOLDERS:,} symbolic links to folders "
                f"below {printable(root)}, each walked whole: links that reach the same "
                f"folders again and again (several links to one folder, in folders that are "
                f"themselves linked several times) make a walk that grows with every level; "
                f"link each folder once"
            )

    def leads_back(self, link: str) -> str | None:
        """The folder above `link` (as walked, else as it really is) that it leads to, or
        None. A folder on the walk's way down to the link is above it: so a walk that
        follows links reaches no folder twice on one way down, and ends."""
        target = _identity(link)
        holder = os.path.dirname(link)
        for chain in (_above(holder), _above(os.path.realpath(holder))):
            for folder in chain:
                if self._of(folder) == target:
                    return folder
        return None

    def _of(self, path: str) -> _Identity | None:
        if path not in self._known:
            try:
                self._known[path] = _identity(path)
            except OSError:  # one we may not stat cannot be the target we just stat'ed
                self._known[path] = None
        return self._known[path]


def _above(path: str) -> list[str]:
    """`path` and the folders above it up to the file system's root, named as in `path` as
    long as it names them (a relative path's parents), then by absolute path."""
    found = [path]
    while (parent := os.path.dirname(path)) not in ("", path):
        found.append(parent)
        path = parent
    return found + _parents(os.path.abspath(path))


def _parents(path: str) -> list[str]:
    """The folders above `path`, nearest first, up to the file system's root."""
    found = []
    while (parent := os.path.dirname(path)) != path:
        found.append(parent)
        path = parent
    return found


def not_regular(path: Path | str) -> UsageError:
    """The error for a source that is a named pipe, a device or a socket: reading one would
    wait for a writer, or never end."""
    return UsageError(
        f"{printable(os.fspath(path))}: not a regular file (a named pipe, a device or a "
        f"socket, or a link to one); briefgen reads only files: replace it with one, or "
        f"remove it"
    )


def _identity(path: str) -> _Identity:
    st = os.stat(path)
    return (st.st_dev, st.st_ino)

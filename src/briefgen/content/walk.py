"""The one walk of a source folder's tree: what the readers list (content.briefings, the theme's
templates and static files) and what the input check hashes (build/inputs.py) come from this
function, so the build can never read a file that the check did not see.

Symbolic links are followed everywhere, to files and to folders, at any depth (as MkDocs
does): a link is how an author shares a folder of briefings or a theme between sites, and
Jinja, open() and the kernel read through links anyway. A link that leads back to a folder on
its own way down (itself, a parent, or a parent of the walked folder) would make the walk
endless: it is not entered, and is reported as a `Cycle`; the readers make it an author
error, the input check skips it (whatever is behind it is walked already, under the folder it
leads back to). Two links to one folder are not a cycle: its files are listed under both.

Light on purpose (no YAML, Markdown or Jinja imports): `briefgen build` walks the sources
before it loads the pipeline. Plain folders cost no more than os.scandir lists them; only a
link to a folder costs stats (of its target and, once, of the folders above it).
"""

from __future__ import annotations

import contextlib
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
    any depth; `prune(name)`: a folder of that name is not entered (hidden ones, say)."""
    root = os.fspath(folder)
    tree = Tree()
    guard = _Guard(root)
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
                    back = guard.leads_back(entry.path, names)
                    if back is None:
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
    """Tells a link that leads back to a folder on its own way down. The folders on the way
    are known by their paths (the root joined with the link's names' prefixes), stat'ed only
    when a link to a folder is met, each once a walk; the root's own parents (as named, and
    as the root really is) count too, so a walk below content/ finds the same cycles as one
    of content/."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._known: dict[str, _Identity] = {}
        self._above: dict[_Identity, str] | None = None

    def leads_back(self, link: str, names: tuple[str, ...]) -> str | None:
        """The folder `link` (at `names` below the root) leads back to, or None."""
        target = _identity(link)
        path = self.root
        if self._of(path) == target:
            return path
        for name in names[:-1]:
            path = os.path.join(path, name)
            if self._of(path) == target:
                return path
        return self._parents().get(target)

    def _of(self, path: str) -> _Identity:
        known = self._known.get(path)
        if known is None:
            known = self._known[path] = _identity(path)
        return known

    def _parents(self) -> dict[_Identity, str]:
        if self._above is None:
            self._above = {}
            for start in (os.path.abspath(self.root), os.path.realpath(self.root)):
                for parent in _parents(start):
                    # a parent we may not stat cannot be the target we just stat'ed
                    with contextlib.suppress(OSError):
                        self._above.setdefault(_identity(parent), parent)
        return self._above


def _parents(path: str) -> list[str]:
    """The folders above `path`, nearest first, up to the file system's root."""
    found = []
    while (parent := os.path.dirname(path)) != path:
        found.append(parent)
        path = parent
    return found


def _identity(path: str) -> _Identity:
    st = os.stat(path)
    return (st.st_dev, st.st_ino)

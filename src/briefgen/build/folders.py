"""Folders of a tree reached through descriptors: one system call per file, never a link followed.

Publishing touches tens of thousands of files per build. Naming each by its full path makes the
kernel walk every folder of the path again, and checking that no part of it is a symbolic link
would cost more system calls still; a descriptor per folder, opened with O_NOFOLLOW from the
root down, does both for the price of one open per folder.
"""

from __future__ import annotations

import os
from contextlib import suppress
from types import TracebackType

_DIR = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


class Folders:
    """Descriptors of the folders below `root`, by relative name ("" is the root). Opening a
    folder keeps the ones on the way to it open and closes the others, so visit folders in
    sorted order (`by_folder`). `make`: create the folders that are missing. A folder that is
    a symbolic link, or not a folder, raises OSError (ELOOP, ENOTDIR)."""

    def __init__(self, root: str, make: bool = False) -> None:
        self.make = make
        self.root = os.open(root, _DIR)
        self.open: list[tuple[str, int]] = []  # (name, descriptor), from the root down

    def fd(self, folder: str) -> int:
        parts = folder.split("/") if folder else []
        keep = 0
        while keep < min(len(parts), len(self.open)) and self.open[keep][0] == parts[keep]:
            keep += 1
        self._close_from(keep)
        fd = self.open[-1][1] if self.open else self.root
        for part in parts[keep:]:
            if self.make:
                with suppress(FileExistsError):  # a folder, or not: the open says
                    os.mkdir(part, dir_fd=fd)
            fd = os.open(part, _DIR, dir_fd=fd)
            self.open.append((part, fd))
        return fd

    def _close_from(self, keep: int) -> None:
        for _, fd in self.open[keep:]:
            os.close(fd)
        del self.open[keep:]

    def close(self) -> None:
        self._close_from(0)
        os.close(self.root)

    def __enter__(self) -> Folders:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def by_folder(names: list[str]) -> list[tuple[str, list[str]]]:
    """Relative file names grouped by folder: (folder, base names), folders in the order
    Folders opens them most cheaply (parents before children)."""
    groups: dict[str, list[str]] = {}
    for name in names:
        folder, _, base = name.rpartition("/")
        groups.setdefault(folder, []).append(base)
    return sorted(groups.items(), key=lambda item: item[0].split("/"))


def remove_tree(path: str) -> None:
    """Remove a tree, as shutil.rmtree(path, ignore_errors=True) does, with fewer system calls
    per folder (no stat: the open refuses symbolic links). What cannot be removed stays."""
    try:
        fd = os.open(path, _DIR)
    except OSError:
        with suppress(OSError):
            os.unlink(path)  # a file or a symbolic link, not a folder
        return
    try:
        _empty(fd)
    finally:
        os.close(fd)
    with suppress(OSError):
        os.rmdir(path)


def _empty(fd: int) -> None:
    with os.scandir(fd) as found:
        listed = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in found]
    for name, is_folder in listed:
        try:
            if not is_folder:
                os.unlink(name, dir_fd=fd)
                continue
            inner = os.open(name, _DIR, dir_fd=fd)
            try:
                _empty(inner)
            finally:
                os.close(inner)
            os.rmdir(name, dir_fd=fd)
        except OSError:
            pass  # as rmtree(ignore_errors=True): remove what can be removed

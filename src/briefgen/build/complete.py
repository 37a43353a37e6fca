"""What a new tree needs from the current output, and hard-linking it there.

A build writes only the files that changed into its staged tree. Before that tree can become
the output, it needs the rest: the new site's unchanged files and the entries of the current
output that briefgen did not write (an author's CNAME, say), both hard-linked from the output
(copied where links are refused). `complete()` does that for a fresh staged tree; spare.py does
it for a tree that holds most of them already.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from pathlib import Path

from briefgen.build.folders import Folders, by_folder
from briefgen.build.output import MANIFEST, Listing, Manifest, read_manifest
from briefgen.diagnostics import UsageError

_COPY_INSTEAD = (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP)  # links refused


def needed(out_dir: Path, listing: Listing, manifest: Manifest, staged: set[str]) -> list[str]:
    """The current output's files a tree of the new site must get from it: the new site's
    files this build did not write (`staged` holds those it did), then the entries briefgen
    did not write. Raises UsageError when an unchanged file has gone from the output."""
    unchanged = [name for name in manifest.files if name not in staged]
    checked = manifest.files.keys() - staged  # as a set: the checks are set operations
    if not checked <= listing.entries.keys() or not listing.irregular.isdisjoint(checked):
        gone = next(n for n in unchanged if n not in listing.entries or n in listing.irregular)
        raise UsageError(  # gone, or no longer a regular file
            f"{out_dir / gone} disappeared during the build; build again "
            "(and keep other programs from changing the output meanwhile)"
        )
    previous = read_manifest(out_dir)  # parsed already this build: one read
    return unchanged + _foreign(out_dir, manifest, previous, listing)


def complete(
    staging: Path,
    out_dir: Path,
    manifest: Manifest,
    staged: set[str],
    listing: Listing | None = None,
) -> None:
    """Give the staged tree (which holds `staged`) what it needs from the current output.

    The output is listed once (`listing`, if it is still current) and the new manifest's
    names need no check: briefgen made them, or read_manifest() checked them; the output's
    other names come from listing it."""
    listing = current_listing(out_dir, listing)
    link_all(out_dir, staging, needed(out_dir, listing, manifest, staged))


def current_listing(out_dir: Path, listing: Listing | None) -> Listing:
    """`listing` if it still lists out_dir as it is (Listing.current), else a new one; a
    long-lived builder's (Listing.kept) is brought up to date by the folders that changed."""
    if listing is not None and listing.kept is not None:
        return listing.kept.of(out_dir)
    if listing is not None and listing.current(out_dir):
        return listing
    return Listing.of(out_dir)


class _Taken(Exception):
    """A file of the output cannot be linked: the target tree has something at its place."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def link_all(out_dir: Path, target: Path, names: list[str]) -> None:
    """Hard-link these entries of the current output into `target`, folder by folder, with a
    descriptor per folder: one system call per file. An entry that finds its place taken
    raises UsageError: only an entry briefgen did not write can (the site's own names are
    unique and never a folder of one another)."""
    try:
        _link_all(out_dir, target, names)
    except _Taken as taken:
        raise UsageError(
            f"{out_dir / taken.name} was not written by briefgen, and the new site needs its "
            "place; move it away and build again"
        ) from None


def _link_all(out_dir: Path, target: Path, names: list[str]) -> None:
    with Folders(str(out_dir)) as source, Folders(str(target), make=True) as into:
        for folder, bases in by_folder(names):
            try:
                to = into.fd(folder)
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
                    _copy(os.path.join(out_dir, rel), os.path.join(target, rel))


def _foreign(
    out_dir: Path, manifest: Manifest, previous: Manifest | None, listing: Listing
) -> list[str]:
    """Entries of the current output to keep: all but briefgen's own files (listed in the
    previous manifest with the bytes it lists) and those the new site writes again."""
    kept = []
    entries = listing.entries
    for name in entries.keys() - manifest.files.keys():  # set operations: a few ms
        if name == MANIFEST:
            continue
        if previous is not None and entries[name][1] and _wrote(out_dir, name, previous):
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

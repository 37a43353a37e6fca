"""A spare tree for `briefgen build`: an atomic swap whose work follows what changed.

`briefgen build` swaps a complete new site in for the old one in one step (publish.py), so a
build killed at any moment leaves the old site or the new one. Made afresh, that complete tree
costs a hard link per unchanged file, and removing the old tree an unlink per file: at 4,000
briefings, about 36,000 of each for a one-word edit.

So the tree the swap takes out is not removed: it is kept as the *spare*, in the site's cache
folder (`.briefgen-cache/spare/`), and the next build brings it up to date and swaps it in:

- every entry the new tree needs from the current output (its unchanged files, and the
  entries briefgen did not write) is kept where the spare has that very file (the same inode:
  it was linked from the output), hard-linked where it does not;
- every other entry of the spare is removed, then the files this build wrote move in.

Most of the spare's files are already the output's (they were linked from it), so the work
follows the files changed by the last two builds, plus listing both trees; a long-lived
builder (warm.py) keeps both listings (listing.Kept) and lists again only the folders whose
stamp changed, and what to unlink and link is found by set operations on the two listings.

Nothing in the spare is trusted: an entry stays only if it *is* the output's file at that
name, so a spare left half-done by a killed build, or changed by anyone, is mended by the next
build, and the output is not touched before the swap. One spare per site, held under a lock:
a second build of the same site into another output meanwhile makes its tree afresh.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from briefgen.build.complete import current_listing, link_all, needed
from briefgen.build.folders import Folders, by_folder, remove_tree
from briefgen.build.inplace import move_in
from briefgen.build.output import MANIFEST, Listing, Manifest, regular_files, write_manifest
from briefgen.diagnostics import UsageError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, and no spare
    fcntl = None  # type: ignore[assignment]

SPARE = "spare"
_LOCK = "spare.lock"


@contextmanager
def held(cache_folder: Path) -> Iterator[Path | None]:
    """The spare's place, locked for this build; None when there is none to have: the cache
    folder is missing or not a real folder, or another build of this site holds the spare."""
    try:
        if fcntl is None or not stat.S_ISDIR(os.lstat(cache_folder).st_mode):
            yield None
            return
        fd = os.open(cache_folder / _LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError:
        yield None
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield None
            return
        yield cache_folder / SPARE
    finally:
        os.close(fd)  # releases the lock


def ready(
    staging: Path, out_dir: Path, spare: Path, manifest: Manifest, listing: Listing | None = None
) -> bool:
    """Make `spare` the complete new site (the staged files moved in), ready to be swapped
    with out_dir. False, with nothing moved, where the spare cannot serve: then the caller
    completes the staged tree itself. `listing`: the output's, if the caller has one (used
    only while current: complete.current_listing)."""
    try:
        if not _usable(spare, out_dir):
            return False
        listing = current_listing(out_dir, listing)
        staged = regular_files(staging)
        wanted = needed(out_dir, listing, manifest, staged)
        folders = _folders(wanted, staged)
        _refuse_taken(out_dir, wanted, folders)
        _mend(out_dir, spare, listing, wanted, folders)
    except (OSError, _Unexpected):
        remove_tree(str(spare))  # whatever state it is in: the next build starts it again
        return False
    move_in(staging, spare, sorted(staged))
    write_manifest(spare / MANIFEST, manifest)
    os.chmod(spare, 0o755)  # a published site must be readable by a web server
    return True


class _Unexpected(Exception):
    """The spare changed while it was being mended."""


def _usable(spare: Path, out_dir: Path) -> bool:
    """The spare is a real folder (made if missing) on the output's file system."""
    try:
        mode = os.lstat(spare).st_mode
    except FileNotFoundError:
        os.mkdir(spare, 0o755)
        mode = os.lstat(spare).st_mode
    if not stat.S_ISDIR(mode):
        os.unlink(spare)  # a file or a symbolic link: not ours to follow
        os.mkdir(spare, 0o755)
    return os.stat(spare).st_dev == os.stat(out_dir).st_dev


def _refuse_taken(out_dir: Path, wanted: list[str], folders: set[str]) -> None:
    """An entry of the output that briefgen did not write, where the new site needs a folder
    (as complete() finds when it links the entry into the staged tree)."""
    for name in wanted:
        if name in folders:
            raise UsageError(
                f"{out_dir / name} was not written by briefgen, and the new site needs its "
                "place; move it away and build again"
            )


def _mend(
    out_dir: Path, spare: Path, listing: Listing, wanted: list[str], folders: set[str]
) -> None:
    """Remove what the new tree must not have, then link what it lacks from the output."""
    held = listing.kept.of(spare) if listing.kept is not None else Listing.of(spare)
    has = held.entries
    # the names the spare holds as the very entry the output has (the same inode): set
    # operations on the listings' items, a few ms for 36,000 entries
    same = {name for name, _ in has.items() & listing.entries.items()}
    keep = same.intersection(wanted)  # every wanted name is in listing (complete.needed)
    _unlink(spare, list(has.keys() - keep))
    _rmdirs(spare, [folder for folder in held.folders if folder not in folders])
    link_all(out_dir, spare, list(keep.symmetric_difference(wanted)))


def _folders(*names: Iterable[str]) -> set[str]:
    """Every folder that holds one of these names, at any depth."""
    parents: set[str] = set()
    for group in names:
        parents.update({name.rpartition("/")[0] for name in group})
    found: set[str] = set()
    for parent in parents:
        while parent and parent not in found:
            found.add(parent)
            parent = parent.rpartition("/")[0]
    return found


def _unlink(root: Path, names: list[str]) -> None:
    with Folders(str(root)) as folders:
        for folder, bases in by_folder(names):
            fd = folders.fd(folder)
            for base in bases:
                with suppress(FileNotFoundError):
                    os.unlink(base, dir_fd=fd)


def _rmdirs(root: Path, names: list[str]) -> None:
    """Remove these folders (emptied of files already), subfolders before their folder."""
    with Folders(str(root)) as folders:
        for folder in sorted(names, key=lambda name: (-name.count("/"), name)):
            parent, _, base = folder.rpartition("/")
            try:
                os.rmdir(base, dir_fd=folders.fd(parent))
            except FileNotFoundError:
                pass
            except OSError as exc:  # not empty: something was put there meanwhile
                raise _Unexpected(folder) from exc

"""A long-lived builder (build/warm.py) with the command line's options publishes by swapping
the spare, listing its trees again only in the folders whose stamp changed (build/listing.py's
Kept): whatever anyone does to the output or the spare between two builds, the next build's
output is the one a build made afresh makes, and nothing that is not briefgen's is lost."""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.build import output, spare
from briefgen.build.cache import CACHE_DIR
from briefgen.build.inputs import state
from briefgen.build.listing import RECENT_NS, Kept, Listing, window
from briefgen.build.pipeline import BuildOptions, build
from briefgen.build.warm import WarmRebuild
from briefgen.cli import main
from briefgen.diagnostics import UsageError
from briefgen.serve.session import WarmRebuild as ServeWarmRebuild
from tests.support.sites import BRIEFING, briefing, snapshot, write_site_of

BRIEFINGS = 12
AUTHOR = {"CNAME": b"synthetic.example\n", "notes/kept.txt": b"synthetic note\n"}


def _site(root: Path) -> Path:
    return write_site_of(root, BRIEFINGS)


def _future() -> int:
    """A clock far ahead: every folder looks changed long ago, so every listing is kept."""
    return time.time_ns() + 3600 * 10**9


def _after_a_tick(tree: Path, probe: Path) -> None:
    """Wait until a change now gets a later time than any folder of `tree` has (times have a
    granularity): a change made then is one a kept listing must not hide."""
    folders = [tree, *(p for p in tree.rglob("*") if p.is_dir() and not p.is_symlink())]
    newest = max(os.stat(p, follow_symlinks=False).st_ctime_ns for p in folders)
    while True:
        probe.write_text("synthetic probe")
        if os.stat(probe).st_ctime_ns > newest:
            return
        time.sleep(0.001)


def _edit(site: Path, words: str) -> None:
    (site / BRIEFING).write_text(briefing(words))


def _fresh(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """What briefgen's own files must be: a build of a copy of the sources into a new folder."""
    copy = tmp_path / f"reference-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(site / "content", copy / "content")
    assert main(["build", str(copy), "-o", str(copy / "out"), "--no-search", "-q"]) == 0
    return snapshot(copy / "out")


class Resident:
    """A site, its output with an author's files, and one long-lived builder that has built
    it three times (so the output and the spare both have kept listings)."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.site = _site(tmp_path / "site")
        self.out = tmp_path / "o" / "site"
        self.spare = self.site / CACHE_DIR / spare.SPARE
        self.options = BuildOptions(self.site, self.out, search=False, jobs=1)
        self.builder = WarmRebuild()
        self.builder.output.clock = _future  # every listing kept from now on
        self.builder(self.options, None)
        for name, data in AUTHOR.items():
            (self.out / name).parent.mkdir(parents=True, exist_ok=True)
            (self.out / name).write_bytes(data)
        for i in range(2):
            _edit(self.site, f"Synthetic resident edit {i}.")
            self.builder(self.options, frozenset())
        assert self.spare.is_dir()
        _after_a_tick(self.out, tmp_path / "probe-out")
        _after_a_tick(self.spare, tmp_path / "probe-spare")

    def build_again(self) -> dict[str, bytes]:
        """An edit built by the same builder; the output afterwards."""
        _edit(self.site, "Synthetic resident edit after the change.")
        self.builder(self.options, frozenset())
        return snapshot(self.out)

    def expected(self, author: dict[str, bytes]) -> dict[str, bytes]:
        return {**_fresh(self.site, self.tmp), **author}


def _replace(path: Path, data: bytes | None = None) -> None:
    """Another file (a new inode) at the same name, with these bytes or the same ones."""
    new = path.with_name(path.name + ".synthetic-new")
    new.write_bytes(path.read_bytes() if data is None else data)
    os.replace(new, path)


def _symlink_folder(path: Path) -> None:
    moved = path.with_name(path.name + "-moved")
    path.rename(moved)
    path.symlink_to(moved.name)


PAGE = "briefings/2024-02-03-synthetic-2/index.html"
FOLDER = "briefings/2024-02-03-synthetic-2"


def _page_to_link(out: Path) -> None:
    (out / "notes/copy.html").write_bytes((out / PAGE).read_bytes())
    (out / PAGE).unlink()
    (out / PAGE).symlink_to(out / "notes/copy.html")


OUTPUT_CHANGES: dict[str, Callable[[Path], object]] = {
    "author file added": lambda out: (out / "author.txt").write_bytes(b"synthetic\n"),
    "author file removed": lambda out: (out / "CNAME").unlink(),
    "author file replaced": lambda out: _replace(out / "CNAME", b"other.example\n"),
    "author file rewritten in place": lambda out: (out / "notes/kept.txt").write_bytes(
        b"synthetic note, rewritten\n"
    ),
    "author file renamed": lambda out: (out / "CNAME").rename(out / "notes/CNAME"),
    "author folder removed": lambda out: shutil.rmtree(out / "notes"),
    "page removed": lambda out: (out / PAGE).unlink(),
    "page replaced by another file": lambda out: _replace(out / PAGE),
    "page renamed": lambda out: (out / PAGE).rename(out / "notes/renamed.html"),
    "page replaced by a symbolic link": _page_to_link,
    "folder removed": lambda out: shutil.rmtree(out / FOLDER),
}


@pytest.mark.parametrize("change", OUTPUT_CHANGES, ids=list(OUTPUT_CHANGES))
def test_a_change_to_the_output_between_builds_is_seen(tmp_path: Path, change: str) -> None:
    """The output afterwards: briefgen's files as a build made afresh writes them, and every
    other file (the author's, or one of briefgen's moved to another name) as it was left."""
    resident = Resident(tmp_path)
    manifest = output.read_manifest(resident.out)
    assert manifest is not None
    OUTPUT_CHANGES[change](resident.out)
    left = snapshot(resident.out)
    theirs = {n: d for n, d in left.items() if n not in manifest.files and n != output.MANIFEST}
    assert resident.build_again() == resident.expected(theirs)


def test_a_folder_of_the_output_replaced_by_a_link_stops_the_build_as_afresh(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The link is not briefgen's, and the new site needs its place: a clear error, nothing
    changed (what `briefgen build` in a new process says too)."""
    resident = Resident(tmp_path)
    _symlink_folder(resident.out / FOLDER)
    before = snapshot(resident.out)
    _edit(resident.site, "Synthetic resident edit after the change.")
    with pytest.raises(UsageError, match="was not written by briefgen"):
        resident.builder(resident.options, frozenset())
    assert snapshot(resident.out) == before
    args = ["build", str(resident.site), "-o", str(resident.out), "--no-search", "-q"]
    assert main(args) == 2
    assert "was not written by briefgen" in capsys.readouterr().err
    assert snapshot(resident.out) == before


@pytest.mark.parametrize("change", ["added", "replaced", "removed"])
def test_a_change_to_the_output_during_a_build_is_seen(tmp_path: Path, change: str) -> None:
    """Between the listing the build starts from (inputs.state) and publishing: the kept
    listing is brought up to date again before the spare is mended."""
    resident = Resident(tmp_path)
    builder, options = resident.builder, resident.options
    _edit(resident.site, "Synthetic resident edit during the change.")
    start = state(options, builder.hashes, kept=builder.output)
    _after_a_tick(resident.out, tmp_path / "probe-during")
    if change == "added":
        (resident.out / "author.txt").write_text("synthetic\n")
    elif change == "replaced":
        _replace(resident.out / "CNAME", b"other.example\n")
    else:
        (resident.out / "CNAME").unlink()
    theirs = {n: d for n, d in snapshot(resident.out).items() if n in {"author.txt", *AUTHOR}}
    build(options, builder.memory, None, start, builder.hashes)
    assert snapshot(resident.out) == resident.expected(theirs)


def _plant(held: Path) -> None:
    (held / "planted.html").write_text("synthetic planted page")
    (held / "briefings/planted").mkdir()
    (held / "briefings/planted/index.html").write_text("synthetic planted page")


SPARE_CHANGES: dict[str, Callable[[Path], object]] = {
    "files added": _plant,
    "file removed": lambda held: (held / "index.html").unlink(),
    "file replaced": lambda held: _replace(held / "index.html", b"synthetic forged home page"),
    "file renamed": lambda held: (held / PAGE).rename(held / "index.html"),
    "folder removed": lambda held: shutil.rmtree(held / FOLDER),
    "folder replaced by a symbolic link": lambda held: _symlink_folder(held / "briefings"),
    "folder replaced by a file": lambda held: (
        shutil.rmtree(held / FOLDER),
        (held / FOLDER).write_text("synthetic file where a folder belongs"),
    ),
    "spare removed": lambda held: shutil.rmtree(held),
    "spare replaced by a symbolic link": lambda held: (
        shutil.rmtree(held),
        held.symlink_to(held.parent.parent.parent / "precious"),
    ),
}


@pytest.mark.parametrize("change", SPARE_CHANGES, ids=list(SPARE_CHANGES))
def test_a_change_to_the_spare_between_builds_is_mended(tmp_path: Path, change: str) -> None:
    resident = Resident(tmp_path)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "index.html").write_text("synthetic precious file")
    SPARE_CHANGES[change](resident.spare)
    after = resident.build_again()
    assert after == resident.expected(AUTHOR)
    assert snapshot(precious) == {"index.html": b"synthetic precious file"}  # not followed


def test_a_killed_builds_leftovers_are_removed_and_the_next_build_is_whole(
    tmp_path: Path,
) -> None:
    """A build killed while it mended the spare (half its files gone, others planted), with
    its staged tree and an old tree left beside the output."""
    resident = Resident(tmp_path)
    for i, name in enumerate(sorted(snapshot(resident.spare))):
        if i % 2:
            (resident.spare / name).unlink()
    _plant(resident.spare)
    for kind in ("new", "old"):
        left = resident.out.parent / f".site.{kind}-synthetic"
        left.mkdir()
        (left / "index.html").write_text("synthetic leftover")
    after = resident.build_again()
    assert after == resident.expected(AUTHOR)
    assert sorted(p.name for p in resident.out.parent.iterdir()) == ["site"]


def test_an_edit_lists_again_only_the_folders_that_changed(tmp_path: Path) -> None:
    resident = Resident(tmp_path)
    folders = sum(1 for p in resident.out.rglob("*") if p.is_dir())
    listed = resident.builder.output.listed
    after = resident.build_again()
    again = resident.builder.output.listed - listed
    assert 0 < again < folders // 3, (again, folders)
    assert after == resident.expected(AUTHOR)


def _same(kept: Listing, listed: Listing) -> bool:
    """The same entries and folders (in any order), the same entries that are not files."""
    return (kept.entries, sorted(kept.folders), kept.irregular) == (
        listed.entries,
        sorted(listed.folders),
        listed.irregular,
    )


def _listed_tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    (root / "a/b").mkdir(parents=True)
    (root / "a/b/file.txt").write_text("synthetic")
    (root / "a/other.txt").write_text("synthetic")
    (root / "top.txt").write_text("synthetic")
    os.symlink("top.txt", root / "link.txt")
    return root


TREE_CHANGES: dict[str, Callable[[Path], object]] = {
    "added": lambda root: (root / "a/b/new.txt").write_text("synthetic"),
    "removed": lambda root: (root / "a/b/file.txt").unlink(),
    "replaced": lambda root: _replace(root / "a/other.txt"),
    "renamed": lambda root: (root / "a/b/file.txt").rename(root / "a/b/renamed.txt"),
    "folder added": lambda root: (root / "a/b/c").mkdir(),
    "folder removed": lambda root: shutil.rmtree(root / "a/b"),
    "folder replaced by a link": lambda root: _symlink_folder(root / "a/b"),
    "link replaced by a file": lambda root: _replace(root / "link.txt"),
}


@pytest.mark.parametrize("change", TREE_CHANGES, ids=list(TREE_CHANGES))
def test_a_kept_listing_is_the_listing_of_the_tree_as_it_is(tmp_path: Path, change: str) -> None:
    root = _listed_tree(tmp_path)
    kept = Kept(clock=_future)
    assert _same(kept.of(root), Listing.of(root))
    listed = kept.listed
    assert _same(kept.of(root), Listing.of(root))
    assert kept.listed == listed  # nothing changed: nothing listed again
    _after_a_tick(root, tmp_path / "probe")
    TREE_CHANGES[change](root)
    assert _same(kept.of(root), Listing.of(root))


def test_a_tree_made_anew_at_the_same_place_is_listed_afresh(tmp_path: Path) -> None:
    root = _listed_tree(tmp_path)
    kept = Kept(clock=_future)
    kept.of(root)
    _after_a_tick(root, tmp_path / "probe")
    shutil.rmtree(root)
    root.mkdir()
    (root / "only.txt").write_text("synthetic")
    assert _same(kept.of(root), Listing.of(root))


def test_a_kept_folder_gone_from_under_an_unchanged_parent_lists_the_tree_afresh(
    tmp_path: Path,
) -> None:
    """What a change during the check looks like (a folder's parent checked, then the folder
    gone): the tree is listed again from its root, not answered from the kept listing."""
    root = _listed_tree(tmp_path)
    kept = Kept(clock=_future)
    kept.of(root)
    ((key, tree),) = kept.trees.items()
    top = tree[""]
    tree[""] = dataclasses.replace(top, folders=(*top.folders, "ghost"))
    tree["ghost"] = dataclasses.replace(top, folders=())
    assert _same(kept.of(root), Listing.of(root))
    assert "ghost" not in kept.trees[key]


def test_folders_changed_within_a_tick_of_their_listing_are_listed_again(
    tmp_path: Path,
) -> None:
    """With a clock at the moment the tree was written: no stamp is trusted, so a change in
    the same tick of a coarse clock cannot hide behind one."""
    root = _listed_tree(tmp_path)
    newest = max(os.stat(p).st_ctime_ns for p in [root, root / "a", root / "a/b"])
    kept = Kept(clock=lambda: newest)
    kept.of(root)
    listed = kept.listed
    kept.of(root)
    assert kept.listed == 2 * listed == 6


def test_a_folder_whose_times_are_whole_seconds_is_trusted_only_seconds_later() -> None:
    """Whole seconds: maybe a file system whose clock ticks in seconds (FAT: 2 s), where a
    change a second later can keep a folder's times."""
    assert window(5 * 10**9, 7 * 10**9) == RECENT_NS >= 2 * 10**9
    assert window(5 * 10**9 + 1_000, 7 * 10**9) == window(5 * 10**9, 7 * 10**9 + 1) < 10**8


def test_serve_and_the_resident_builder_share_one_long_lived_builder() -> None:
    assert ServeWarmRebuild is WarmRebuild

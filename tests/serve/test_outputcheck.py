"""serve checks its output by folder status (serve/outputcheck.py): it answers what listing the
whole output answers (output.intact), a file changed behind serve's back is noticed, and a
folder whose status is unchanged is not listed again."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.build import output
from briefgen.build.pipeline import BuildOptions, build
from briefgen.serve.outputcheck import OutputCheck
from briefgen.serve.session import WarmRebuild
from tests.support.sites import BRIEFING, briefing, snapshot, write_site

OTHER = "content/briefings/2024-01-05-synthetic-other.md"
OTHER_DIR = "briefings/2024-01-05-synthetic-other"


def _site(tmp_path: Path) -> Path:
    site = write_site(tmp_path / "site")
    other = briefing("Other synthetic body.").replace("alpha-one", "alpha-two")
    (site / OTHER).write_text(other.replace("2024-01-02", "2024-01-05"))
    return site


def _built(tmp_path: Path) -> tuple[Path, output.Manifest]:
    site, out = _site(tmp_path), tmp_path / "o" / "site"
    build(BuildOptions(site, out_dir=out, search=False, jobs=1, publish_in_place=True))
    manifest = output.read_manifest(out)
    assert manifest is not None
    return out, manifest


def _future() -> int:
    """A clock far ahead: every folder looks changed long ago, so every listing is kept."""
    return time.time_ns() + 3600 * 10**9


def _after_a_tick(out: Path, probe: Path) -> None:
    """Wait until a change now gets a later time than any folder of `out` has (times have a
    granularity): a change made then is one a kept listing must not hide."""
    newest = max(os.stat(p, follow_symlinks=False).st_ctime_ns for p in [out, *out.rglob("*")])
    while True:
        probe.write_text("synthetic probe")
        if os.stat(probe).st_ctime_ns > newest:
            return
        time.sleep(0.001)


def _symlink_to_copy(path: Path) -> None:
    copy = path.with_name(path.name + "-copy")
    (shutil.copytree if path.is_dir() else shutil.copy2)(path, copy)
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    path.symlink_to(copy.name)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "page deleted": lambda out: (out / OTHER_DIR / "index.html").unlink(),
    "site file deleted": lambda out: (out / "feed.xml").unlink(),
    "page replaced by a symbolic link": lambda out: _symlink_to_copy(out / OTHER_DIR / "text.txt"),
    "folder replaced by a symbolic link": lambda out: _symlink_to_copy(out / OTHER_DIR),
    "folder moved away": lambda out: (out / OTHER_DIR).rename(out / "elsewhere"),
    "page replaced by a folder": lambda out: (
        (out / OTHER_DIR / "index.html").unlink(),
        (out / OTHER_DIR / "index.html").mkdir(),
    ),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_kept_listing_hides_no_change_behind_serves_back(tmp_path: Path, damage: str) -> None:
    out, manifest = _built(tmp_path)
    check = OutputCheck(clock=_future)
    assert check.intact(out, manifest) and output.intact(out, manifest)
    listed = check.listings
    assert check.intact(out, manifest)
    assert check.listings == listed  # nothing changed: no folder listed again

    _after_a_tick(out, tmp_path / "probe")
    DAMAGE[damage](out)
    assert not output.intact(out, manifest)
    assert not check.intact(out, manifest)


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_change_right_after_a_check_is_noticed(tmp_path: Path, damage: str) -> None:
    """With the real clock: folders changed lately (the build just wrote them) are listed
    again at every check, so a change within the same tick of the clock cannot hide."""
    out, manifest = _built(tmp_path)
    check = OutputCheck()
    assert check.intact(out, manifest)
    DAMAGE[damage](out)
    assert not check.intact(out, manifest)


def test_serve_rebuilds_what_was_deleted_behind_its_back(tmp_path: Path) -> None:
    site, out = _site(tmp_path), tmp_path / "o" / "site"
    rebuild = WarmRebuild()
    options = BuildOptions(site, out_dir=out, search=False, jobs=1, publish_in_place=True)
    rebuild(options, None)
    rebuild.output.clock = _future  # every listing kept from now on
    (site / BRIEFING).write_text(briefing("A first saved synthetic body."))
    rebuild(options, frozenset())
    _after_a_tick(out, tmp_path / "probe")

    (out / OTHER_DIR / "index.html").unlink()  # a page the next save does not touch
    (site / BRIEFING).write_text(briefing("A second saved synthetic body."))
    rebuild(options, frozenset())

    reference = tmp_path / "reference"
    shutil.copytree(site, reference / "site", ignore=shutil.ignore_patterns(".briefgen-cache"))
    build(BuildOptions(reference / "site", out_dir=reference / "o" / "site", search=False))
    assert snapshot(out) == snapshot(reference / "o" / "site")


def test_folders_changed_lately_are_listed_at_every_check(tmp_path: Path) -> None:
    """What keeps a change in the same tick of the clock as a listing from hiding behind it:
    a folder changed within a tick of the check (build/listing.py: _window) is listed again,
    not taken from its listing. The clock says it is the moment the build wrote the output."""
    out, manifest = _built(tmp_path)
    folders = [out, *(p for p in out.rglob("*") if p.is_dir())]
    written = min(os.stat(p).st_ctime_ns for p in folders)
    check = OutputCheck(clock=lambda: written)
    assert check.intact(out, manifest)
    listed = check.listings
    assert listed == len(folders)
    assert check.intact(out, manifest)
    assert check.listings == 2 * listed

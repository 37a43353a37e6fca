"""`briefgen build` swaps in a spare tree brought up to date (build/spare.py): the output after
every build equals a build made afresh, whatever state the spare is in, and the work of a
one-file edit follows what changed, not the size of the site."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from briefgen.build import output, spare
from briefgen.build.cache import CACHE_DIR
from briefgen.build.inputs import state
from briefgen.build.pipeline import BuildOptions, build
from briefgen.cli import main
from tests.support.sites import BRIEFING, briefing, snapshot, write_site_of

BRIEFINGS = 30


def _site(root: Path) -> Path:
    return write_site_of(root, BRIEFINGS)


def _build(site: Path, out: Path, *more: str) -> None:
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q", *more]) == 0


def _fresh(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """What the output must be: a build of a copy of the sources into a new folder."""
    copy = tmp_path / f"reference-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(site / "content", copy / "content")
    _build(copy, copy / "out")
    return snapshot(copy / "out")


def _edit(site: Path, words: str) -> None:
    (site / BRIEFING).write_text(briefing(words))


def _spare(site: Path) -> Path:
    return site / CACHE_DIR / spare.SPARE


def test_the_previous_site_becomes_the_spare_and_the_output_is_the_new_one(
    tmp_path: Path,
) -> None:
    site, out = _site(tmp_path / "site"), tmp_path / "out"
    _build(site, out)
    first = snapshot(out)
    _edit(site, "Synthetic edit one.")
    _build(site, out)
    assert snapshot(out) == _fresh(site, tmp_path)
    assert snapshot(_spare(site)) == first  # kept, not removed


def test_an_edit_links_what_changed_not_the_whole_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, out = _site(tmp_path / "site"), tmp_path / "out"
    _build(site, out)
    _edit(site, "Synthetic edit one.")
    _build(site, out)  # the first swap: the spare is made from nothing
    files = len(snapshot(out))

    links: list[str] = []
    real_link = os.link

    def counted(src: str, dst: str, **kw: object) -> None:
        links.append(src)
        real_link(src, dst, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", counted)
    other = site / "content/briefings/2024-02-01-synthetic-0.md"
    other.write_text(other.read_text() + "\nSynthetic edit two.\n")
    _build(site, out)
    linked = len(links)
    assert snapshot(out) == _fresh(site, tmp_path)
    # The files the last build changed and this one did not (the first edited briefing's):
    # a tree made afresh would link every file this build did not write.
    assert 0 < linked < files // 4, (linked, files)


def test_a_spare_changed_by_anyone_is_mended_and_nothing_outside_is_touched(
    tmp_path: Path,
) -> None:
    site, out = _site(tmp_path / "site"), tmp_path / "out"
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "kept.txt").write_text("synthetic precious file")
    _build(site, out)
    _edit(site, "Synthetic edit one.")
    _build(site, out)

    held = _spare(site)
    (held / "planted.html").write_text("synthetic planted page")
    index = held / "index.html"
    index.unlink()
    index.write_text("synthetic forged home page")  # another inode at a needed name
    briefings = held / "briefings"
    os.rename(briefings, tmp_path / "moved-away")
    briefings.symlink_to(precious)  # a folder of the site, now a link outside
    (held / "topics").rename(tmp_path / "topics-away")
    (held / "topics").write_text("synthetic file where a folder belongs")

    _edit(site, "Synthetic edit two.")
    _build(site, out)
    assert snapshot(out) == _fresh(site, tmp_path)
    assert [p.name for p in precious.iterdir()] == ["kept.txt"]
    assert (precious / "kept.txt").read_text() == "synthetic precious file"


@pytest.mark.parametrize("kind", ["symlink", "file"])
def test_a_spare_place_that_is_not_a_folder_is_never_followed(tmp_path: Path, kind: str) -> None:
    site, out = _site(tmp_path / "site"), tmp_path / "out"
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "kept.txt").write_text("synthetic precious file")
    _build(site, out)
    place = _spare(site)
    if kind == "symlink":
        place.symlink_to(precious)
    else:
        place.write_text("synthetic file")
    _edit(site, "Synthetic edit one.")
    _build(site, out)
    assert snapshot(out) == _fresh(site, tmp_path)
    assert snapshot(precious) == {"kept.txt": b"synthetic precious file"}


def test_an_authors_file_in_the_output_is_kept_across_spare_swaps(tmp_path: Path) -> None:
    site, out = _site(tmp_path / "site"), tmp_path / "out"
    _build(site, out)
    (out / "CNAME").write_text("synthetic.example\n")
    for i in range(3):
        _edit(site, f"Synthetic edit {i}.")
        _build(site, out)
        assert (out / "CNAME").read_text() == "synthetic.example\n"
    (out / "CNAME").unlink()  # the author removes it: it stays removed
    _edit(site, "Synthetic edit three.")
    _build(site, out)
    assert not (out / "CNAME").exists()
    expected = _fresh(site, tmp_path)
    assert snapshot(out) == expected


def test_an_authors_file_where_the_new_site_needs_a_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site, out = _site(tmp_path / "site"), tmp_path / "out"
    _build(site, out)
    _edit(site, "Synthetic edit one.")
    _build(site, out)  # a spare exists
    taken = out / "briefings/2024-03-01-synthetic-new"
    taken.write_text("synthetic author file")  # where the new briefing's folder goes
    before = snapshot(out)
    new = briefing("Synthetic.").replace("alpha-one", "a-new")
    (site / "content/briefings/2024-03-01-synthetic-new.md").write_text(new)
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 2
    err = capsys.readouterr().err
    assert f"{taken} was not written by briefgen" in err, err
    assert "Traceback" not in err
    assert snapshot(out) == before  # the failed build changed nothing


def test_a_build_that_cannot_have_the_spare_makes_its_tree_afresh(tmp_path: Path) -> None:
    """Two builds of one site into two outputs at once: one has the spare, the other not."""
    site, out = _site(tmp_path / "site"), tmp_path / "out"
    _build(site, out)
    _edit(site, "Synthetic edit one.")
    with spare.held(site / CACHE_DIR) as place:
        assert place is not None
        _build(site, out)
    assert snapshot(out) == _fresh(site, tmp_path)
    assert not _spare(site).exists()  # the build did not touch it


def test_without_a_cache_no_spare_is_kept(tmp_path: Path) -> None:
    site, out = _site(tmp_path / "site"), tmp_path / "out"
    options = BuildOptions(site, out, search=False, cache=False)
    build(options)
    _edit(site, "Synthetic edit one.")
    build(options)
    assert snapshot(out) == _fresh(site, tmp_path)
    assert not (site / CACHE_DIR).exists()


def _settled() -> None:
    """Let the output's folders age past output._RACY_NS: a listing of a folder changed just
    before it is never reused (coarse file system clocks), and these tests are about reuse."""
    time.sleep(output._RACY_NS / 1e9 + 0.02)


@pytest.mark.parametrize("change", ["added", "replaced", "removed", "subfolder"])
def test_what_another_program_changes_in_the_output_during_a_build_is_seen(
    tmp_path: Path, change: str
) -> None:
    """The output is listed before the build (inputs.state) and that listing published with,
    unless a folder changed since: an author's file added, replaced or removed meanwhile is
    carried over as it is at publishing time, never lost or published stale."""
    site, out = _site(tmp_path / "site"), tmp_path / "out"
    _build(site, out)
    (out / "CNAME").write_text("synthetic.example\n")
    (out / "notes").mkdir()
    (out / "notes/kept.txt").write_text("synthetic note\n")
    _edit(site, "Synthetic edit one.")
    _build(site, out)  # a spare exists
    _settled()
    _edit(site, "Synthetic edit two.")
    options = BuildOptions(site, out, search=False)
    start = state(options)
    assert start.listing is not None and start.listing.current(out)
    if change == "added":
        (out / "robots-synthetic.txt").write_text("synthetic\n")
    elif change == "replaced":
        (out / "CNAME.new").write_text("other.example\n")
        os.replace(out / "CNAME.new", out / "CNAME")  # a new inode at the same name
    elif change == "removed":
        (out / "CNAME").unlink()
    else:
        (out / "notes/more.txt").write_text("synthetic more\n")
    expected = {n: d for n, d in snapshot(out).items() if not n.startswith(".briefgen")}
    build(options, start=start)
    fresh = _fresh(site, tmp_path)
    after = snapshot(out)
    # the author's files as they were when the build published, and briefgen's new site
    assert {n: d for n, d in after.items() if n not in fresh} == {
        n: d for n, d in expected.items() if n not in fresh
    }
    assert {n: d for n, d in after.items() if n in fresh} == fresh


def test_an_edit_build_lists_its_output_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, out = _site(tmp_path / "site"), tmp_path / "out"
    _build(site, out)
    _edit(site, "Synthetic edit one.")
    _build(site, out)  # a spare exists
    _settled()
    listed: list[Path] = []
    real_of = output.Listing.of.__func__  # type: ignore[attr-defined]

    def counted(cls: type[output.Listing], root: Path, stamped: bool = False) -> output.Listing:
        listed.append(Path(root).resolve())
        return real_of(cls, root, stamped)  # type: ignore[no-any-return]

    monkeypatch.setattr(output.Listing, "of", classmethod(counted))
    _edit(site, "Synthetic edit two.")
    _build(site, out)
    assert listed.count(out.resolve()) == 1  # by inputs.state, reused to publish
    assert snapshot(out) == _fresh(site, tmp_path)


def test_a_listing_is_current_until_a_folder_of_it_changes(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    (root / "a/b").mkdir(parents=True)
    (root / "a/b/file.txt").write_text("synthetic")
    (root / "top.txt").write_text("synthetic")
    assert not output.Listing.of(root, stamped=True).current(root)  # racy: never current
    _settled()
    assert not output.Listing.of(root).current(root)  # without stamps: never current
    listing = output.Listing.of(root, stamped=True)
    assert listing.current(root)
    (root / "a/b/file.txt").write_text("synthetic, rewritten in place")  # the same file
    assert listing.current(root)
    (root / "a/b/new.txt").write_text("synthetic")
    assert not listing.current(root)
    (root / "a/b/new.txt").unlink()
    _settled()
    listing = output.Listing.of(root, stamped=True)
    shutil.rmtree(root / "a/b")
    assert not listing.current(root)

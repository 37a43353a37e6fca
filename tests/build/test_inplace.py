"""serve's in-place publishing (BuildOptions.publish_in_place): only what a build wrote moves in,
only what briefgen wrote goes, and the result is the site a complete build makes."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from briefgen.build import publish
from briefgen.build.inputs import FileHashes
from briefgen.build.output import MANIFEST, read_manifest
from briefgen.build.pipeline import BuildOptions, Memory, build
from briefgen.diagnostics import UsageError
from tests.support.sites import BRIEFING, briefing, snapshot, write_site

PAGE = "briefings/2024-01-02-synthetic/index.html"
OTHER = "content/briefings/2024-01-05-synthetic-other.md"
OTHER_PAGE = "briefings/2024-01-05-synthetic-other/index.html"


class Serve:
    """Builds the way serve's session does: in place, results kept in memory between builds."""

    def __init__(self, site: Path, out: Path) -> None:
        self.options = BuildOptions(site, out_dir=out, search=False, publish_in_place=True)
        self.memory = Memory()
        self.hashes = FileHashes()

    def build(self) -> None:
        build(self.options, self.memory, hashes=self.hashes)


def _site(tmp_path: Path) -> Path:
    site = write_site(tmp_path / "site")
    other = briefing("Other synthetic body.").replace("alpha-one", "alpha-two")
    (site / OTHER).write_text(other.replace("2024-01-02", "2024-01-05"))
    return site


def _inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*") if p.is_file()}


def _complete_build(site: Path, out: Path) -> dict[str, bytes]:
    """The site as a complete build (staged tree, swapped in) makes it."""
    build(BuildOptions(site, out_dir=out, search=False))
    return snapshot(out)


def test_a_save_moves_in_only_the_files_it_changed(tmp_path: Path) -> None:
    site, out = _site(tmp_path), tmp_path / "o" / "site"
    serve = Serve(site, out)
    serve.build()
    root, before, old = out.stat().st_ino, _inodes(out), snapshot(out)

    (site / BRIEFING).write_text(briefing("A saved synthetic body."))
    serve.build()

    after = _inodes(out)
    moved = {name for name in after if after[name] != before.get(name)} - {MANIFEST}
    assert out.stat().st_ino == root  # the same folder: no tree swapped in
    assert PAGE in moved and b"A saved synthetic body." in (out / PAGE).read_bytes()
    assert OTHER_PAGE not in moved  # an unchanged page is the very same file
    new = snapshot(out)
    assert moved == {name for name in new if new[name] != old.get(name)} - {MANIFEST}
    assert snapshot(out) == _complete_build(site, tmp_path / "reference" / "site")
    assert publish.leftovers(out) == []  # the staged folders went too


def test_a_removed_briefing_goes_and_files_briefgen_did_not_write_stay(tmp_path: Path) -> None:
    site, out = _site(tmp_path), tmp_path / "o" / "site"
    serve = Serve(site, out)
    serve.build()
    (out / "CNAME").write_text("synthetic.example\n")
    (out / "briefings/2024-01-05-synthetic-other/notes.txt").write_text("the author's notes")

    (site / OTHER).unlink()
    serve.build()

    assert not (out / OTHER_PAGE).exists()
    assert not (out / "briefings/2024-01-05-synthetic-other/text.txt").exists()
    assert (out / "CNAME").read_text() == "synthetic.example\n"
    assert (out / "briefings/2024-01-05-synthetic-other/notes.txt").is_file()
    manifest = read_manifest(out)
    assert manifest is not None and OTHER_PAGE not in manifest.files
    (out / "briefings/2024-01-05-synthetic-other/notes.txt").unlink()
    (out / "CNAME").unlink()
    assert snapshot(out) == _complete_build(site, tmp_path / "reference" / "site")

    # A briefing removed with nothing else in its folder: the folder goes too.
    (site / BRIEFING).unlink()
    (site / OTHER).write_text(briefing("Back.").replace("2024-01-02", "2024-01-05"))
    serve.build()
    assert not (out / "briefings/2024-01-02-synthetic").exists()


def test_a_forged_manifest_entry_cannot_make_it_delete_anything_else(tmp_path: Path) -> None:
    """An entry that passes every check of the names, with the very bytes of the file it
    names, but through a symbolic link out of the output: nothing outside goes."""
    site, out = _site(tmp_path), tmp_path / "o" / "site"
    serve = Serve(site, out)
    serve.build()
    precious = tmp_path / "precious-dir"
    precious.mkdir()
    (precious / "kept.txt").write_text("synthetic precious file")
    (out / "link-out").symlink_to(precious)
    (out / "mine.txt").write_text("the author's own file in the output")
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"]["link-out/kept.txt"] = hashlib.sha256(b"synthetic precious file").hexdigest()
    manifest["files"]["mine.txt"] = hashlib.sha256(b"other bytes").hexdigest()
    (out / MANIFEST).write_text(json.dumps(manifest))

    (site / BRIEFING).write_text(briefing("Changed synthetic body."))
    serve.build()

    assert (precious / "kept.txt").read_text() == "synthetic precious file"
    assert (out / "link-out").is_symlink()
    assert (out / "mine.txt").read_text() == "the author's own file in the output"
    assert b"Changed synthetic body." in (out / PAGE).read_bytes()


def test_a_publish_stopped_half_way_is_mended_by_the_next_build(tmp_path: Path) -> None:
    """While files move in, the manifest lists nothing: after a failure half-way, the next
    build trusts nothing of the output and writes the whole site again."""
    site, out = _site(tmp_path), tmp_path / "o" / "site"
    serve = Serve(site, out)
    serve.build()
    (out / PAGE).unlink()
    (out / PAGE).mkdir()  # something the build cannot replace, where the page goes
    (out / PAGE / "x").write_text("synthetic")
    (site / BRIEFING).write_text(briefing("Changed synthetic body."))

    with pytest.raises(UsageError, match="not written by briefgen"):
        serve.build()
    manifest = read_manifest(out)
    assert manifest is not None and manifest.files == {}

    (out / PAGE / "x").unlink()
    (out / PAGE).rmdir()
    serve.build()
    assert snapshot(out) == _complete_build(site, tmp_path / "reference" / "site")
    assert sorted(os.listdir(out.parent)) == ["site"]

"""Nothing lost, ever: atomic publishing, one build at a time, only briefgen's files removed."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefgen.build import publish
from briefgen.build.folders import remove_tree
from briefgen.build.output import MANIFEST
from briefgen.cli import main
from tests.support.sites import BRIEFING, briefing, snapshot, write_site

KILLS = 16


def _tree(root: Path) -> dict[str, bytes]:
    return snapshot(root)


def _differing(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    """The first names whose bytes differ (or that only one tree has): what a failure shows."""
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))[:8]


def _build(site: Path, out: Path) -> subprocess.Popen[bytes]:
    code = "import sys; from briefgen.cli import main; sys.exit(main(sys.argv[1:]))"
    args = ["build", str(site), "-o", str(out), "--no-search", "-q", "--jobs", "1"]
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _many_briefings(site: Path, version: str) -> None:
    for i in range(40):
        text = briefing(f"Synthetic paragraph {i}, {version}.").replace("alpha-one", f"a-{i}")
        (site / f"content/briefings/2024-01-{i % 28 + 1:02d}-synthetic-{i}.md").write_text(text)


def test_a_build_killed_at_any_moment_leaves_the_old_site_or_the_new_one(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    out = tmp_path / "out"
    _many_briefings(site, "old")
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    old = _tree(out)
    _many_briefings(site, "new")
    reference = tmp_path / "reference"
    assert main(["build", str(site), "-o", str(reference), "--no-search", "-q"]) == 0
    new = _tree(reference)
    assert old != new

    started = time.monotonic()
    assert _build(site, tmp_path / "timing").wait() == 0
    duration = time.monotonic() - started
    rng = random.Random(1207)
    outcomes = set()
    for _ in range(KILLS):
        process = _build(site, out)
        time.sleep(rng.uniform(0, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = _tree(out)
        assert now in (old, new), (_differing(now, old), _differing(now, new))
        outcomes.add("new" if now == new else "old")
        if now == new:  # start again from the old site
            _many_briefings(site, "old")
            assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
            assert _tree(out) == old
            _many_briefings(site, "new")
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    assert _tree(out) == new
    assert publish.leftovers(out) == []
    assert "old" in outcomes  # the kills did interrupt builds
    assert (site / ".briefgen-cache/spare").is_dir()  # the spare tree's path was the one taken


def test_a_forged_manifest_cannot_make_a_build_delete_anything_else(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    out = tmp_path / "out"
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    outside = tmp_path / "precious.txt"
    outside.write_text("synthetic precious file")
    (tmp_path / "precious-dir").mkdir()
    (tmp_path / "precious-dir/kept.txt").write_text("synthetic")
    (out / "mine.txt").write_text("the author's own file in the output")
    (out / "link-out").symlink_to(tmp_path / "precious-dir")
    manifest = json.loads((out / MANIFEST).read_text())
    fake = hashlib.sha256(b"not these bytes").hexdigest()
    for name in ("../precious.txt", str(outside), "link-out/kept.txt", "mine.txt", "a/../../x"):
        manifest["files"][name] = fake
    (out / MANIFEST).write_text(json.dumps(manifest))
    (site / BRIEFING).write_text(briefing("Changed body."))
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    assert outside.read_text() == "synthetic precious file"
    assert (tmp_path / "precious-dir/kept.txt").read_text() == "synthetic"
    assert (out / "mine.txt").read_text() == "the author's own file in the output"
    assert (out / "link-out").is_symlink()
    assert "Changed body." in (out / "briefings/2024-01-02-synthetic/index.html").read_text()

    # A listed file whose bytes are not those listed was not written by briefgen: kept.
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"]["mine.txt"] = fake
    (out / MANIFEST).write_text(json.dumps(manifest))
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    assert (out / "mine.txt").is_file()


def test_stale_files_briefgen_wrote_are_removed_and_the_authors_are_kept(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    out = tmp_path / "out"
    second = site / "content/briefings/2024-01-03-second.md"
    second.write_text(briefing("Second.").replace("alpha-one", "alpha-two"))
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    page = out / "briefings/2024-01-03-second/index.html"
    assert page.is_file()
    (out / "CNAME").write_text("synthetic.example\n")
    second.unlink()
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    assert not page.exists() and (out / "CNAME").read_text() == "synthetic.example\n"


def test_two_builds_into_one_output_do_not_interleave(tmp_path: Path, capsys: object) -> None:
    site = write_site(tmp_path / "site")
    out = tmp_path / "out"
    with publish.locked(out):
        assert main(["build", str(site), "-o", str(out), "--no-search"]) == 2
    assert not out.exists()
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0


def test_the_message_of_a_held_lock_is_clear(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    out = tmp_path / "out"
    with publish.locked(out):
        process = _build(site, out)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert f"another briefgen build is writing to {out}" in err.decode()
    assert "Traceback" not in err.decode()


def test_leftovers_of_a_killed_build_are_removed_by_the_next(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    out = tmp_path / "out"
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    for name in (".out.new-synthetic1", ".out.old-synthetic2"):
        (tmp_path / name / "briefings").mkdir(parents=True)
    (site / BRIEFING).write_text(briefing("Changed."))
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    assert publish.leftovers(out) == []
    assert sorted(os.listdir(tmp_path)) == ["out", "site"]


def test_an_output_that_is_a_symbolic_link_stays_one(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    real = tmp_path / "srv/www"
    real.mkdir(parents=True)
    link = tmp_path / "out"
    link.symlink_to(real)
    assert main(["build", str(site), "-o", str(link), "--no-search", "-q"]) == 0
    (site / BRIEFING).write_text(briefing("Changed body."))
    assert main(["build", str(site), "-o", str(link), "--no-search", "-q"]) == 0
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert "Changed body." in (real / "briefings/2024-01-02-synthetic/index.html").read_text()
    assert publish.leftovers(link) == []


def test_without_rename_exchange_two_renames_and_recovery_keep_the_site_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the system cannot swap two directories, two renames; a build killed between them
    leaves the old tree beside OUT, and the next build puts it back before anything else."""
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    site = write_site(tmp_path / "site")
    out = tmp_path / "out"
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    (site / BRIEFING).write_text(briefing("Changed body."))
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    assert "Changed body." in (out / "briefings/2024-01-02-synthetic/index.html").read_text()
    assert publish.leftovers(out) == []

    before = _tree(out)
    out.rename(tmp_path / ".out.old-synthetic")  # killed after the first rename
    with publish.locked(out):
        assert _tree(out) == before
    assert publish.leftovers(out) == []


def test_on_linux_the_two_trees_are_swapped_in_one_step(tmp_path: Path) -> None:
    """The atomic path is the one taken here (not the fallback): renameat2 RENAME_EXCHANGE."""
    a, b = tmp_path / "a", tmp_path / "b"
    (a / "from-a").mkdir(parents=True)
    (b / "from-b").mkdir(parents=True)
    assert publish._exchange(a, b) is sys.platform.startswith("linux")
    assert [p.name for p in a.iterdir()] == ["from-b"]
    assert [p.name for p in b.iterdir()] == ["from-a"]


def test_removing_a_tree_follows_no_link_and_leaves_nothing(tmp_path: Path) -> None:
    """How the previous tree and a killed build's leftovers go (folders.remove_tree)."""
    precious = tmp_path / "precious"
    (precious / "inner").mkdir(parents=True)
    (precious / "inner/kept.txt").write_text("synthetic precious file")
    old = tmp_path / ".out.old-synthetic"
    for i in range(30):
        (old / f"briefings/b{i}/deeper").mkdir(parents=True)
        (old / f"briefings/b{i}/index.html").write_text("synthetic")
        (old / f"briefings/b{i}/deeper/x.txt").write_text("synthetic")
    (old / "to-folder").symlink_to(precious)
    (old / "briefings/to-file").symlink_to(precious / "inner/kept.txt")
    (old / "briefings/b3/to-inner").symlink_to(precious / "inner")
    (old / "dangling").symlink_to(tmp_path / "nowhere")
    link = tmp_path / "link-to-precious"
    link.symlink_to(precious)

    remove_tree(str(old))
    remove_tree(str(link))  # the link goes, not what it points to

    assert sorted(os.listdir(tmp_path)) == ["precious"]
    assert (precious / "inner/kept.txt").read_text() == "synthetic precious file"

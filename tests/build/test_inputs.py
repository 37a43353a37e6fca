"""inputs: file hashes remembered by stat, and the up-to-date check."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from briefgen.build.inputs import FileHashes


def test_a_file_is_hashed_again_only_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.md"
    path.write_text("first synthetic text\n")
    hashes = FileHashes()
    first = hashes.of(path)
    assert first == hashlib.sha256(b"first synthetic text\n").digest()
    assert hashes.of(path) is first  # remembered: same stat, not read again

    stat = path.stat()
    path.write_text("other synthetic text\n")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old mtime
    assert hashes.of(path) == hashlib.sha256(b"other synthetic text\n").digest()  # ctime moved


def test_a_hash_taken_just_after_its_file_changed_holds_for_that_build_only(
    tmp_path: Path,
) -> None:
    """A second write within the file system's time grain, at the same size, would keep the
    stat: so a file hashed within RACY_NS of its change is read again by the next build."""
    path = tmp_path / "synthetic.md"
    path.write_text("fresh synthetic text\n")
    hashes = FileHashes()
    first = hashes.of(path)
    assert hashes.of(path) is first  # within one build: read once
    hashes.next_build()
    again = hashes.of(path)
    assert again == first and again is not first  # read again: it was racy


def test_a_hash_taken_well_after_its_file_changed_is_kept_across_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FileHashes, "RACY_NS", 0)  # as if the file changed long ago
    path = tmp_path / "synthetic.md"
    path.write_text("settled synthetic text\n")
    hashes = FileHashes()
    first = hashes.of(path)
    hashes.next_build()
    assert hashes.of(path) is first


def test_the_up_to_date_check_loads_no_markdown_or_jinja(tmp_path: Path) -> None:
    """A rebuild with nothing changed stays fast: reading site.yaml and hashing the inputs
    imports neither the Markdown renderer nor the template engine."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from briefgen.build import inputs;"
        "from briefgen.content import siteyaml;"
        f"inputs.state(inputs.BuildOptions(Path({str(tmp_path)!r}))); siteyaml.basics(Path('.'));"
        "print(sorted(m for m in ('jinja2', 'markdown_it') if m in sys.modules))"
    )
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "site.yaml").write_text("title: Synthetic\ntheme: default\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_inputs_are_listed_as_os_walk_lists_them(tmp_path: Path) -> None:
    """input_digest lists files with os.scandir (pathlib costs 0.1 ms per path): the same
    files, in the same order, as os.walk following links with isfile(), sorted by parts."""
    from briefgen.build.inputs import _files

    root = tmp_path / "content"
    for name in ("a/b/c.md", "a-b/x.md", "a/.hidden.md", "z.md", "a/b-c/d.md", "é/ü.md"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    (tmp_path / "elsewhere/deeper").mkdir(parents=True)
    (tmp_path / "elsewhere/far.md").write_text("synthetic")
    (tmp_path / "elsewhere/deeper/farther.md").write_text("synthetic")
    (root / "to-folder").symlink_to(tmp_path / "elsewhere")
    (root / "a/to-file.md").symlink_to(root / "z.md")
    (root / "a/dangling.md").symlink_to(tmp_path / "nowhere.md")
    (root / "empty").mkdir()

    found = [
        Path(folder, name)
        for folder, _, names in os.walk(root, followlinks=True)
        for name in names
        if os.path.isfile(os.path.join(folder, name))
    ]
    skip = len(str(root)) + 1
    expected = [(str(p)[skip:], str(p)) for p in sorted(found, key=lambda p: p.parts)]
    assert _files(root) == expected
    assert {"a/to-file.md", "to-folder/far.md", "to-folder/deeper/farther.md"} <= dict(
        expected
    ).keys()
    assert _files(tmp_path / "missing") == []

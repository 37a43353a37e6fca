"""inputs: file hashes remembered by stat, and the up-to-date check."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import msgspec
import pytest

from briefgen.build import inputs
from briefgen.build.cachedir import CACHE_DIR
from briefgen.build.inputs import FileHashes
from tests.support.sites import BRIEFING, briefgen, write_site


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


def _settled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file whose hashes are never racy (as if it changed long ago)."""
    monkeypatch.setattr(FileHashes, "RACY_NS", 0)
    path = tmp_path / "synthetic.md"
    path.write_text("settled synthetic text\n")
    return path


def test_a_hash_taken_well_after_its_file_changed_is_kept_across_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _settled(tmp_path, monkeypatch)
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


# --- the hashes a fresh process finds stored -------------------------------------------------


def _no_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the hashing code's open() record what it reads and refuse to read it."""
    read: list[str] = []

    def refuse(name: str, *args: object) -> object:
        read.append(name)
        raise AssertionError(f"read {name}")

    monkeypatch.setattr(inputs, "open", refuse, raising=False)
    return read


def test_a_fresh_process_takes_a_stored_hash_while_its_file_stat_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _settled(tmp_path, monkeypatch)
    cache = tmp_path / "cache"
    first = FileHashes()
    digest = first.of(path)
    first.store(cache, [str(path)])

    stored = FileHashes.stored(cache)
    with monkeypatch.context() as m:
        _no_reads(m)
        assert stored.of(path) == digest  # from the table, not read

    st = path.stat()
    path.write_text("altered synthetic text\n")  # same size, the old times put back
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert FileHashes.stored(cache).of(path) == hashlib.sha256(path.read_bytes()).digest()


def test_a_file_replaced_by_another_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FileHashes, "RACY_NS", 0)
    path, other = tmp_path / "synthetic.md", tmp_path / "other.md"
    path.write_text("synthetic one\n")
    other.write_text("synthetic two\n")  # same size
    hashes = FileHashes()
    hashes.of(path)
    hashes.store(tmp_path / "cache", [str(path)])
    st = path.stat()
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    other.replace(path)  # the same name, times and size: another inode
    assert (
        FileHashes.stored(tmp_path / "cache").of(path)
        == hashlib.sha256(b"synthetic two\n").digest()
    )


def test_a_hash_taken_just_after_its_file_changed_is_not_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "synthetic.md"
    path.write_text("fresh synthetic text\n")  # changed now: within RACY_NS
    hashes = FileHashes()
    hashes.of(path)
    hashes.store(tmp_path / "cache", [str(path)])
    stored = FileHashes.stored(tmp_path / "cache")
    read = _no_reads(monkeypatch)
    with pytest.raises(AssertionError):
        stored.of(path)
    assert read == [str(path)]


@pytest.mark.parametrize(
    "table",
    [
        b"",
        b"\xc1 not msgpack",
        msgspec.msgpack.encode(["briefgen-hashes/0", []]),  # another format
        msgspec.msgpack.encode({"rows": 1}),
        msgspec.msgpack.encode([FileHashes.FORMAT, [["x", 1, 2, 3, 4, 5, b"short"]]]),
        msgspec.msgpack.encode([FileHashes.FORMAT, [["x", "1", 2, 3, 4, 5, b"0" * 32]]]),
    ],
)
def test_a_stored_table_that_is_not_one_is_an_empty_table(tmp_path: Path, table: bytes) -> None:
    """The cache folder is untrusted input (CI caches travel): never an error, never a hash
    that is not one."""
    (tmp_path / FileHashes.STORE).write_bytes(table)
    path = tmp_path / "x"
    path.write_text("synthetic\n")
    hashes = FileHashes.stored(tmp_path)
    assert hashes.of(path) == hashlib.sha256(b"synthetic\n").digest()


def test_a_cache_folder_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.md"
    path.write_text("synthetic\n")
    hashes = FileHashes()
    hashes.of(path)
    (tmp_path / "taken").write_text("a file where the cache folder would be")
    hashes.store(tmp_path / "taken", [str(path)])  # no error
    assert FileHashes.stored(tmp_path / "taken").of(path)


SETTLED = "from briefgen.build.inputs import FileHashes; FileHashes.RACY_NS = 0"


def test_briefgen_build_in_a_fresh_process_sees_an_edit_that_kept_size_and_times(
    tmp_path: Path,
) -> None:
    """The command's own up-to-date check, through the stored table: an edit that keeps
    the file's size and modification time still changes its change time."""
    site = write_site(tmp_path / "site", body="Synthetic marker aaaa.")
    out = tmp_path / "out"
    build = ("build", str(site), "-o", str(out), "--no-resident", "--no-search")
    assert briefgen(*build, prelude=SETTLED).code == 0
    assert (site / CACHE_DIR / FileHashes.STORE).is_file()
    again = briefgen(*build, prelude=SETTLED)
    assert again.code == 0 and "nothing changed" in again.err + again.out, again.err

    path = site / BRIEFING
    st = path.stat()
    path.write_text(path.read_text().replace("aaaa", "bbbb"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert briefgen(*build, prelude=SETTLED).code == 0
    page = next((out / "briefings").glob("*/index.html")).read_text()
    assert "Synthetic marker bbbb." in page and "aaaa" not in page

"""A long-lived builder's kept inputs: one walk and one stat per input file a build
(inputs.Found, shared by the input check and prepare), the last build's cache keys by (path,
content hash) and its page keys' site-wide digests by their exact inputs. Whatever an author
does to the sources between two builds, the next build is the one a fresh process makes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.build import inputs
from briefgen.build.inputs import BuildOptions, FileHashes
from briefgen.build.warm import WarmRebuild
from briefgen.cli import main
from briefgen.content.briefings import briefing_files
from briefgen.diagnostics import UsageError
from tests.support.sites import (
    BRIEFING,
    briefing,
    briefings_linked,
    nested_linked,
    snapshot,
    write_site_of,
)

OTHER = "content/briefings/2024-02-02-synthetic-1.md"
PAGE = "briefings/2024-01-02-synthetic/index.html"


def _fresh(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """A build of a copy of the sources (links copied as the files they point to) in a new
    process's way: no memory, no cache, no previous output."""
    copy = tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(site / "content", copy / "content")
    assert main(["build", str(copy), "-o", str(copy / "out"), "--no-search", "-q"]) == 0
    return snapshot(copy / "out")


def _same_size_rewrite(site: Path) -> None:
    """Other bytes, same size, at once (within the second the last build hashed it in)."""
    path = site / BRIEFING
    text = path.read_text()
    assert "Synthetic body." in text
    path.write_text(text.replace("Synthetic body.", "Syntheticbody!."))


def _recreated_with_same_mtime(site: Path) -> None:
    path = site / BRIEFING
    before = path.stat()
    text = path.read_text()
    path.unlink()
    path.write_text(text.replace("Synthetic body.", "Synthetic bod2."))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def _replaced_by_link(site: Path) -> None:
    """The briefing becomes a symbolic link to a file outside, with other text."""
    outside = site.parent / "elsewhere.md"
    outside.write_text(briefing("Synthetic text behind a link."))
    (site / BRIEFING).unlink()
    (site / BRIEFING).symlink_to(outside)


def _link_retargeted(site: Path) -> None:
    """A link whose own entry stays as it is, pointing to another file."""
    _replaced_by_link(site)
    WarmBuilds.current.build()
    other = site.parent / "elsewhere-2.md"
    other.write_text(briefing("Synthetic text behind another link."))
    os.replace(other, site.parent / "elsewhere.md")


def _folder_renamed(site: Path, to: str = "2024-renamed") -> None:
    """A briefing in a folder of its own, built, then the folder renamed `to`."""
    folder = site / "content/briefings/2024"
    folder.mkdir()
    os.replace(site / OTHER, folder / Path(OTHER).name)
    WarmBuilds.current.build()
    folder.rename(site / "content/briefings" / to)


def _folder_hidden(site: Path) -> None:
    _folder_renamed(site, ".2024")


def _renamed(site: Path) -> None:
    (site / BRIEFING).rename(site / "content/briefings/2024-01-03-synthetic-renamed.md")


def _hidden(site: Path) -> None:
    (site / BRIEFING).rename(site / "content/briefings/.2024-01-02-synthetic.md")


def _swapped(site: Path) -> None:
    """Two files exchange their contents: same names, same sizes, same hashes overall."""
    a, b = site / BRIEFING, site / OTHER
    tmp = a.with_name("swap.tmp")
    os.replace(a, tmp)
    os.replace(b, a)
    os.replace(tmp, b)


def _title(site: Path) -> None:
    path = site / BRIEFING
    path.write_text(path.read_text().replace("title: Synthetic Briefing", "title: Retitled"))


def _settings(site: Path) -> None:
    path = site / "content/site.yaml"
    path.write_text(path.read_text().replace("title: Synthetic Site", "title: Other Site"))


CHANGES: dict[str, Callable[[Path], None]] = {
    "same-size rewrite at once": _same_size_rewrite,
    "deleted and re-created with the same mtime": _recreated_with_same_mtime,
    "replaced by a symbolic link": _replaced_by_link,
    "a link pointed elsewhere": _link_retargeted,
    "folder renamed": _folder_renamed,
    "folder renamed hidden": _folder_hidden,
    "renamed": _renamed,
    "renamed hidden": _hidden,
    "two files swapped": _swapped,
    "title edited": _title,
    "settings edited": _settings,
}


class WarmBuilds:
    current: WarmBuilds

    def __init__(self, site: Path, out: Path) -> None:
        self.options = BuildOptions(site, out, search=False, jobs=1)
        self.builder = WarmRebuild()
        WarmBuilds.current = self

    def build(self) -> None:
        self.builder(self.options, frozenset())


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_long_lived_builder_sees_every_change_to_its_inputs(tmp_path: Path, change: str) -> None:
    site = write_site_of(tmp_path / "site", 6)
    builds = WarmBuilds(site, tmp_path / "out")
    builds.build()
    builds.build()  # nothing changed: the kept state is the last build's
    CHANGES[change](site)
    builds.build()
    assert snapshot(tmp_path / "out") == _fresh(site, tmp_path)


def test_a_change_back_within_the_racy_window_is_seen(tmp_path: Path) -> None:
    """An edit, a build, and the edit undone at the same size within the second: the third
    build must not take the second's hashes or keys for the file's."""
    site = write_site_of(tmp_path / "site", 3)
    builds = WarmBuilds(site, tmp_path / "out")
    builds.build()
    original = (site / BRIEFING).read_text()
    _same_size_rewrite(site)
    builds.build()
    (site / BRIEFING).write_text(original)
    builds.build()
    assert snapshot(tmp_path / "out") == _fresh(site, tmp_path)


def _tree(root: Path) -> Path:
    briefings = root / "content/briefings"
    for name in (
        "a.md",
        "b/c.md",
        "b/.hidden.md",
        ".hidden-folder/d.md",
        "e/f/g.md",
        "e/f/notes.txt",
        "e-f.md",
        "é/ü.md",
    ):
        (briefings / name).parent.mkdir(parents=True, exist_ok=True)
        (briefings / name).write_text(name)
    (root / "elsewhere").mkdir()
    (root / "elsewhere/far.md").write_text("synthetic")
    (briefings / "to-folder.md").symlink_to(root / "elsewhere")
    (briefings / "linked-folder").symlink_to(root / "elsewhere")
    (briefings / "b/to-file.md").symlink_to(briefings / "a.md")
    (briefings / "b/dangling.md").symlink_to(root / "nowhere.md")
    os.mkfifo(briefings / "pipe.md")
    (root / "content/site.yaml").write_text("title: Synthetic\n")
    return root


def test_the_input_walk_lists_the_briefings_as_briefing_files_does(tmp_path: Path) -> None:
    """Hidden files and folders, links to files and folders, dangling links, pipes: the
    briefings the input check's walk finds are those content.briefings lists itself."""
    site = _tree(tmp_path)
    found = inputs._found(BuildOptions(site), FileHashes())[1]
    assert found.briefings == [str(p) for p in briefing_files(site)]
    assert found.briefings is not None
    below = {p.split("content/briefings/", 1)[1] for p in found.briefings}
    assert {"b/dangling.md", "b/to-file.md", "pipe.md", "é/ü.md"} <= below  # as os.walk has them
    assert {"to-folder.md/far.md", "linked-folder/far.md"} <= below  # behind links to folders
    assert not below & {"b/.hidden.md", ".hidden-folder/d.md", "to-folder.md", "e/f/notes.txt"}
    regular = {p for p in found.briefings if os.path.isfile(p)}
    assert regular <= found.hashes.keys()


def test_a_linked_briefings_folder_is_listed_by_the_input_walk(tmp_path: Path) -> None:
    """content/briefings a link to a folder elsewhere: the walk enters it as the reader does,
    and lists the same paths (through the link, never resolved)."""
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (tmp_path / "real/sub").mkdir(parents=True)
    (tmp_path / "real/sub/x.md").write_text("synthetic")
    (site / "content/briefings").symlink_to(tmp_path / "real")
    found = inputs._found(BuildOptions(site), FileHashes())[1]
    assert found.briefings == [str(site / "content/briefings/sub/x.md")]
    assert found.briefings == [str(p) for p in briefing_files(site)]
    assert found.briefings[0] in found.hashes


@pytest.mark.parametrize("odd", ["file", "unreadable", "cycle"])
def test_odd_briefing_folders_are_left_to_briefing_files(tmp_path: Path, odd: str) -> None:
    """Where the walk cannot tell the briefings as briefing_files() does, it says so (None),
    and the reader lists them itself: the same files, or the same error."""
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    briefings = site / "content/briefings"
    if odd == "file":
        briefings.write_text("synthetic")
    elif odd == "cycle":
        (briefings / "sub").mkdir(parents=True)
        (briefings / "sub/back").symlink_to(briefings)
    else:
        (briefings / "locked").mkdir(parents=True)
        (briefings / "locked").chmod(0)
    try:
        found = inputs._found(BuildOptions(site), FileHashes())[1]
        if odd == "unreadable" and os.access(briefings / "locked", os.R_OK):
            assert found.briefings is not None  # root can read it anyway: nothing odd
        else:
            assert found.briefings is None
    finally:
        if odd == "unreadable":
            (briefings / "locked").chmod(0o755)


def test_a_name_that_is_not_utf8_is_still_the_author_error(tmp_path: Path) -> None:
    site = write_site_of(tmp_path / "site", 1)
    (site / "content/briefings").joinpath(os.fsdecode(b"2024-01-09-\xff.md")).write_text("x")
    found = inputs._found(BuildOptions(site), FileHashes())[1]
    assert found.briefings is None
    code = main(["build", str(site), "-o", str(tmp_path / "out"), "--no-search", "-q"])
    assert code != 0 and not (tmp_path / "out").exists()


def test_each_input_file_is_statted_once_a_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The input check and prepare share one walk: a briefing's stat is taken once."""
    site = write_site_of(tmp_path / "site", 4)
    builds = WarmBuilds(site, tmp_path / "out")
    builds.build()
    _same_size_rewrite(site)
    seen: list[str] = []
    real = os.stat

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if isinstance(path, str) and path.endswith(".md"):
            seen.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", stat)
    builds.build()
    monkeypatch.undo()
    assert seen and len(seen) == len(set(seen))


def test_a_warm_builder_sees_an_edit_behind_a_link(tmp_path: Path) -> None:
    """The resident process's and serve's builder (build/warm.py), with its kept hashes: an
    edit in a linked folder changes no folder of the site, and is built all the same."""
    for setup in (briefings_linked, nested_linked):
        root = tmp_path / setup.__name__
        site, source = setup(root)
        builds = WarmBuilds(site, root / "out")
        builds.build()
        builds.build()
        source.write_text(source.read_text().replace("marker one.", "marker two."))  # same size
        builds.build()
        assert "Synthetic marker two." in (root / "out" / PAGE).read_text()
        assert snapshot(root / "out") == _fresh(site, root)


def _up_to_content(site: Path, tmp_path: Path) -> None:
    (site / "content/briefings/up").symlink_to(site / "content")


def _up_to_the_real_parent(site: Path, tmp_path: Path) -> None:
    """content/briefings is a link to a hidden folder elsewhere, holding a link to its parent:
    above the link as it really is, not as it is walked."""
    (tmp_path / "x").mkdir()
    (tmp_path / "x/other.md").write_text("synthetic")
    os.replace(site / "content/briefings", tmp_path / "x/.y")
    (site / "content/briefings").symlink_to(tmp_path / "x/.y")
    (tmp_path / "x/.y/up").symlink_to(tmp_path / "x")


def _shared_twice(site: Path, tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared/other.md").write_text("synthetic")
    (site / "content/briefings/one").symlink_to(tmp_path / "shared")
    (site / "content/briefings/two").symlink_to(tmp_path / "shared")


LINKS: dict[str, Callable[[Path, Path], None]] = {
    "up to content": _up_to_content,
    "up to the real parent": _up_to_the_real_parent,
    "one folder linked twice": _shared_twice,
}


@pytest.mark.parametrize("links", LINKS, ids=list(LINKS))
def test_the_input_walk_and_the_reader_agree_on_links(tmp_path: Path, links: str) -> None:
    """Whether a link is a cycle depends on the link, not on where the walk started (content/
    for the input check, content/briefings/ for the reader): the build gets the reader's
    list or the reader's error, never a list of its own."""
    site = write_site_of(tmp_path / "site", 1)
    LINKS[links](site, tmp_path)
    found = inputs._found(BuildOptions(site), FileHashes())[1]
    try:
        listed = [str(p) for p in briefing_files(site)]
    except UsageError as error:
        assert found.briefings is None
        assert "a link cycle" in str(error)
    else:
        assert found.briefings == listed
        assert links == "one folder linked twice"
        below = {p.split("content/briefings/", 1)[1] for p in listed}
        assert {"one/other.md", "two/other.md"} <= below

"""Sources behind symbolic links to folders: briefgen reads through them, so the input check
hashes through them too, at any depth; a link that leads back to a folder that holds it is an
author error, not a hang."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

from briefgen.cli import main
from briefgen.theme.files import BUILTIN_THEMES
from tests.support.sites import (
    BRIEFING,
    briefgen,
    briefing,
    briefings_linked,
    nested_linked,
    write_site,
)

PAGE = "briefings/2024-01-02-synthetic/index.html"


def _build(site: Path, out: Path) -> str:
    """One `briefgen build` as an author runs it; its page of the synthetic briefing."""
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    return (out / PAGE).read_text(encoding="utf-8")


def _edit(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` (the same length: the file keeps its size)."""
    assert len(old) == len(new)
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_edit_in_a_linked_briefings_folder_is_built(tmp_path: Path) -> None:
    site, source = briefings_linked(tmp_path)
    assert "Synthetic marker one." in _build(site, tmp_path / "out")
    _edit(source, "marker one.", "marker two.")  # same size, within the same second
    assert "Synthetic marker two." in _build(site, tmp_path / "out")


def test_a_briefing_in_a_nested_linked_folder_is_part_of_the_site(tmp_path: Path) -> None:
    """Its page is where it would be in a plain folder: the slug is the file's name."""
    site, source = nested_linked(tmp_path)
    assert "Synthetic marker one." in _build(site, tmp_path / "out")
    _edit(source, "marker one.", "marker two.")
    assert "Synthetic marker two." in _build(site, tmp_path / "out")


def test_a_linked_content_folder_is_built(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", body="Synthetic marker one.")
    shutil.move(site / "content", tmp_path / "outside-content")
    (site / "content").symlink_to(tmp_path / "outside-content", target_is_directory=True)
    assert "Synthetic marker one." in _build(site, tmp_path / "out")
    _edit(tmp_path / "outside-content/briefings" / Path(BRIEFING).name, "one.", "two.")
    assert "Synthetic marker two." in _build(site, tmp_path / "out")


def _linked_theme(tmp_path: Path) -> tuple[Path, Path]:
    """A site with a theme of its own whose templates/ and static/extra/ are links to folders
    outside it: a 404 page of its own, and a stylesheet of its own."""
    site = write_site(tmp_path / "site")
    settings = site / "content/site.yaml"
    settings.write_text(settings.read_text() + "theme: linked\n")
    (site / "themes/linked/static").mkdir(parents=True)
    templates = tmp_path / "outside-templates"
    templates.mkdir()
    page = (BUILTIN_THEMES / "default/templates/404.html").read_text(encoding="utf-8")
    (templates / "404.html").write_text(page.replace("Page not found", "Synthetic one"))
    (site / "themes/linked/templates").symlink_to(templates, target_is_directory=True)
    extra = tmp_path / "outside-static"
    extra.mkdir()
    (extra / "synthetic.css").write_text("/* synthetic one */\n")
    (site / "themes/linked/static/extra").symlink_to(extra, target_is_directory=True)
    return site, tmp_path


def test_an_edit_in_a_linked_templates_folder_is_built(tmp_path: Path) -> None:
    """Jinja opens templates through links at any depth: the input check hashes them so."""
    site, outside = _linked_theme(tmp_path)
    out = tmp_path / "out"
    _build(site, out)
    assert "Synthetic one" in (out / "404.html").read_text()
    _edit(outside / "outside-templates/404.html", "Synthetic one", "Synthetic two")
    _build(site, out)
    assert "Synthetic two" in (out / "404.html").read_text()


def test_a_static_file_in_a_nested_linked_folder_is_published_and_kept_current(
    tmp_path: Path,
) -> None:
    site, outside = _linked_theme(tmp_path)
    out = tmp_path / "out"
    _build(site, out)
    assert (out / "static/extra/synthetic.css").read_text() == "/* synthetic one */\n"
    _edit(outside / "outside-static/synthetic.css", "one", "two")
    _build(site, out)
    assert (out / "static/extra/synthetic.css").read_text() == "/* synthetic two */\n"


def test_a_link_cycle_is_an_author_error_not_a_hang(tmp_path: Path) -> None:
    """A link to a folder that holds it would make the walk endless: the build stops at once
    (the subprocess's timeout guards the test), naming the link and how to fix it."""
    site = write_site(tmp_path / "site")
    (site / "content/briefings/2024").mkdir()
    (site / "content/briefings/2024/again").symlink_to("..", target_is_directory=True)
    run = briefgen("build", str(site), "-o", str(tmp_path / "out"), "--no-search", timeout=60)
    run.assert_clean_failure(2)
    assert "content/briefings/2024/again" in run.err
    assert "cycle" in run.err and "remove the link" in run.err
    assert not (tmp_path / "out").exists()


def test_a_link_cycle_through_two_links_is_an_author_error(tmp_path: Path) -> None:
    """Two folders outside the site, each with a link to the other."""
    site = write_site(tmp_path / "site")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a/to-b").symlink_to(tmp_path / "b", target_is_directory=True)
    (tmp_path / "b/to-a").symlink_to(tmp_path / "a", target_is_directory=True)
    (site / "content/briefings/shared").symlink_to(tmp_path / "a", target_is_directory=True)
    run = briefgen("build", str(site), "-o", str(tmp_path / "out"), "--no-search", timeout=60)
    run.assert_clean_failure(2)
    assert "content/briefings/shared/to-b/to-a" in run.err and "cycle" in run.err


def test_a_link_cycle_where_briefgen_reads_nothing_is_no_error(tmp_path: Path) -> None:
    """In a hidden folder (not content) or a folder of content/ that no reader walks, the
    cycle is skipped: everything behind it is already walked, under the folder it leads to."""
    site = write_site(tmp_path / "site")
    (site / "content/briefings/.old").mkdir()
    (site / "content/briefings/.old/again").symlink_to("..", target_is_directory=True)
    (site / "content/notes").mkdir()
    (site / "content/notes/again").symlink_to("..", target_is_directory=True)
    run = briefgen("build", str(site), "-o", str(tmp_path / "out"), "--no-search", timeout=60)
    assert run.code == 0, run.err


def test_a_new_briefing_in_a_linked_folder_is_built(tmp_path: Path) -> None:
    site, source = nested_linked(tmp_path)
    _build(site, tmp_path / "out")
    text = briefing("Synthetic added.").replace("alpha-one", "alpha-two")
    (source.parent / "2024-03-03-synthetic-added.md").write_text(text)
    _build(site, tmp_path / "out")
    assert (tmp_path / "out/briefings/2024-03-03-synthetic-added/index.html").exists()


def test_a_link_cycle_in_a_theme_folder_is_an_author_error(tmp_path: Path) -> None:
    site, outside = _linked_theme(tmp_path)
    (outside / "outside-static/again").symlink_to(outside / "outside-static")
    run = briefgen("build", str(site), "-o", str(tmp_path / "out"), "--no-search", timeout=60)
    run.assert_clean_failure(2)
    assert "themes/linked/static/extra/again: a symbolic link to " in run.err
    assert "a link cycle" in run.err


def _links_again_and_again(folder: Path, depth: int) -> None:
    """`depth` folders, each with two links to the next: 2 ** depth ways down, no cycle."""
    levels = [folder / f"level-{i}" for i in range(depth + 1)]
    for level in levels:
        level.mkdir(parents=True)
    for here, below in itertools.pairwise(levels):
        (here / "left").symlink_to(below)
        (here / "right").symlink_to(below)


def test_links_that_multiply_the_ways_down_are_an_error_not_a_hang(tmp_path: Path) -> None:
    """Thirty levels of two links each would take the walk 2 ** 30 folders deep: the build
    stops at the walk's limit of links, says so naming a link, and keeps the last site (the
    subprocess's timeout guards a hang)."""
    site = write_site(tmp_path / "site")
    out = tmp_path / "out"
    _build(site, out)
    before = (out / PAGE).read_bytes()
    _links_again_and_again(site / "content/briefings/shared", 30)
    for args in (["check", str(site)], ["build", str(site), "-o", str(out)]):
        run = briefgen(*args, timeout=60)
        run.assert_clean_failure(2)
        assert "more than 1,000 symbolic links to folders" in run.err
        assert f"{site}/content/briefings/shared/level-" in run.err
        assert "link each folder once" in run.err
    assert (out / PAGE).read_bytes() == before

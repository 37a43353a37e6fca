"""Briefings behind symbolic links to folders, at any depth, are part of the site (as MkDocs
follows links); a link that leads back to a folder holding it is an author error."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.content.briefings import briefing_files
from tests.support.sites import briefgen, write_site


def _below(site: Path) -> list[str]:
    root = str(site / "content/briefings") + "/"
    return [str(path).removeprefix(root) for path in briefing_files(site)]


def test_briefings_behind_nested_links_are_listed_through_the_links(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    (tmp_path / "archive/2023").mkdir(parents=True)
    (tmp_path / "archive/2023/2023-05-05-old.md").write_text("synthetic")
    (tmp_path / "more").mkdir()
    (tmp_path / "more/2022-02-02-older.md").write_text("synthetic")
    (tmp_path / "archive/more").symlink_to(tmp_path / "more")  # a link behind a link
    (site / "content/briefings/archive").symlink_to(tmp_path / "archive")
    assert _below(site) == [
        "2024-01-02-synthetic.md",
        "archive/2023/2023-05-05-old.md",
        "archive/more/2022-02-02-older.md",
    ]


def test_two_links_to_one_folder_are_no_cycle(tmp_path: Path) -> None:
    """Its briefings are listed under both (the build then reports their duplicate slugs)."""
    site = write_site(tmp_path / "site")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared/2023-05-05-shared.md").write_text("synthetic")
    (site / "content/briefings/one").symlink_to(tmp_path / "shared")
    (site / "content/briefings/two").symlink_to(tmp_path / "shared")
    assert _below(site) == [
        "2024-01-02-synthetic.md",
        "one/2023-05-05-shared.md",
        "two/2023-05-05-shared.md",
    ]


def test_a_hidden_link_to_a_folder_is_not_content(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup/2023-05-05-backup.md").write_text("synthetic")
    (site / "content/briefings/.backup").symlink_to(tmp_path / "backup")
    assert _below(site) == ["2024-01-02-synthetic.md"]


def _to_itself(site: Path, tmp_path: Path) -> str:
    (site / "content/briefings/2024").mkdir()
    (site / "content/briefings/2024/again").symlink_to("..")
    return "content/briefings/2024/again"


def _to_the_site(site: Path, tmp_path: Path) -> str:
    """A link to a folder above content/briefings/, where the reader's walk starts."""
    (site / "content/briefings/site").symlink_to(site)
    return "content/briefings/site"


def _through_two_links(site: Path, tmp_path: Path) -> str:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a/to-b").symlink_to(tmp_path / "b")
    (tmp_path / "b/to-a").symlink_to(tmp_path / "a")
    (site / "content/briefings/shared").symlink_to(tmp_path / "a")
    return "content/briefings/shared/to-b/to-a"


CYCLES = {"to itself": _to_itself, "to the site": _to_the_site, "two links": _through_two_links}


@pytest.mark.parametrize("cycle", CYCLES, ids=list(CYCLES))
def test_a_link_cycle_is_an_error_naming_the_link(tmp_path: Path, cycle: str) -> None:
    """`briefgen check` reads the briefings without the build's input check: the reader's
    own walk stops at the cycle and says where (the subprocess's timeout guards a hang)."""
    site = write_site(tmp_path / "site")
    link = CYCLES[cycle](site, tmp_path)
    run = briefgen("check", str(site), timeout=60)
    run.assert_clean_failure(2)
    assert f"{site / link}: a symbolic link to " in run.err
    assert "a link cycle" in run.err and "remove the link" in run.err

"""A named pipe or a device where a briefing belongs (or a link to one) is an author error
naming it: never a read that waits for a writer (a pipe) or never ends (/dev/zero)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.sites import briefgen, snapshot, write_site

NAME = "content/briefings/2024-03-03-synthetic-special.md"


def _pipe(site: Path, tmp_path: Path) -> None:
    os.mkfifo(site / NAME)


def _link_to_a_pipe(site: Path, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (site / NAME).symlink_to(tmp_path / "pipe")


def _link_to_an_endless_device(site: Path, tmp_path: Path) -> None:
    (site / NAME).symlink_to("/dev/zero")


SPECIAL: dict[str, Callable[[Path, Path], None]] = {
    "a named pipe": _pipe,
    "a link to a named pipe": _link_to_a_pipe,
    "a link to /dev/zero": _link_to_an_endless_device,
}


@pytest.mark.parametrize("special", SPECIAL, ids=list(SPECIAL))
def test_a_special_file_as_a_briefing_is_an_error_naming_it(tmp_path: Path, special: str) -> None:
    site, out = write_site(tmp_path / "site"), tmp_path / "out"
    first = briefgen("build", str(site), "-o", str(out), "--no-search", "--no-resident")
    assert first.code == 0, first.err
    before = snapshot(out)
    SPECIAL[special](site, tmp_path)
    for args in (["check", str(site)], ["build", str(site), "-o", str(out), "--no-resident"]):
        run = briefgen(*args, timeout=60)  # the timeout guards a read that never returns
        run.assert_clean_failure(2)
        assert f"{site / NAME}: not a regular file" in run.err
        assert "replace it with one, or remove it" in run.err
    assert snapshot(out) == before

"""The build follows the client (SOURCE_DATE_EPOCH, working directory), and the resident build
process is on or off as the environment says: off under CI, with BRIEFGEN_RESIDENT=0 or
--no-resident, on with BRIEFGEN_RESIDENT=1 even under CI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.compare_site import copy_compare_site
from tests.support.resident import Resident, same_text, tree


def test_source_date_epoch_follows_the_client(resident: Resident, tmp_path: Path) -> None:
    here = copy_compare_site(tmp_path / "resident")
    there = copy_compare_site(tmp_path / "in-process")
    feeds = []
    for epoch in ("1700000000", "1800000000"):
        run = resident.briefgen("build", cwd=here, SOURCE_DATE_EPOCH=epoch)
        assert run.code == 0, run.err
        alone = resident.briefgen("build", "--no-resident", cwd=there, SOURCE_DATE_EPOCH=epoch)
        assert alone.code == 0, alone.err
        assert tree(here / "site") == tree(there / "site")
        feeds.append((here / "site/feed.xml").read_bytes())
    assert feeds[0] != feeds[1]  # the epoch shows in the output
    said = resident.status(here)
    assert said["builds"] == 2 and said["warm_builds"] == 1  # another epoch: a fresh builder


def test_relative_paths_are_the_client_s(resident: Resident, tmp_path: Path) -> None:
    site = copy_compare_site(tmp_path / "site")
    (tmp_path / "elsewhere").mkdir()
    first = resident.briefgen("build", "site", "-o", "out-a", "--no-search", cwd=tmp_path)
    assert first.code == 0, first.err
    assert "into out-a " in first.err
    second = resident.briefgen(
        "build", "../site", "-o", "../out-b", "--no-search", cwd=tmp_path / "elsewhere"
    )
    assert second.code == 0, second.err
    assert "into ../out-b " in second.err
    assert tree(tmp_path / "out-a") == tree(tmp_path / "out-b")
    assert len(resident.servers()) == 1
    said = resident.status(site)
    assert said["builds"] == 2 and said["warm_builds"] == 1  # other options: a fresh builder
    assert not (Path("/") / "out-a").exists()


@pytest.mark.parametrize(
    ("env", "args", "served"),
    [
        ({}, [], True),
        ({"CI": "true"}, [], False),
        ({"CI": "1", "BRIEFGEN_RESIDENT": "1"}, [], True),
        ({"CI": "0"}, [], True),
        ({"BRIEFGEN_RESIDENT": "0"}, [], False),
        ({}, ["--no-resident"], False),
    ],
)
def test_on_and_off(
    resident: Resident, tmp_path: Path, env: dict[str, str], args: list[str], served: bool
) -> None:
    site = copy_compare_site(tmp_path / "site")
    run = resident.briefgen("build", "--no-search", *args, cwd=site, **env)
    assert run.code == 0, run.err
    assert "resident" not in run.err  # on or off, nothing to say
    assert bool(resident.servers()) == served
    assert bool(list(resident.folder.glob("*.sock"))) == served


def _refused(resident: Resident, site: Path, why: str) -> None:
    run = resident.briefgen("build", "--no-search", cwd=site)
    assert run.code == 0, run.err
    [line] = [line for line in run.err.splitlines() if "resident build process" in line]
    assert why in line
    assert not resident.servers()
    assert not list(resident.folder.glob("*.sock"))


def test_a_folder_open_to_others_means_in_process(resident: Resident, tmp_path: Path) -> None:
    site = copy_compare_site(tmp_path / "site")
    resident.folder.mkdir(mode=0o700)
    resident.folder.chmod(0o755)
    _refused(resident, site, "open to other users")


def test_a_folder_of_another_user_means_in_process(resident: Resident, tmp_path: Path) -> None:
    site = copy_compare_site(tmp_path / "site")
    resident.folder.mkdir(mode=0o700)
    shutil.chown(resident.folder, 65534, 65534)  # the tests run as root (see support/sites)
    _refused(resident, site, "belongs to another user")


def test_a_symlinked_folder_means_in_process(resident: Resident, tmp_path: Path) -> None:
    site = copy_compare_site(tmp_path / "site")
    target = resident.run_dir / "elsewhere"
    target.mkdir(mode=0o700)
    resident.folder.symlink_to(target)
    _refused(resident, site, "symbolic link")


def _on_a_terminal(resident: Resident, site: Path, *args: str) -> str:
    """What `briefgen build ARGS` writes to stderr when stderr is a terminal (a pty)."""
    leader, follower = os.openpty()
    env = resident.environ(NO_COLOR=None, TERM="xterm")
    client = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "build", *args],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        cwd=site,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert client.wait(timeout=300) == 0
    return b"".join(chunks).decode()


def test_colours_follow_the_client_s_terminal(resident: Resident, tmp_path: Path) -> None:
    here = copy_compare_site(tmp_path / "resident")
    there = copy_compare_site(tmp_path / "in-process")
    served = _on_a_terminal(resident, here, "--no-search")
    alone = _on_a_terminal(resident, there, "--no-search", "--no-resident")
    assert "\x1b[32m" in alone  # the summary, in green
    last = [text.rstrip("\r\n").rpartition("\r")[2] for text in (served, alone)]
    assert same_text(last[0]) == same_text(last[1])
    assert resident.servers()

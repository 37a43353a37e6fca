"""The server's life: one per site, shared by concurrent clients, replaced when stale or
killed (the build then runs in-process, the site whole), gone when idle, when its site is,
on SIGTERM and on `briefgen resident stop`."""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import signal
import time
from pathlib import Path

from briefgen.resident.client import TAKE_WAIT
from briefgen.resident.place import Place
from tests.support.compare_site import copy_compare_site
from tests.support.resident import WAIT, Resident, output_held, tree

NEWER = "content/briefings/2025-02-01-synthetic-newer.md"
DIED = "the resident build process stopped during the build"


def _edit(site: Path, words: str) -> None:
    with (site / NEWER).open("a", encoding="utf-8") as file:
        file.write(f"\n{words}\n")


def _cold(resident: Resident, site: Path, root: Path) -> dict[str, bytes]:
    """The site a cold in-process build makes of `site`'s content."""
    copy = root / f"cold-{time.monotonic_ns()}"
    shutil.copytree(site / "content", copy / "content")
    run = resident.briefgen("build", "--no-resident", cwd=copy)
    assert run.code == 0, run.err
    return tree(copy / "site")


def _server(resident: Resident, site: Path) -> int:
    run = resident.briefgen("build", cwd=site)
    assert run.code == 0, run.err
    pid = int(resident.status(site)["pid"])
    return pid


def _wait_held(out_dir: Path, client: object) -> None:
    deadline = time.monotonic() + WAIT
    while not output_held(out_dir):
        assert time.monotonic() < deadline, "the build never took the output's lock"
        time.sleep(0.002)


def test_a_server_killed_mid_build_means_an_in_process_build(
    resident: Resident, tmp_path: Path
) -> None:
    site = copy_compare_site(tmp_path / "site")
    pid = _server(resident, site)
    _edit(site, "Edited before the server is killed.")
    client = resident.start("build", cwd=site)
    _wait_held(site / "site", client)
    os.kill(pid, signal.SIGKILL)
    _out, err = client.communicate(timeout=300)
    assert client.returncode == 0, err
    assert err.count(DIED) == 1
    assert "Traceback" not in err
    assert tree(site / "site") == _cold(resident, site, tmp_path)
    assert pid not in resident.servers()


def test_a_kill_at_any_moment_leaves_the_site_a_cold_build_would(
    resident: Resident, tmp_path: Path
) -> None:
    site = copy_compare_site(tmp_path / "site")
    for round in range(3):
        pid = _server(resident, site)
        _edit(site, f"Edit {round} before a kill at a random moment.")
        client = resident.start("build", cwd=site)
        time.sleep(random.uniform(0, 1.5))
        os.kill(pid, signal.SIGKILL)
        _, err = client.communicate(timeout=300)
        assert client.returncode == 0, err
        assert err.count(DIED) <= 1 and "Traceback" not in err
        assert tree(site / "site") == _cold(resident, site, tmp_path), round


def test_a_stale_socket_is_replaced(resident: Resident, tmp_path: Path) -> None:
    site = copy_compare_site(tmp_path / "site")
    pid = _server(resident, site)
    os.kill(pid, signal.SIGKILL)
    resident.wait_gone(pid)
    assert list(resident.folder.glob("*.sock"))  # left behind
    _edit(site, "Edited after the server died.")
    run = resident.briefgen("build", cwd=site)
    assert run.code == 0 and "resident" not in run.err, run.err
    assert resident.status(site)["pid"] != pid
    assert tree(site / "site") == _cold(resident, site, tmp_path)


def test_two_clients_at_once_start_one_server_and_both_build(
    resident: Resident, tmp_path: Path
) -> None:
    site = copy_compare_site(tmp_path / "site")
    clients = [resident.start("build", cwd=site) for _ in range(2)]
    results = [c.communicate(timeout=300) for c in clients]
    assert [c.returncode for c in clients] == [0, 0], results
    assert len(resident.servers()) == 1
    logs = "".join(p.read_text() for p in resident.folder.glob("*.log"))
    assert logs.count("starting") == 1, logs  # no second server was even started
    assert resident.status(site)["builds"] == 2
    assert tree(site / "site") == _cold(resident, site, tmp_path)


def test_a_client_killed_mid_build_leaves_the_server_serving(
    resident: Resident, tmp_path: Path
) -> None:
    site = copy_compare_site(tmp_path / "site")
    pid = _server(resident, site)
    _edit(site, "Edited before the client is killed.")
    client = resident.start("build", cwd=site)
    _wait_held(site / "site", client)
    client.kill()
    client.communicate()
    run = resident.briefgen("build", cwd=site)
    assert run.code == 0, run.err
    assert resident.status(site)["pid"] == pid
    assert tree(site / "site") == _cold(resident, site, tmp_path)


def _has_socket(pid: int) -> bool:
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd).startswith("socket:"):
                return True
        except OSError:
            continue  # closed meanwhile
    return False


def test_ctrl_c_while_the_server_builds_ends_the_client_in_one_line(
    resident: Resident, tmp_path: Path
) -> None:
    """Ctrl-C in a client waiting for its build: exit status 130, one line, no traceback;
    the server (held still meanwhile) then goes on serving."""
    site = copy_compare_site(tmp_path / "site")
    pid = _server(resident, site)
    os.kill(pid, signal.SIGSTOP)
    try:
        client = resident.start("build", cwd=site)
        deadline = time.monotonic() + WAIT
        while not _has_socket(client.pid):  # connected: it waits for the server's answer
            assert time.monotonic() < deadline, "the client never connected"
            time.sleep(0.01)
        client.send_signal(signal.SIGINT)
        _, err = client.communicate(timeout=WAIT)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert client.returncode == 130
    assert err == "briefgen: interrupted\n", err
    _edit(site, "A synthetic sentence after the interruption.")
    assert resident.briefgen("build", cwd=site).code == 0
    assert resident.status(site)["pid"] == pid
    assert tree(site / "site") == _cold(resident, site, tmp_path)


def test_a_stuck_server_means_an_in_process_build_but_a_busy_one_is_waited_for(
    resident: Resident, tmp_path: Path
) -> None:
    """A server that takes no build (stopped here) is given up after TAKE_WAIT, and the build
    runs in-process; while it builds (its busy lock held: by the test here), a client waits."""
    site = copy_compare_site(tmp_path / "site")
    pid = _server(resident, site)
    place = Place.of(str(site.resolve()), resident.environ())
    _edit(site, "Edited while the server is stuck.")
    os.kill(pid, signal.SIGSTOP)
    busy = os.open(place.busy_lock, os.O_RDWR)
    try:
        fcntl.flock(busy, fcntl.LOCK_EX)  # as the server holds it while it builds
        client = resident.start("build", cwd=site)
        time.sleep(TAKE_WAIT + 2)
        assert client.poll() is None, "gave up on a server that was building"
        os.close(busy)  # its build "ended", and it still takes nothing
        _, err = client.communicate(timeout=TAKE_WAIT + WAIT)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert client.returncode == 0, err
    assert f"did not answer within {TAKE_WAIT:.0f} s; building here instead" in err
    assert tree(site / "site") == _cold(resident, site, tmp_path)
    # the server, going on, drops the request its client left, and serves the next
    _edit(site, "Edited once the server goes on.")
    assert resident.briefgen("build", cwd=site).code == 0
    assert resident.status(site)["pid"] == pid
    assert tree(site / "site") == _cold(resident, site, tmp_path)


def test_a_server_exits_when_idle(resident: Resident, tmp_path: Path) -> None:
    site = copy_compare_site(tmp_path / "site")
    run = resident.briefgen("build", "--no-search", cwd=site, BRIEFGEN_RESIDENT_IDLE="1")
    assert run.code == 0, run.err
    [pid] = resident.servers()
    resident.wait_gone(pid)
    assert not list(resident.folder.glob("*.sock"))


def test_the_garbage_of_builds_is_collected_after_each_and_whole_when_idle(
    resident: Resident, tmp_path: Path
) -> None:
    """Right after each build, what it left; the whole heap only after a pause: half the
    idle limit here."""
    site = copy_compare_site(tmp_path / "site")
    idle = {"BRIEFGEN_RESIDENT_IDLE": "8"}  # a whole collection after 4 s without a build
    assert resident.briefgen("build", cwd=site, **idle).code == 0
    said = resident.status(site)
    assert said["builds"] == 1 and said["collections"] == 1, said
    _edit(site, "A synthetic sentence, garbage after.")
    assert resident.briefgen("build", cwd=site, **idle).code == 0
    said = resident.status(site)
    assert said["builds"] == 2 and said["collections"] == 2, said
    assert said["whole_collections"] == 0, said
    deadline = time.monotonic() + WAIT
    while (said := resident.status(site))["whole_collections"] < 1:
        assert time.monotonic() < deadline, said
        time.sleep(0.1)
    assert said["idle"] >= 4 and said["collections"] == 3, said
    time.sleep(1.5)  # idle, nothing built: nothing more to collect
    said = resident.status(site)
    assert said["collections"] == 3 and said["whole_collections"] == 1, said


def test_a_server_exits_when_its_site_is_gone(resident: Resident, tmp_path: Path) -> None:
    site = copy_compare_site(tmp_path / "site")
    pid = _server(resident, site)
    shutil.rmtree(site)
    resident.wait_gone(pid)
    assert not list(resident.folder.glob("*.sock"))


def test_sigterm_and_resident_stop_end_a_server(resident: Resident, tmp_path: Path) -> None:
    site = copy_compare_site(tmp_path / "site")
    pid = _server(resident, site)
    os.kill(pid, signal.SIGTERM)
    resident.wait_gone(pid)
    assert not list(resident.folder.glob("*.sock"))
    pid = _server(resident, site)
    stopped = resident.briefgen("resident", "stop", cwd=site)
    assert f"(pid {pid})" in stopped.err
    assert not resident.servers()
    assert resident.status(site) == {"running": False}
    said = resident.briefgen("resident", "status", cwd=site)
    assert "no resident build process" in said.err

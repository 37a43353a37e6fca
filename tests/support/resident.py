"""Running the real `briefgen` with the resident build process on, with a private folder
(XDG_RUNTIME_DIR) of its own: the helpers of tests/resident (its conftest stops the servers)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.sites import Run

WAIT = 60.0  # seconds to wait for a server to come or go before the test fails
_SECONDS = re.compile(r"\d+\.\d+ s\b")


def same_text(text: str) -> str:
    """A build's output with its timings (`in 0.41 s`) left out: they differ from run to run."""
    return _SECONDS.sub("N s", text)


@dataclass
class Resident:
    run_dir: Path  # XDG_RUNTIME_DIR of the processes this test starts
    env: dict[str, str]

    @property
    def folder(self) -> Path:
        return self.run_dir / "briefgen"

    def environ(self, **changes: str | None) -> dict[str, str]:
        env = dict(self.env)
        for key, value in changes.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def briefgen(self, *args: str, cwd: Path, **env: str | None) -> Run:
        done = subprocess.run(
            [sys.executable, "-m", "briefgen", *args],
            capture_output=True,
            text=True,
            timeout=300,
            env=self.environ(**env),
            cwd=cwd,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    def start(self, *args: str, cwd: Path, **env: str | None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "briefgen", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.environ(**env),
            cwd=cwd,
        )

    def status(self, site: Path) -> dict[str, Any]:
        run = self.briefgen("resident", "status", str(site), "--format", "json", cwd=site)
        assert run.code == 0, run.err
        said: dict[str, Any] = json.loads(run.out)
        return said

    def servers(self) -> dict[int, str]:
        """pid -> site of every server alive in the folder (each holds its lock file)."""
        alive = {}
        for lock in sorted(self.folder.glob("*.lock")) if self.folder.is_dir() else []:
            with open(lock, "rb") as file:
                try:
                    fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
                    continue
                except BlockingIOError:
                    said = json.loads(file.read() or b"{}")
            alive[int(said["pid"])] = str(said["site"])
        return alive

    def wait_gone(self, pid: int) -> None:
        deadline = time.monotonic() + WAIT
        while pid in self.servers():
            assert time.monotonic() < deadline, f"server {pid} still running"
            time.sleep(0.05)

    def stop_all(self) -> None:
        for pid, site in self.servers().items():
            self.briefgen("resident", "stop", site, cwd=self.run_dir)
            with contextlib.suppress(ProcessLookupError):
                if pid in self.servers():
                    os.kill(pid, signal.SIGKILL)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (the built site, its manifest included)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def output_held(out_dir: Path) -> bool:
    """Whether a build holds the output's lock (publish.locked: a flock on its parent)."""
    fd = os.open(out_dir.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)

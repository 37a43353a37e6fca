"""A small synthetic site for robustness tests, and a way to run the real command on it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SITE = "title: Synthetic Site\nbase_url: https://fixture.example/\ncompare: [actor-a, actor-b]\n"
ACTORS = (
    "actor-a:\n  name: Synthetic Actor One\n  role: Synthetic\n"
    "actor-b:\n  name: Synthetic Actor Two\n  role: Synthetic\n"
)
TOPICS = "topic-one:\n  title: Topic One\n  question: Does the lorem plan hold?\n"
FRONT = """---
title: Synthetic Briefing
date: 2024-01-02
summary: Synthetic summary.
annotations:
  - id: alpha-one
    quote: Alpha supports the lorem plan
    actor: actor-a
    topic: topic-one
    stance: supports
    summary: Synthetic.
---
"""
BRIEFING = "content/briefings/2024-01-02-synthetic.md"


def briefing(body: str, front: str = FRONT) -> str:
    return front + "Alpha supports the lorem plan.\n\n" + body + "\n"


def write_site(root: Path, body: str = "Synthetic body.") -> Path:
    (root / "content/briefings").mkdir(parents=True)
    (root / "content/site.yaml").write_text(SITE)
    (root / "content/actors.yaml").write_text(ACTORS)
    (root / "content/topics.yaml").write_text(TOPICS)
    (root / BRIEFING).write_text(briefing(body))
    return root


def write_site_of(root: Path, count: int) -> Path:
    """write_site() and `count` more briefings, each with its own annotation id."""
    site = write_site(root)
    for i in range(count):
        text = briefing(f"Synthetic paragraph {i}.").replace("alpha-one", f"a-{i}")
        (site / f"content/briefings/2024-02-{i % 28 + 1:02d}-synthetic-{i}.md").write_text(text)
    return site


def briefings_linked(tmp_path: Path) -> tuple[Path, Path]:
    """A site whose content/briefings is a link to a folder outside the site."""
    site = write_site(tmp_path / "site", body="Synthetic marker one.")
    outside = tmp_path / "outside-briefings"
    shutil.move(site / "content/briefings", outside)
    (site / "content/briefings").symlink_to(outside, target_is_directory=True)
    return site, outside / Path(BRIEFING).name


def nested_linked(tmp_path: Path) -> tuple[Path, Path]:
    """A site whose briefing is in content/briefings/archive, a link to a folder elsewhere."""
    site = write_site(tmp_path / "site", body="Synthetic marker one.")
    outside = tmp_path / "outside-archive"
    outside.mkdir()
    shutil.move(site / BRIEFING, outside)
    (site / "content/briefings/archive").symlink_to(outside, target_is_directory=True)
    return site, outside / Path(BRIEFING).name


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def assert_clean_failure(self, *codes: int) -> None:
        """Failed the way an author can act on: an expected status, and no traceback."""
        assert self.code in codes, (self.code, self.err)
        assert "Traceback" not in self.err, self.err
        assert "\x1b" not in self.err, self.err


def briefgen(
    *args: str,
    timeout: float = 120,
    cwd: Path | None = None,
    prelude: str = "",
) -> Run:
    """The real command in its own process: a signal death or a hang cannot hide."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("BRIEFGEN_DEBUG", None)
    code = f"{prelude}\nimport sys\nfrom briefgen.cli import main\nsys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
    )
    return Run(done.returncode, done.stdout, done.stderr)


# Permissions do not bind root (CI containers run as root): the faults are injected into the
# command's own process, at the system calls that meet them.
DENIED = """
import errno, os, pathlib
_DENIED = os.environ["BRIEFGEN_TEST_DENIED"]
def _deny(path):
    if os.path.abspath(os.fsdecode(path)).startswith(_DENIED):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))
for _name in ("mkdir", "open", "scandir", "listdir", "rename", "replace", "unlink", "rmdir"):
    def _wrap(*args, _real=getattr(os, _name), **kw):
        if args:
            _deny(args[0])
        return _real(*args, **kw)
    setattr(os, _name, _wrap)
"""


def briefgen_denied(denied: Path, *args: str) -> Run:
    """The command as if `denied` (and everything below it) were closed to it."""
    os.environ["BRIEFGEN_TEST_DENIED"] = str(denied)
    try:
        return briefgen(*args, prelude=DENIED)
    finally:
        del os.environ["BRIEFGEN_TEST_DENIED"]


FULL_DISK = """
import errno, os
_open = os.open
def _full(path, flags, *rest, **kw):
    if flags & (os.O_WRONLY | os.O_RDWR) and "/.site.new-" in os.fsdecode(path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
    return _open(path, flags, *rest, **kw)
os.open = _full
import builtins, io
_bopen = builtins.open
def _bfull(file, mode="r", *rest, **kw):
    if isinstance(file, int):  # a descriptor (os.fdopen): os.open above opened it
        return _bopen(file, mode, *rest, **kw)
    if any(m in mode for m in "wax+") and "/.site.new-" in os.fsdecode(file):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), file)
    return _bopen(file, mode, *rest, **kw)
builtins.open = io.open = _bfull
"""


def briefgen_with_full_disk(*args: str) -> Run:
    """The command with every write into a staging tree failing as on a full disk."""
    return briefgen(*args, prelude=FULL_DISK)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }

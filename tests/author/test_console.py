"""What `build` and `check` print: on a terminal (a real pseudo-terminal), in a pipe, in CI, with
NO_COLOR and with --quiet. Every run is a subprocess, as an author or a CI job would run it."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURE_SITES
from tests.support.serving import child_env

SGR = re.compile(r"\x1b\[[0-9;]*m")  # colour and weight
ERASE = "\r\x1b[2K"  # how the progress line redraws itself
SUMMARY = re.compile(
    r"built \d+ pages, \d+ annotations into \S+ in \d+\.\d\d s \(\d+ rendered, \d+ files? written\)"
)
COPIES = 200  # enough briefings that a build takes well over the progress delay


def briefgen(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "briefgen", *map(str, args)]


def run_pipe(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, capture_output=True, text=True, env=child_env(**env), timeout=300, check=False
    )


def run_tty(args: list[str], **env: str) -> tuple[int, str]:
    """Run with stdout and stderr on a pseudo-terminal; return the status and all output."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        args,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=child_env(TERM="xterm-256color", **env),
        close_fds=True,
    )
    os.close(follower)
    chunks: list[bytes] = []
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 300)
            if not ready:
                proc.kill()
                pytest.fail(f"{args} produced no output for 300 s")
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(leader)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def big_site(demo_site: Path) -> Path:
    """The demo site plus COPIES renamed copies of its briefing (annotation ids made unique)."""
    briefings = demo_site / "content" / "briefings"
    (source,) = briefings.glob("*.md")
    text = source.read_text(encoding="utf-8")
    for n in range(COPIES):
        copy = re.sub(r"^(\s*- id: )", rf"\g<1>c{n}-", text, flags=re.M)
        (briefings / f"2024-07-04-copy-{n}.md").write_text(copy, encoding="utf-8")
    return demo_site


def test_in_a_pipe_build_prints_only_the_summary(demo_site: Path, tmp_path: Path) -> None:
    proc = run_pipe(briefgen("build", demo_site, "-o", tmp_path / "out", "--no-search"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert SUMMARY.fullmatch(proc.stderr.strip()), proc.stderr
    assert "\x1b" not in proc.stderr and "\r" not in proc.stderr


def test_quiet_prints_nothing_on_success_but_always_prints_diagnostics(
    demo_site: Path, tmp_path: Path
) -> None:
    ok = run_pipe(briefgen("build", demo_site, "-o", tmp_path / "out", "--no-search", "--quiet"))
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "", "")
    ok = run_pipe(briefgen("check", demo_site, "--quiet"))
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "", "")

    broken = shutil.copytree(FIXTURE_SITES / "quote-not-found", tmp_path / "broken")
    bad = run_pipe(briefgen("build", broken, "-o", tmp_path / "out2", "--quiet", "--no-search"))
    assert bad.returncode == 1
    assert "quote not found" in bad.stderr
    assert "nothing was written" in bad.stderr


def test_on_a_terminal_the_summary_is_coloured_unless_no_color(
    demo_site: Path, tmp_path: Path
) -> None:
    status, out = run_tty(briefgen("build", demo_site, "-o", tmp_path / "a", "--no-search"))
    assert status == 0, out
    assert SGR.search(out), repr(out)
    assert SUMMARY.search(SGR.sub("", out))

    status, out = run_tty(
        briefgen("build", demo_site, "-o", tmp_path / "b", "--no-search"), NO_COLOR="1"
    )
    assert status == 0, out
    assert not SGR.search(out), repr(out)
    assert SUMMARY.search(out)


def test_diagnostics_on_a_terminal_are_coloured_and_otherwise_identical() -> None:
    site = FIXTURE_SITES / "quote-not-found"
    piped = run_pipe(briefgen("check", site))
    assert piped.returncode == 1
    assert "\x1b" not in piped.stderr

    status, coloured = run_tty(briefgen("check", site))
    assert status == 1
    assert "\x1b[1;31merror" in coloured
    assert SGR.sub("", coloured).replace("\r\n", "\n") == piped.stderr

    status, plain = run_tty(briefgen("check", site), NO_COLOR="1")
    assert status == 1
    assert plain.replace("\r\n", "\n") == piped.stderr


def test_check_prints_a_summary_on_a_terminal_and_nothing_in_a_pipe(demo_site: Path) -> None:
    status, out = run_tty(briefgen("check", demo_site), NO_COLOR="1")
    assert status == 0, out
    assert re.search(r"checked \d+ briefings?, \d+ annotations?: no problems", out), out
    piped = run_pipe(briefgen("check", demo_site))
    assert (piped.returncode, piped.stdout, piped.stderr) == (0, "", "")


def test_a_long_build_shows_progress_on_a_terminal_but_not_in_ci(
    big_site: Path, tmp_path: Path
) -> None:
    status, out = run_tty(
        briefgen("build", big_site, "-o", tmp_path / "a", "--no-search"), NO_COLOR="1"
    )
    assert status == 0, out
    assert ERASE + "building…" in out, repr(out[-500:])
    assert SUMMARY.search(out.split(ERASE)[-1]), "the progress line is erased before the summary"

    status, out = run_tty(
        briefgen("build", big_site, "-o", tmp_path / "b", "--no-search"), CI="true"
    )
    assert status == 0, out
    assert "\r" not in out.replace("\r\n", "\n")
    assert "building…" not in out
    assert SUMMARY.search(out)

    status, out = run_tty(
        briefgen("build", big_site, "-o", tmp_path / "c", "--no-search", "--quiet")
    )
    assert (status, out) == (0, "")


def test_the_pre_commit_hook_runs_check(demo_site: Path) -> None:
    hooks = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"
    (hook,) = yaml.safe_load(hooks.read_text())
    assert hook["id"] == "briefgen-check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert re.match(hook["files"], "content/briefings/x.md")
    assert re.match(hook["files"], "themes/default/templates/base.html")
    assert not re.match(hook["files"], "src/briefgen/cli.py")
    entry = hook["entry"].split()
    assert entry[:2] == ["briefgen", "check"]
    proc = run_pipe(briefgen(*entry[1:], demo_site))
    assert (proc.returncode, proc.stderr) == (0, "")

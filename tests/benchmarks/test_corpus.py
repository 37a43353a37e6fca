"""The benchmark's synthetic corpus is a valid briefgen site and the same on every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def generate(n: int, out: Path) -> None:
    cmd = [sys.executable, "-m", "benchmarks.corpus", str(n), str(out)]
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_corpus_passes_briefgen_check(tmp_path: Path) -> None:
    generate(5, tmp_path / "c")
    site = tmp_path / "c" / "briefgen"
    done = subprocess.run(
        [sys.executable, "-m", "briefgen", "check", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    briefings = sorted((site / "content" / "briefings").glob("*.md"))
    assert len(briefings) == 5
    # Hugo gets the very same files (its layouts read the annotations from front-matter).
    hugo = tmp_path / "c" / "hugo" / "content" / "briefings"
    assert all((hugo / b.name).read_bytes() == b.read_bytes() for b in briefings)
    assert (tmp_path / "c" / "hugo" / "hugo.toml").is_file()


def test_corpus_is_deterministic(tmp_path: Path) -> None:
    generate(5, tmp_path / "one")
    generate(5, tmp_path / "two")
    one, two = files(tmp_path / "one"), files(tmp_path / "two")
    assert len(one) > 10
    assert one == two

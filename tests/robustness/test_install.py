"""Installable the normal way: sdist -> wheel -> a fresh virtual environment -> a searchable site.

The wheel is built from the sdist (as pip does), so both must carry the theme and the schemas.
Third-party dependencies come from this environment's site-packages through a .pth file (no
network, a few seconds); briefgen's own code and theme come from the wheel alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = "from setuptools import build_meta as b; import sys; print(b.{}(sys.argv[1]))"


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _package(tmp: Path) -> Path:
    """sdist from a copy of the sources, then the wheel from the unpacked sdist."""
    source = tmp / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for folder in ("src", "themes"):
        shutil.copytree(REPO / folder, source / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    dist = tmp / "dist"
    sdist = dist / _run([sys.executable, "-c", BUILD.format("build_sdist"), str(dist)], source)
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp / "unpacked", filter="data")
    unpacked = tmp / "unpacked" / sdist.name.removesuffix(".tar.gz")
    assert (unpacked / "themes/default/templates/base.html").is_file()
    wheel = _run([sys.executable, "-c", BUILD.format("build_wheel"), str(dist)], unpacked)
    return dist / wheel


def test_the_wheel_installs_into_a_fresh_environment_and_builds_a_searchable_site(
    tmp_path: Path,
) -> None:
    wheel = _package(tmp_path)
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python = venv / "bin/python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    _run([*pip, "--no-deps", "--no-index", str(wheel)], tmp_path)
    purelib = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path
        )
    )
    (purelib / "zz_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    where = _run([str(python), "-c", "import briefgen; print(briefgen.__file__)"], tmp_path, env)
    assert Path(where).is_relative_to(venv), where

    site = tmp_path / "elsewhere"
    shutil.copytree(REPO / "content", site / "content")
    out = tmp_path / "published"
    _run([str(venv / "bin/briefgen"), "build", str(site), "-o", str(out), "-q"], tmp_path, env)
    assert (out / "index.html").is_file()
    assert len(list((out / "briefings").glob("*/index.html"))) == len(
        list((site / "content/briefings").glob("*.md"))
    )
    statics = {p.name for p in (REPO / "themes/default/static").iterdir()}
    assert statics and all(list(out.rglob(name)) for name in statics)
    assert (out / "pagefind/pagefind.js").is_file()
    assert list((out / "pagefind").glob("pagefind.*.pf_meta"))
    assert list((out / "pagefind/index").glob("*.pf_index"))

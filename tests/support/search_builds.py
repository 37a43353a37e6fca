"""Builds of the search tests' sites, and what they leave."""

from __future__ import annotations

import shutil
from pathlib import Path

from briefgen.cli import main
from briefgen.search import slices
from tests.support.files import snapshot

STORE = ".briefgen-cache/search"


def build(site: Path, out: Path, *args: str) -> None:
    assert main(["build", str(site), "-o", str(out), "-q", *args]) == 0


def cold_index(site: Path, tmp_path: Path, name: str = "cold") -> dict[str, bytes]:
    """The search index of a cold build of `site`'s content: a copy without its cache."""
    cold = tmp_path / f"{name}-site"
    shutil.copytree(site, cold, ignore=shutil.ignore_patterns(".briefgen-cache"))
    build(cold, tmp_path / name)
    return snapshot(tmp_path / name / "pagefind")


def slice_files(site: Path) -> list[Path]:
    """The stored slices' files (beside them, the store keeps slices.CHUNKS, slices.MERGED and
    slices.BRIEFINGS)."""
    others = (slices.CHUNKS, slices.MERGED, slices.BRIEFINGS)
    return [p for p in (site / STORE).iterdir() if p.name not in others]


def stored(site: Path) -> dict[str, int]:
    """The stored slices: file name -> modification time."""
    return {p.name: p.stat().st_mtime_ns for p in slice_files(site)}

"""Shared helpers: the repository root, fixture sites, and running the CLI in-process."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.paths import FIXTURE_SITES, REPO

# Builds run in-process, as they did before the resident build process: a test must not leave
# servers behind. tests/resident/ turns it on for the processes it starts (and stops them).
os.environ["BRIEFGEN_RESIDENT"] = "0"

# The browser harness (served demo site, Debian's Chromium, axe, the validator) and the demo
# site built in-process (the `built` fixture).
pytest_plugins = ["tests.support.fixtures", "tests.support.demo", "tests.support.compare_site"]


@pytest.fixture
def fixture_site(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Copy a fixture site into tmp_path, so tests may build and edit it freely."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURE_SITES / name, target)
        return target

    return copy


@pytest.fixture
def demo_site(tmp_path: Path) -> Path:
    """A copy of the repository's demo site (content and seeds)."""
    target = tmp_path / "demo"
    shutil.copytree(REPO / "content", target / "content")
    shutil.copytree(REPO / "seeds", target / "seeds")
    return target

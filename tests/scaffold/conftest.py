"""Fixtures of the scaffold tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def empty_site(demo_site: Path) -> Path:
    """The demo site's configuration and seeds, without its briefing."""
    shutil.rmtree(demo_site / "content" / "briefings")
    return demo_site

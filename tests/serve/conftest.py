"""`briefgen serve` as a real subprocess on a copy of the demo site (tests.support.serving)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.serving import Served, start_serve


@pytest.fixture
def served(demo_site: Path, tmp_path: Path) -> Iterator[Served]:
    """`briefgen serve` on a copy of the demo site; stopped (and checked) after the test."""
    handle = start_serve(demo_site, tmp_path)
    try:
        yield handle
    finally:
        handle.stop()

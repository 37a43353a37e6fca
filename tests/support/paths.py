"""Where the repository and the fixture sites are."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURE_SITES = REPO / "tests" / "fixtures" / "sites"

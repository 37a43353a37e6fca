"""Each test with a private folder of its own (XDG_RUNTIME_DIR), and every server it started
stopped afterwards (`briefgen resident stop`, then SIGKILL)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.resident import Resident


@pytest.fixture
def resident() -> Iterator[Resident]:
    # Not under tmp_path: an AF_UNIX path must stay under ~100 bytes.
    run_dir = Path(tempfile.mkdtemp(prefix="bgr-"))
    env = {k: v for k, v in os.environ.items() if k not in ("BRIEFGEN_RESIDENT", "CI")}
    env.pop("BRIEFGEN_DEBUG", None)
    env.update(XDG_RUNTIME_DIR=str(run_dir), BRIEFGEN_RESIDENT_IDLE="120", NO_COLOR="1")
    helper = Resident(run_dir, env)
    try:
        yield helper
    finally:
        helper.stop_all()
        shutil.rmtree(run_dir, ignore_errors=True)

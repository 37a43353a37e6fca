"""Phase one's bookkeeping: the relative paths that go into cache keys and diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.build.prepare import _relative


@pytest.mark.parametrize("site_dir", [".", "site", "../synthetic/site", "/", "/tmp/synthetic site"])
def test_relative_paths_are_those_of_pathlib(site_dir: str) -> None:
    root = Path(site_dir)
    relative = _relative(root)
    for rel in ("content/briefings/a.md", "content/briefings/sub dir/é.md"):
        path = root / rel
        assert relative(path) == path.relative_to(root).as_posix() == rel

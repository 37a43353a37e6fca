"""A persistent cache of per-briefing results in `SITE/.briefgen-cache/`.

Entries are keyed by a hash of everything a result depends on (the file's bytes and path, the
site settings, briefgen's version), so a stale entry can never be found: it is simply unused,
and pruned at the end of the build.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from briefgen import __version__

CACHE_DIR = ".briefgen-cache"


def _code_version() -> str:
    """briefgen's version and its own source: a change to the code invalidates every entry."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


CODE_VERSION = _code_version()


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256(CODE_VERSION.encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class DocCache:
    def __init__(self, site_dir: Path, enabled: bool = True) -> None:
        self.folder = site_dir / CACHE_DIR / "docs"
        self.enabled = enabled
        self.used: set[str] = set()

    def get(self, key: str) -> Any | None:
        self.used.add(key)
        if not self.enabled:
            return None
        try:
            with open(self.folder / key, "rb") as handle:
                return pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None  # absent, or written by another version of the code: rebuild it

    def put(self, key: str, value: Any) -> None:
        self.used.add(key)
        if not self.enabled:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.folder / key)

    def prune(self) -> None:
        """Remove entries this build did not use (edited or deleted briefings)."""
        if not self.enabled or not self.folder.is_dir():
            return
        for entry in os.scandir(self.folder):
            if entry.name not in self.used:
                os.unlink(entry.path)

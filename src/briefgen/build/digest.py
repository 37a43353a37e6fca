"""Digests of build inputs, and the version of briefgen's code they all include.

Light on purpose (no imports beyond the standard library): the up-to-date check uses it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from briefgen import __version__

PACKAGE = Path(__file__).resolve().parent.parent


def _code_version() -> str:
    """briefgen's version and all its Python source: a change to the code changes every key
    (the cache's, the pages'), so no result made by other code is ever used."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix().encode()
        h.update(len(rel).to_bytes(8, "little") + rel + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


CODE_VERSION = _code_version()


_SEEDED = hashlib.sha256(CODE_VERSION.encode())  # copied: a build makes ~10,000 digests


def digest(*parts: bytes | str) -> str:
    """A digest of the parts (each length-prefixed, so no two lists of parts collide)."""
    h = _SEEDED.copy()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()

"""Locations of the external tools the harness drives, and a clear failure when one is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"
# Debian's Chromium; elsewhere (a GitHub runner, say) the first of these that exists, or the
# browser named by BRIEFGEN_CHROMIUM. Never a browser downloaded by a test tool.
CHROMIUM_CANDIDATES = [
    os.environ.get("BRIEFGEN_CHROMIUM", ""),
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
]
CHROMIUM = next(
    (Path(c) for c in CHROMIUM_CANDIDATES if c and Path(c).is_file()), Path("/usr/bin/chromium")
)
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
LIGHTHOUSE_CLI = NODE_MODULES / "lighthouse" / "cli" / "index.js"

_NPM_HINT = "run `npm ci` in the repository root (or `make test`, which does it)"


class MissingToolError(RuntimeError):
    """A tool the harness needs is not installed. Tests fail on it; they never skip."""


def require_file(path: Path, what: str, hint: str = _NPM_HINT) -> Path:
    if not path.is_file():
        raise MissingToolError(f"{what} not found at {path}: {hint}")
    return path


def require_executable(name: str, what: str, hint: str) -> str:
    found = shutil.which(name)
    if not found:
        raise MissingToolError(f"{what} ({name!r}) not found on PATH: {hint}")
    return found


def require_chromium() -> Path:
    if not (CHROMIUM.is_file() and shutil.which(str(CHROMIUM))):
        raise MissingToolError(
            f"Chromium not found at {CHROMIUM}: run `bash scripts/ensure-chromium.sh` "
            "(as root on Debian it installs the `chromium` package with apt-get)"
        )
    return CHROMIUM

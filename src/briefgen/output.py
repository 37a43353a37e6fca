"""Stage 6: write the output without ever losing anything.

The whole site is written to a fresh sibling directory, then swapped in with two renames; a
manifest records what briefgen wrote, so it only ever replaces a directory it built itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from briefgen.diagnostics import UsageError

MANIFEST = ".briefgen-manifest.json"


def check_output_dir(out_dir: Path, site_dir: Path) -> None:
    """Refuse an output directory whose replacement could destroy the author's work."""
    out, site = out_dir.resolve(), site_dir.resolve()
    content = site / "content"
    if out in (site, content) or out in site.parents or out in content.parents:
        raise UsageError(f"refusing to write the site to {out_dir}: it holds the site's sources")
    if content in out.parents or (site / "themes") in out.parents or out == site / "themes":
        raise UsageError(f"refusing to write the site to {out_dir}: it is inside content/themes")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out_dir} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UsageError(
            f"refusing to replace {out_dir}: it is not empty and briefgen did not build it "
            f"(no {MANIFEST}); choose another -o or empty it yourself"
        )


def safe_relpath(name: str) -> str:
    """Output paths are generated from validated ids; check anyway that none escapes."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
        raise ValueError(f"unsafe output path: {name!r}")
    return path.as_posix()


def stage_output(out_dir: Path, files: dict[str, bytes]) -> Path:
    """Write every file into a new directory beside out_dir; return it (not yet in place)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        for name in sorted(files):
            target = staging / safe_relpath(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[name])
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def write_manifest(staging: Path) -> None:
    """List every file in the staged tree (search index included) with its hash."""
    entries = {}
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        rel = path.relative_to(staging).as_posix()
        if rel != MANIFEST:
            entries[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    data = json.dumps({"generator": "briefgen", "files": entries}, indent=1, sort_keys=True)
    (staging / MANIFEST).write_text(data + "\n", encoding="utf-8")


def swap_in(staging: Path, out_dir: Path) -> None:
    """Replace out_dir by the staged tree; the old tree is removed only once the new is in."""
    old: Path | None = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rmdir(old)
        os.replace(out_dir, old)
    try:
        os.replace(staging, out_dir)
    except BaseException:
        if old is not None:
            os.replace(old, out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    _normalise_mode(out_dir)


def _normalise_mode(out_dir: Path) -> None:
    # mkdtemp creates 0700; a published site must be readable by a web server.
    os.chmod(out_dir, 0o755)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)

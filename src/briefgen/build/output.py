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
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.diagnostics import UsageError
from briefgen.urls import safe_relpath  # in urls.py: search checks its paths too

MANIFEST = ".briefgen-manifest.json"
MANIFEST_FORMAT = 2


@dataclass(frozen=True)
class Manifest:
    """What briefgen wrote into an output directory, and from what."""

    files: dict[str, str]  # path -> sha256 of its bytes
    keys: dict[str, str] = field(default_factory=dict)  # path -> digest of its inputs
    inputs: str = ""  # digest of every input of the build
    search: str = ""  # digest of the search records
    pages: int = 0
    annotations: int = 0

    @classmethod
    def empty(cls) -> Manifest:
        return cls({})

    def to_json(self) -> str:
        data = {
            "generator": "briefgen",
            "format": MANIFEST_FORMAT,
            "inputs": self.inputs,
            "search": self.search,
            "pages": self.pages,
            "annotations": self.annotations,
            "files": dict(sorted(self.files.items())),
            "keys": dict(sorted(self.keys.items())),
        }
        return json.dumps(data, separators=(",", ":")) + "\n"  # big sites: 30,000 entries


def read_manifest(out_dir: Path) -> Manifest | None:
    """The manifest of the last build into out_dir; None if there is none we can trust."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return None
    return Manifest(
        files=dict(data.get("files", {})),
        keys=dict(data.get("keys", {})),
        inputs=str(data.get("inputs", "")),
        search=str(data.get("search", "")),
        pages=int(data.get("pages", 0)),
        annotations=int(data.get("annotations", 0)),
    )


def intact(out_dir: Path, manifest: Manifest) -> bool:
    """Every file the manifest lists is still there."""
    root = str(out_dir)
    return all(os.path.isfile(os.path.join(root, name)) for name in manifest.files)


def new_staging(out_dir: Path) -> Path:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))


def stage_if_changed(
    staging: Path, name: str, data: bytes, old_digest: str | None
) -> tuple[str, str, bool]:
    """Write `data` into the staging tree unless the output already has these bytes."""
    new_digest = hashlib.sha256(data).hexdigest()
    if new_digest == old_digest:
        return name, new_digest, False
    target = staging / safe_relpath(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return name, new_digest, True


def staged_digests(staging: Path, prefix: str) -> dict[str, str]:
    folder = staging / prefix
    return {
        path.relative_to(staging).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def commit(staging: Path, out_dir: Path, manifest: Manifest, previous: Manifest | None) -> None:
    """Put the staged files in place: the whole tree when new, else file by file."""
    if previous is None:
        (staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        swap_in(staging, out_dir)
        return
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        name = path.relative_to(staging).as_posix()
        target = out_dir / name
        if previous.files.get(name) == manifest.files.get(name) and target.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    for name in sorted(set(previous.files) - set(manifest.files)):
        stale = out_dir / safe_relpath(name)
        stale.unlink(missing_ok=True)
        _remove_empty_parents(stale.parent, out_dir)
    tmp = out_dir / f"{MANIFEST}.tmp"
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    os.replace(tmp, out_dir / MANIFEST)
    shutil.rmtree(staging, ignore_errors=True)


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


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

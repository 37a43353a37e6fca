"""`briefgen init [DIR]`: a new site of one's own, ready to build, check and publish.

The files come from the package's `starter/` folder (dot-files are stored without their dot, so
that they do not act on briefgen's own repository: `gitignore` becomes `.gitignore`, `github/`
becomes `.github/`), plus the JSON Schemas of the content files in `.briefgen/schemas/`, which the
`# yaml-language-server: $schema=...` line of each content file points at (relatively, so the
site works wherever it is cloned).
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from briefgen.diagnostics import UsageError

SCHEMA_DIR = ".briefgen/schemas"
_DOT_NAMES = {"gitignore": ".gitignore", "github": ".github"}


def starter_files() -> dict[str, bytes]:
    """Site-relative path -> bytes of every file `init` writes."""
    files: dict[str, bytes] = {}
    _walk(resources.files("briefgen.scaffold") / "starter", "", files)
    schemas = resources.files("briefgen.content") / "schemas"
    for item in schemas.iterdir():
        if item.name.endswith(".schema.json"):
            files[f"{SCHEMA_DIR}/{item.name}"] = item.read_bytes()
    return dict(sorted(files.items()))


def _walk(folder: Traversable, prefix: str, out: dict[str, bytes]) -> None:
    for item in folder.iterdir():
        if item.name.startswith(("__", ".")):
            continue
        name = prefix + _DOT_NAMES.get(item.name, item.name)
        if item.is_dir():
            _walk(item, name + "/", out)
        else:
            out[name] = item.read_bytes()


def init(site_dir: Path, force: bool = False) -> tuple[list[Path], list[Path]]:
    """Write the starter site; return (written, kept). With `force`, a non-empty directory is
    accepted and files that already exist are kept as they are (never overwritten)."""
    if site_dir.exists() and not site_dir.is_dir():
        raise UsageError(f"{site_dir} exists and is not a directory")
    if site_dir.is_dir() and any(site_dir.iterdir()) and not force:
        raise UsageError(
            f"{site_dir} is not empty; choose a new directory, or add --force to add the "
            "starter files that are missing (nothing is overwritten)"
        )
    written: list[Path] = []
    kept: list[Path] = []
    for rel, data in starter_files().items():
        target = site_dir / rel
        if target.exists():
            kept.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written, kept

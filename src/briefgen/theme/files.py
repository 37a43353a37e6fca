"""Where a theme's files are: the site's own `themes/<name>/` over the built-in default.

Light on purpose (no Jinja): the up-to-date check hashes these files before loading anything.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from briefgen import urls


def _builtin_themes() -> Path:
    """The built-in themes, shipped as the package data `briefgen.themes` (in a checkout, the
    top-level themes/ folder; see pyproject.toml)."""
    spec = importlib.util.find_spec("briefgen.themes")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:  # an installation without its package data is broken, not a content error
        raise RuntimeError("briefgen's built-in themes are missing: reinstall briefgen")
    return Path(locations[0])


BUILTIN_THEMES = _builtin_themes()


def theme_dirs(site_dir: Path, theme: str) -> list[Path]:
    """The theme's folders, most specific first; the built-in default is always last."""
    builtin = BUILTIN_THEMES / "default"
    dirs = [site_dir / "themes" / theme]
    if theme == "default":
        dirs = [d for d in dirs if d.resolve() != builtin.resolve()]
    return [d for d in dirs if d.is_dir()] + [builtin]


def static_files(site_dir: Path, theme: str) -> dict[str, Path]:
    """Output path -> source file for every static asset, overrides winning."""
    files: dict[str, Path] = {}
    for theme_dir in reversed(theme_dirs(site_dir, theme)):
        static = theme_dir / "static"
        for path in sorted(static.rglob("*")) if static.is_dir() else []:
            if path.is_file():
                files[urls.static(path.relative_to(static).as_posix())] = path
    return files

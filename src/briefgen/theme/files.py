"""Where a theme's files are: the site's own `themes/<name>/` over the built-in default.

Light on purpose (no Jinja): the up-to-date check hashes these files before loading anything.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from briefgen import urls
from briefgen.content.walk import walk


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
        for name, path in theme_files(theme_dir / "static"):
            files[urls.static(name)] = Path(path)
    return files


def theme_files(folder: Path) -> list[tuple[str, str]]:
    """(name below `folder`, path) of every file in it, through links to folders at any
    depth, as the input check walks it (content.walk); none if it is not a folder. A folder
    that cannot be listed is left out (the input check sees none of its files either); a
    link cycle is an error naming the link."""
    if not folder.is_dir():
        return []
    tree = walk(folder)
    if tree.cycles:
        raise tree.cycles[0].error()
    return [("/".join(names), path) for names, path, _ in tree.files()]

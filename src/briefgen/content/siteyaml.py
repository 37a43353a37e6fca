"""The one reader of `content/site.yaml`.

`read()` gives the YAML node that content/config.py validates into a SiteConfig (with a
diagnostic for each problem). `basics()` reads the few settings that are needed before a build
(the theme, to hash its files for the up-to-date check; the base path, for serve) leniently,
with defaults where the file is unusable: the build itself reports what is wrong. Light on
purpose: YAML only (no Jinja, no Markdown), so a rebuild with nothing changed stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from briefgen.content.files import Unreadable, read_map
from briefgen.content.schema import ID_RE
from briefgen.content.yamlsrc import YMap, YScalar
from briefgen.diagnostics import Diagnostics

SITE_YAML = "content/site.yaml"


def read(site_dir: Path, diags: Diagnostics) -> YMap:
    """site.yaml's mapping; raises Unreadable (its diagnostic recorded) when unusable."""
    return read_map(site_dir, SITE_YAML, diags)


@dataclass(frozen=True)
class SiteBasics:
    theme: str = "default"
    base_path: str = "/"  # the path of base_url, "/" or "/sub/path/"


def basics(site_dir: Path) -> SiteBasics:
    """The theme and base path, read leniently (defaults when site.yaml is unusable)."""
    try:
        node = read(site_dir, Diagnostics())
    except (Unreadable, OSError, RecursionError):
        return SiteBasics()
    theme, base_url = _text(node, "theme"), _text(node, "base_url")
    try:
        path = urlsplit(base_url).path if base_url else "/"
    except ValueError:  # e.g. an unclosed "[" in the host
        path = "/"
    clean = "/" + "".join(p + "/" for p in path.split("/") if p and p not in (".", ".."))
    return SiteBasics(theme if theme and ID_RE.match(theme) else "default", clean)


def _text(node: YMap, key: str) -> str | None:
    value = node.values.get(key)
    if isinstance(value, YScalar) and isinstance(value.value, str):
        return value.value.strip()
    return None

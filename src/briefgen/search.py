"""Stage 7: the search index (Pagefind). Filled in by the search issue."""

from __future__ import annotations

from pathlib import Path

from briefgen.model import Site


def index_site(site: Site, out_dir: Path) -> None:
    del site, out_dir

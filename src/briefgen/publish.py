"""Files for the web beyond the pages: feed, sitemap, robots.txt, open-data exports."""

from __future__ import annotations

from briefgen.model import Site


def publish_files(site: Site) -> dict[str, bytes]:
    """Output path -> bytes, for every file this stage adds to the site."""
    del site
    return {}

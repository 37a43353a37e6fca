"""Every generated page is valid HTML according to the W3C Nu HTML Checker."""

from __future__ import annotations

from tests.support.fixtures import BuiltSite
from tests.support.vnu import format_messages, run_vnu


def test_every_page_is_valid_html(site: BuiltSite) -> None:
    pages = sorted(site.site_dir.rglob("*.html"))
    assert len(pages) >= 8, f"expected the whole demo site, found only {len(pages)} pages"
    messages = run_vnu(site.site_dir)
    assert not messages, (
        f"the Nu HTML Checker reports {len(messages)} error(s):\n"
        + format_messages(messages, site.site_dir)
    )

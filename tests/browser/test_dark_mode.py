"""Dark mode follows prefers-color-scheme (contrast itself is checked by axe in tests/quality)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.support.checks import page_background, relative_luminance
from tests.support.fixtures import BRIEFING, COMPARE_PAIR, BuiltSite


@pytest.mark.parametrize("path", ["", BRIEFING, COMPARE_PAIR], ids=["home", "briefing", "compare"])
def test_dark_scheme_darkens_the_page(
    site: BuiltSite, light_page: Page, dark_page: Page, path: str
) -> None:
    light_page.goto(site.require(path))
    dark_page.goto(site.require(path))
    light = relative_luminance(page_background(light_page))
    dark = relative_luminance(page_background(dark_page))
    assert light > 0.5, f"light scheme background is not light (luminance {light:.2f})"
    assert dark < 0.2, f"dark scheme background is not dark (luminance {dark:.2f})"

"""Screenshots for humans: home, briefing and compare at 360 and 1280 px, in screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize

from tests.support.fixtures import BRIEFING, COMPARE_PAIR, DESKTOP, PHONE, BuiltSite
from tests.support.tools import REPO_ROOT

SCREENSHOTS = REPO_ROOT / "screenshots"  # git-ignored


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
@pytest.mark.parametrize(
    ("name", "path"), [("home", ""), ("briefing", BRIEFING), ("compare", COMPARE_PAIR)]
)
def test_screenshot(
    site: BuiltSite, light_page: Page, name: str, path: str, viewport: ViewportSize
) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    light_page.set_viewport_size(viewport)
    light_page.goto(site.require(path))
    out = SCREENSHOTS / f"{name}-{viewport['width']}.png"
    out.unlink(missing_ok=True)
    light_page.screenshot(path=str(out), full_page=True)
    assert out.stat().st_size > 0

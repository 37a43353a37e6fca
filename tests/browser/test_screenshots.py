"""Screenshots for humans: home, briefing and compare at 360 and 1280 px, in screenshots/.

Each screenshot is also checked against what is on the page: the heading the page is about is
drawn inside the viewport's width, the main content fits it (no sideways scrolling), and the
image is the whole page at the viewport's width.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize

from tests.support.checks import box_of, has_horizontal_scroll, overflowing_elements, within_width
from tests.support.fixtures import BRIEFING, COMPARE_PAIR, DESKTOP, PHONE, BuiltSite
from tests.support.tools import REPO_ROOT

SCREENSHOTS = REPO_ROOT / "screenshots"  # git-ignored


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


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
    width = viewport["width"]
    heading = light_page.locator("main h1").first
    assert heading.inner_text().strip(), "the page has no visible heading"
    assert within_width(box_of(heading), width)
    main = box_of(light_page.locator("main"))
    assert within_width(main, width) and main.height > box_of(heading).height
    assert not has_horizontal_scroll(light_page), overflowing_elements(light_page)
    out = SCREENSHOTS / f"{name}-{width}.png"
    out.unlink(missing_ok=True)
    light_page.screenshot(path=str(out), full_page=True)
    page_height = light_page.evaluate("() => document.documentElement.scrollHeight")
    image_width, image_height = _png_size(out)
    assert image_width == width
    assert image_height >= min(page_height, main.bottom)

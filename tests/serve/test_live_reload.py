"""Live reload and the error overlay in headless Chromium, against `briefgen serve`.

No test calls `page.reload()`: pages must reload (or show the overlay) by themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.support.serving import (
    BRIEFING_FILE,
    BRIEFING_PATH,
    Served,
    append_paragraph,
    break_quote,
    first_quote,
    replace_once,
)

WAIT_MS = 60_000
OVERLAY = "#briefgen-overlay[role=alert]"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def open_and_mark(page: Page, url: str) -> None:
    """Open `url` and leave a mark in the window that only a real reload removes."""
    page.goto(url)
    page.wait_for_load_state("load")
    page.evaluate("window.__notReloaded = true")


def test_an_open_page_reloads_itself_after_a_save(served: Served, page: Page) -> None:
    open_and_mark(page, served.url(BRIEFING_PATH))
    briefing = served.site / BRIEFING_FILE
    title_line = next(
        line for line in briefing.read_text().splitlines() if line.startswith("title:")
    )
    replace_once(briefing, title_line + "\n", "title: Retitled while open, marker 91bc\n")

    page.wait_for_function(
        "document.title.includes('marker 91bc') && !window.__notReloaded", timeout=WAIT_MS
    )
    assert page.locator("h1").first.inner_text().strip().startswith("Retitled while open")
    assert page.locator(OVERLAY).count() == 0


def test_a_broken_save_shows_an_overlay_and_the_next_good_save_clears_it(
    served: Served, page: Page, browser: Browser
) -> None:
    open_and_mark(page, served.url(BRIEFING_PATH))
    briefing = served.site / BRIEFING_FILE
    good_page = served.get(BRIEFING_PATH).body
    quote = first_quote(briefing)
    broken = break_quote(briefing, quote)

    overlay = page.locator(OVERLAY)
    overlay.wait_for(timeout=WAIT_MS)
    text = overlay.inner_text()
    assert f"{BRIEFING_FILE}:{quote.item_line}:" in text, text
    assert "quote not found" in text
    assert "hint:" in text
    assert page.evaluate("window.__notReloaded") is True  # the overlay, not a reload
    # Meanwhile the last good build is what the server sends.
    assert served.get(BRIEFING_PATH).body == good_page

    # A page opened while the content is broken shows the overlay straight away.
    late = browser.new_context()
    try:
        late_page = late.new_page()
        late_page.goto(served.url())
        late_page.locator(OVERLAY).wait_for(timeout=WAIT_MS)
        assert f"{BRIEFING_FILE}:{quote.item_line}:" in late_page.locator(OVERLAY).inner_text()
    finally:
        late.close()

    # The next good save reloads the page, without the overlay.
    replace_once(briefing, broken + "\n", quote.line + "\n")
    append_paragraph(briefing, "Fixed and extended, marker 3e8d.")
    page.wait_for_function(
        "document.body.innerText.includes('marker 3e8d') && !window.__notReloaded",
        timeout=WAIT_MS,
    )
    assert page.locator(OVERLAY).count() == 0

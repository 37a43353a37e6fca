"""Following a quote link from the compare page lands on the exact passage, visibly targeted."""

from __future__ import annotations

from urllib.parse import unquote, urljoin, urlsplit

import pytest
from playwright.sync_api import Page, ViewportSize

from tests.support.checks import settle, target_style_difference, viewport_problem
from tests.support.fixtures import COMPARE_PAIR, DESKTOP, PHONE, BuiltSite


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_quote_link_lands_on_targeted_mark(
    site: BuiltSite, light_page: Page, viewport: ViewportSize
) -> None:
    light_page.set_viewport_size(viewport)
    light_page.goto(site.require(COMPARE_PAIR))
    links = light_page.locator("section.compare a.quote-link")
    assert links.count() > 0, "no a.quote-link on the compare page"
    link = links.first
    href = link.get_attribute("href") or ""
    fragment = unquote(urlsplit(href).fragment)
    assert fragment, f"the quote link {href!r} has no #fragment"

    with light_page.expect_navigation():
        link.click()
    expected = urljoin(site.url(COMPARE_PAIR), href)
    assert light_page.url == expected, f"clicking {href!r} went to {light_page.url}"
    settle(light_page)

    target = light_page.locator(":target")
    assert target.count() == 1, f"no :target element after following {href!r}"
    tag, classes, target_id = target.evaluate("t => [t.tagName, t.className, t.id]")
    assert tag == "MARK" and "hl" in str(classes).split(), (
        f"the :target of {href!r} is <{str(tag).lower()} class={classes!r}>, not a mark.hl"
    )
    assert target_id == fragment
    problem = viewport_problem(light_page, f'[id="{fragment}"]')
    assert problem is None, f"after following {href!r}: {problem}"

    difference = target_style_difference(light_page, fragment)
    assert difference, (
        f"mark#{fragment} looks the same as :target and not targeted: no :target style"
    )

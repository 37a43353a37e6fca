"""Every page type loads under the sub-path without script errors or broken sub-resources."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.support.checks import PageWatch
from tests.support.fixtures import NOT_FOUND_URL_PATH, BuiltSite


def test_pages_load_cleanly(site: BuiltSite, light_page: Page) -> None:
    problems = []
    for kind, path in site.page_types().items():
        watch = PageWatch(light_page)
        try:
            response = light_page.goto(site.url(path), wait_until="load")
        finally:
            watch.close()
        status = response.status if response else None
        expected = 404 if path == NOT_FOUND_URL_PATH else 200
        if status != expected:
            problems.append(f"{kind} ({site.url(path)}): HTTP {status}, expected {expected}")
        problems += [f"{kind} ({site.url(path)}): {p}" for p in watch.problems]
        if light_page.locator("link[rel=stylesheet]").count() == 0:
            problems.append(f"{kind}: no stylesheet")
        elif light_page.evaluate("() => document.styleSheets.length") == 0:
            problems.append(f"{kind}: stylesheet did not load")
    assert not problems, "\n".join(problems)

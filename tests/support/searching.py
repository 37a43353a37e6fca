"""Typing a query into the search page, as a reader does."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.fixtures import BuiltSite

RESULT = ".search-result"


def search(page: Page, site: BuiltSite, query: str) -> None:
    page.goto(site.require("search/"))
    field = page.locator("pagefind-input input")
    field.click()
    page.keyboard.type(query)
    expect(page.locator("pagefind-summary")).to_contain_text(query, timeout=10_000)

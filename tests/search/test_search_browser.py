"""Search as a reader uses it: real Pagefind index, real Chromium, the site under a sub-path."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.axe import format_violations, run_axe
from tests.support.checks import settle, viewport_problem
from tests.support.fixtures import SUB_PATH, BuiltSite
from tests.support.searching import RESULT, search


def result_count(page: Page) -> int:
    """The total the summary announces (results beyond the first page load on demand)."""
    match = re.search(r"(\d+) results?", page.locator("pagefind-summary").inner_text())
    assert match, page.locator("pagefind-summary").inner_text()
    return int(match.group(1))


def result_links(page: Page) -> list[str]:
    return [str(a.get_attribute("href")) for a in page.locator(f"{RESULT} a.pf-result-link").all()]


def test_a_word_of_a_quote_finds_the_annotation_and_lands_on_the_passage(
    light_page: Page, site: BuiltSite
) -> None:
    search(light_page, site, "intermediaries")
    target = (
        f"{SUB_PATH}briefings/2024-07-04-putin-ceasefire-impossible/#putin-mediation-intermediaries"
    )
    link = light_page.locator(f'{RESULT} a.pf-result-link[href="{target}"]')
    expect(link).to_have_count(1)
    # The result shows the quote and where it comes from.
    card = light_page.locator(RESULT).filter(
        has=light_page.locator(f'a.pf-result-link[href="{target}"]')
    )
    expect(card.locator(".search-quote")).to_contain_text("with the help of intermediaries")
    expect(card.locator(".search-source")).to_contain_text("President Putin says ceasefire")
    link.click()
    light_page.wait_for_url(re.compile(r"#putin-mediation-intermediaries$"))
    assert light_page.evaluate("location.pathname").startswith(SUB_PATH)
    settle(light_page)
    assert viewport_problem(light_page, "mark#putin-mediation-intermediaries") is None
    target = light_page.evaluate("document.querySelector(':target')?.id")
    assert target == "putin-mediation-intermediaries"


def test_keyboard_alone_reaches_a_result(light_page: Page, site: BuiltSite) -> None:
    search(light_page, site, "intermediaries")
    expect(light_page.locator(RESULT).first).to_be_visible()
    for _ in range(30):  # Tab until a result link has focus, then follow it with Enter
        light_page.keyboard.press("Tab")
        if light_page.evaluate("document.activeElement?.classList.contains('pf-result-link')"):
            break
    href = light_page.evaluate("document.activeElement.getAttribute('href')")
    assert href and href.startswith(SUB_PATH)
    light_page.keyboard.press("Enter")
    light_page.wait_for_url(re.compile(re.escape(href.split("#")[0])))


def test_ceasefire_finds_both_putin_and_zelensky(light_page: Page, site: BuiltSite) -> None:
    search(light_page, site, "ceasefire")
    expect(light_page.locator(RESULT).first).to_be_visible()
    titles = " ".join(light_page.locator(f"{RESULT} .pf-result-title").all_inner_texts())
    assert "Vladimir Putin" in titles and "Volodymyr Zelensky" in titles


def test_filtering_by_actor_narrows_to_that_actor(light_page: Page, site: BuiltSite) -> None:
    search(light_page, site, "ceasefire")
    expect(light_page.locator(RESULT).first).to_be_visible()
    before = result_count(light_page)
    dropdown = light_page.locator('pagefind-filter-dropdown[filter="actor"]')
    dropdown.locator("button").first.click()
    dropdown.get_by_text("Volodymyr Zelensky").click()
    light_page.keyboard.press("Escape")
    expect(light_page.locator("pagefind-summary")).not_to_contain_text(f"{before} result")
    expect(light_page.locator(RESULT).first).to_be_visible()
    after = result_count(light_page)
    cards = light_page.locator(RESULT).all()
    titles = [c.locator(".pf-result-title").inner_text() for c in cards]
    links = [str(c.locator("a.pf-result-link").get_attribute("href")) for c in cards]
    assert 0 < after < before
    # Annotation results are Zelensky's; a briefing result is one where he has positions.
    for title, link in zip(titles, links, strict=True):
        assert title.startswith("Volodymyr Zelensky") or "#" not in link, (title, link)
        assert not title.startswith("Vladimir Putin"), title


def test_no_result_says_so_helpfully(light_page: Page, site: BuiltSite) -> None:
    search(light_page, site, "zzyzxnotaword")
    expect(light_page.locator("pagefind-summary")).to_contain_text("No results")
    expect(light_page.locator(RESULT)).to_have_count(0)


def test_query_in_the_url_runs_on_load(light_page: Page, site: BuiltSite) -> None:
    light_page.goto(site.require("search/") + "?q=Istanbul")
    expect(light_page.locator("pagefind-input input")).to_have_value("Istanbul")
    expect(light_page.locator(RESULT).first).to_be_visible(timeout=10_000)
    assert any("istanbul" in h for h in result_links(light_page))


def test_header_search_form_goes_to_the_search_page(light_page: Page, site: BuiltSite) -> None:
    light_page.goto(site.require("topics/"))
    light_page.fill("form.site-search input[name=q]", "Istanbul")
    light_page.keyboard.press("Enter")
    light_page.wait_for_url(re.compile(re.escape(SUB_PATH) + r"search/\?q=Istanbul$"))
    expect(light_page.locator(RESULT).first).to_be_visible(timeout=10_000)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_results_pass_axe(
    site: BuiltSite, request: pytest.FixtureRequest, scheme: str
) -> None:
    page: Page = request.getfixturevalue(f"{scheme}_page")
    page.goto(site.require("search/") + "?q=ceasefire")
    expect(page.locator(RESULT).first).to_be_visible(timeout=10_000)
    page.wait_for_selector("pagefind-filter-dropdown .pf-dropdown-trigger-label")
    violations = run_axe(page)
    assert not violations, format_violations(violations)

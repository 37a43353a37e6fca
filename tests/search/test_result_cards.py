"""Search results worth scanning: kind, actor, topic and stance (as the answer to the topic's
question) as chips, the quote with the query marked, the briefing and its date, and a link
straight to the passage. Real Pagefind index, real Chromium, the demo under a sub-path."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.fixtures import BRIEFING, SUB_PATH, BuiltSite
from tests.support.searching import RESULT, search


def test_an_annotation_result_shows_chips_quote_source_and_links_to_the_passage(
    light_page: Page, site: BuiltSite
) -> None:
    search(light_page, site, "intermediaries")
    target = f"{SUB_PATH}{BRIEFING}#putin-mediation-intermediaries"
    card = light_page.locator(RESULT).filter(
        has=light_page.locator(f'a.pf-result-link[href="{target}"]')
    )
    expect(card).to_have_count(1)
    chips = card.locator(".search-chips .chip").all_inner_texts()
    assert chips == ["Position", "Vladimir Putin", "Mediation by third countries", "Doubtful"]
    # The stance chip is the answer; the question it answers is in the title beside it.
    title = card.locator(".pf-result-title").inner_text()
    assert "Can mediators from third countries bring the conflict to an end?" in title
    expect(card.locator(".search-quote mark.search-hit")).to_have_text("intermediaries")
    source = card.locator(".search-source").inner_text()
    assert "Direct quote" in source
    assert "President Putin says ceasefire in Ukraine impossible" in source
    assert "4 July 2024" in source


def test_briefing_and_context_results_name_their_kind(light_page: Page, site: BuiltSite) -> None:
    search(light_page, site, "Istanbul")
    chips = light_page.locator(f"{RESULT} .chip-kind")
    for kind in ("Briefing", "Context note", "Position"):  # results render one by one: wait
        expect(chips.filter(has_text=kind)).not_to_have_count(0)


def test_without_javascript_the_search_page_says_what_it_needs(
    nojs_page: Page, site: BuiltSite
) -> None:
    nojs_page.goto(site.require("search/"))
    note = nojs_page.locator(".search-nojs")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Search needs JavaScript")
    assert note.locator("a").count() >= 3  # topics, actors, comparisons still work

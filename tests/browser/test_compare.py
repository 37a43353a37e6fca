"""The compare page as readers see it: stacked on a phone, side by side on a desktop."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.support.checks import (
    box_of,
    has_horizontal_scroll,
    overflowing_elements,
    side_by_side,
    stacked,
    unreadable_badges,
    within_width,
)
from tests.support.fixtures import BRIEFING, COMPARE_PAIR, DESKTOP, PHONE, SUB_PATH, BuiltSite


def _rows(page: Page) -> list[str]:
    ids = page.eval_on_selector_all("section.compare div.compare-row", "rs => rs.map(r => r.id)")
    assert ids, "the compare page has no section.compare > div.compare-row"
    return [str(i) for i in ids]


def test_phone_has_no_horizontal_scroll(site: BuiltSite, light_page: Page) -> None:
    light_page.set_viewport_size(PHONE)
    light_page.goto(site.require(COMPARE_PAIR))
    assert not has_horizontal_scroll(light_page), (
        "the compare page scrolls sideways at 360 px; too wide: "
        + "; ".join(overflowing_elements(light_page))
    )


def test_phone_stacks_a_then_b_per_topic(site: BuiltSite, light_page: Page) -> None:
    light_page.set_viewport_size(PHONE)
    light_page.goto(site.require(COMPARE_PAIR))
    width = light_page.evaluate("() => document.documentElement.clientWidth")
    problems = []
    for row_id in _rows(light_page):
        row = light_page.locator(f"#{row_id}")
        question = box_of(row.locator("h3").first)
        a = box_of(row.locator(".compare-cell.compare-a"))
        b = box_of(row.locator(".compare-cell.compare-b"))
        if not stacked(question, a):
            problems.append(f"#{row_id}: the question is not above A ({question} vs {a})")
        if not stacked(a, b):
            problems.append(f"#{row_id}: A is not above B at 360 px ({a} vs {b})")
        for name, box in (("A", a), ("B", b)):
            if not within_width(box, width):
                problems.append(f"#{row_id}: {name} sticks out of the {width} px viewport: {box}")
    assert not problems, "\n".join(problems)


def test_desktop_puts_a_and_b_side_by_side(site: BuiltSite, light_page: Page) -> None:
    light_page.set_viewport_size(DESKTOP)
    light_page.goto(site.require(COMPARE_PAIR))
    problems = []
    for row_id in _rows(light_page):
        row = light_page.locator(f"#{row_id}")
        a = box_of(row.locator(".compare-cell.compare-a"))
        b = box_of(row.locator(".compare-cell.compare-b"))
        if not side_by_side(a, b):
            problems.append(f"#{row_id}: A and B are not side by side at 1280 px ({a} vs {b})")
    assert not problems, "\n".join(problems)
    assert not has_horizontal_scroll(light_page), "; ".join(overflowing_elements(light_page))


def test_stance_badges_are_readable_text(site: BuiltSite, light_page: Page) -> None:
    problems = []
    for viewport in (PHONE, DESKTOP):
        light_page.set_viewport_size(viewport)
        light_page.goto(site.require(COMPARE_PAIR))
        assert light_page.locator("section.compare span.stance").count() > 0, (
            "no stance badges (span.stance) on the compare page"
        )
        problems += [f"{viewport['width']} px: {p}" for p in unreadable_badges(light_page)]
    assert not problems, "\n".join(problems)


# --- analyst verdicts and derived facts ------------------------------------------------------

VERDICTS = {"agree", "same-stance-different-reasons", "disagree", "partial", "not-comparable"}
DERIVED = {"same-stance", "different-stances", "mixed", "only-a", "only-b"}


def test_rows_carry_topic_and_relation(site: BuiltSite, light_page: Page) -> None:
    light_page.goto(site.require(COMPARE_PAIR))
    rows = light_page.eval_on_selector_all(
        "section.compare div.compare-row",
        """rs => rs.map(r => [r.id, r.dataset.topic, r.dataset.relation,
                              r.dataset.relationSource])""",
    )
    assert rows
    for row_id, topic, relation, source in rows:
        assert row_id == f"topic-{topic}"
        assert relation in (VERDICTS if source == "analyst" else DERIVED), (row_id, relation)
    by_topic = {topic: (relation, source) for _, topic, relation, source in rows}
    assert by_topic["ceasefire"] == ("same-stance-different-reasons", "analyst")


def test_ceasefire_is_same_stance_different_reasons_never_agree(
    site: BuiltSite, light_page: Page
) -> None:
    for viewport in (DESKTOP, PHONE):
        light_page.set_viewport_size(viewport)
        light_page.goto(site.require(COMPARE_PAIR))
        group = light_page.locator(".overview-group").filter(
            has=light_page.locator("a[href='#topic-ceasefire']")
        )
        assert group.count() == 1
        heading = group.locator("h3").inner_text()
        assert heading.startswith("Same stance, different reasons"), heading
        assert "agree" not in heading.lower()
        summary = group.locator(".verdict-summary").first
        assert summary.is_visible()
        assert "other side would use the pause to rearm" in summary.inner_text()
        assert "As of 4 July 2024" in group.inner_text()
        # Evidence links go to the exact passages, under the site's sub-path.
        hrefs = group.locator(".verdict-evidence a").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))"
        )
        assert f"{SUB_PATH}{BRIEFING}#putin-ceasefire-hope" in hrefs
        assert f"{SUB_PATH}{BRIEFING}#zelensky-rearmament-risk" in hrefs
        # No overview heading or relation says "agree" unless it is an analyst's verdict.
        unsigned = light_page.eval_on_selector_all(
            ".overview h3, .relation",
            """els => els.filter(e => /agree/i.test(e.innerText)
                                 && !e.closest('[data-verdict]')).map(e => e.innerText)""",
        )
        assert unsigned == []


def test_home_leads_with_the_verdicts(site: BuiltSite, light_page: Page) -> None:
    light_page.set_viewport_size(DESKTOP)
    light_page.goto(site.require(""))
    first = light_page.locator(".featured-list > li").first
    assert first.get_attribute("data-topic") == "ceasefire"
    assert first.get_attribute("data-relation") == "same-stance-different-reasons"
    box = box_of(first.locator(".featured-summary"))
    assert box.y + box.height <= DESKTOP["height"], "the ceasefire verdict is below the fold"
    assert "rearm" in first.locator(".featured-summary").inner_text()


def test_compare_cells_say_whether_a_quote_is_direct_or_a_paraphrase(
    site: BuiltSite, light_page: Page
) -> None:
    light_page.goto(site.require(COMPARE_PAIR))
    markers = light_page.locator("#topic-mediation .compare-a .reporting").all_inner_texts()
    assert markers and markers[0] == "Direct quote"
    markers = light_page.locator("#topic-mediation .compare-b .reporting").all_inner_texts()
    assert markers and markers[0] == "Paraphrase by the outlet"

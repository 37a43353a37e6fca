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
from tests.support.fixtures import COMPARE_PAIR, DESKTOP, PHONE, BuiltSite


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

"""Annotation notes: reachable and operable by keyboard, shown without JavaScript and on paper."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize

from tests.support.checks import (
    focus_indicator_problem,
    hidden_note_content,
    is_open,
    tab_until,
    undecorated_highlights,
)
from tests.support.fixtures import BRIEFING, DESKTOP, PHONE, BuiltSite

SUMMARY = "details.note > summary"


def _page(request: pytest.FixtureRequest, js: bool) -> Page:
    page: Page = request.getfixturevalue("light_page" if js else "nojs_page")
    return page


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_keyboard_reaches_and_opens_a_note(
    site: BuiltSite, request: pytest.FixtureRequest, js: bool, viewport: ViewportSize
) -> None:
    page = _page(request, js)
    page.set_viewport_size(viewport)
    page.goto(site.require(BRIEFING))
    assert page.locator("details.note").count() > 0, "the briefing has no details.note"

    tab_until(page, SUMMARY)
    problem = focus_indicator_problem(page, SUMMARY)
    assert problem is None, problem

    details = page.locator(f"{SUMMARY}:focus").locator("xpath=..")
    note_id = details.get_attribute("id")
    assert note_id, "the focused note's details has no id"
    before = is_open(details)
    page.keyboard.press("Enter")
    assert is_open(details) != before, f"Enter did not toggle #{note_id}"
    page.keyboard.press("Enter")
    assert is_open(details) == before, f"a second Enter did not toggle #{note_id} back"
    page.keyboard.press("Space")
    assert is_open(details) != before, f"Space did not toggle #{note_id}"
    if not is_open(details):
        page.keyboard.press("Enter")
    assert is_open(details), f"#{note_id} could not be opened by keyboard"
    assert hidden_note_content(page, f'[id="{note_id}"]') == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_notes_work_without_javascript(
    site: BuiltSite, nojs_page: Page, viewport: ViewportSize
) -> None:
    """Every note is shown, either at once (margin notes) or after the reader clicks its
    summary, with JavaScript off."""
    nojs_page.set_viewport_size(viewport)
    nojs_page.goto(site.require(BRIEFING))
    notes = nojs_page.locator("details.note")
    count = notes.count()
    assert count > 0, "without JavaScript the briefing has no details.note"
    problems = []
    for i in range(count):
        details = notes.nth(i)
        note = f'[id="{details.get_attribute("id")}"]'
        if hidden_note_content(nojs_page, note):
            details.locator("> summary").click(timeout=5000)
            if not is_open(details):
                problems.append(f"{note}: clicking its summary does not open it")
        problems += hidden_note_content(nojs_page, note)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_print_shows_notes_and_marks_without_backgrounds(
    site: BuiltSite, request: pytest.FixtureRequest, js: bool
) -> None:
    page = _page(request, js)
    page.goto(site.require(BRIEFING))
    page.emulate_media(media="print")
    if js:  # a browser announces printing to scripts; a theme may react to it
        page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("mark.hl").count() > 0, "the briefing has no mark.hl"
    undecorated = undecorated_highlights(page)
    assert not undecorated, (
        "in print, highlights without background colours look like plain text "
        "(need an underline or a border):\n" + "\n".join(undecorated)
    )
    hidden = hidden_note_content(page)
    assert not hidden, "in print, notes are not shown:\n" + "\n".join(hidden)

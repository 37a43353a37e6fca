"""The briefing page on every screen: margin notes beside the text, notes one tap or one
Enter away on a phone, passage and note lit together, a short tab order (issue 14, item 6)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.support.checks import focus_indicator_problem, settle, tab_until
from tests.support.fixtures import BRIEFING, DESKTOP, PHONE, BuiltSite

# The demo briefing at 1280 px with its notes may be at most this much taller than the same
# page with the notes removed (the notes column may run a little past the end of the text).
HEIGHT_BOUND = 1.08

MARK = "#text mark.hl[tabindex]"


@pytest.fixture(scope="module")
def phone(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    yield ctx
    ctx.close()


def _geometry(page: Page, anno: str) -> dict[str, float]:
    return page.evaluate(
        """(id) => {
          const marks = document.querySelectorAll(`#text mark[data-anno="${CSS.escape(id)}"]`);
          const note = document.getElementById("note-" + id).getBoundingClientRect();
          const first = marks[0].getBoundingClientRect();
          const last = marks[marks.length - 1].getBoundingClientRect();
          return {markTop: first.top, markBottom: last.bottom, noteTop: note.top,
                  noteLeft: note.left, noteRight: note.right, noteHeight: note.height};
        }""",
        anno,
    )


def _ids(page: Page) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        "details.note[data-anno]", "ns => ns.map(n => n.dataset.anno)"
    )
    return ids


def test_notes_live_outside_the_selector_scope(site: BuiltSite, light_page: Page) -> None:
    light_page.goto(site.require(BRIEFING))
    inside = light_page.locator("#text details, #text aside, #text .note").count()
    assert inside == 0, "div#text must hold the document's text only"
    assert light_page.locator(".briefing-notes details.note").count() == len(_ids(light_page))


def test_tapping_a_passage_on_a_phone_opens_its_note_right_below(
    site: BuiltSite, phone: BrowserContext
) -> None:
    page = phone.new_page()
    page.goto(site.require(BRIEFING))
    ids = _ids(page)
    assert len(ids) >= 5
    for anno in ids[:: max(1, len(ids) // 6)]:
        mark = page.locator(f'#text mark[data-anno="{anno}"]').first
        mark.scroll_into_view_if_needed()
        mark.tap()
        note = page.locator(f'[id="note-{anno}"]')
        assert note.evaluate("n => n.open"), f"tapping #{anno} did not open its note"
        assert note.is_visible()
        g = _geometry(page, anno)
        assert g["markBottom"] - 2 <= g["noteTop"] <= g["markBottom"] + 24, (anno, g)
        assert g["noteLeft"] >= 0 and g["noteRight"] <= PHONE["width"], (anno, g)
        assert g["noteTop"] < PHONE["height"], f"#{anno}'s note opened off screen: {g}"
        page.locator("h1").tap()  # tapping elsewhere closes it
        assert not note.evaluate("n => n.open"), f"#{anno}'s note stayed open"
    page.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_enter_on_a_highlight_opens_its_note(
    site: BuiltSite, light_page: Page, viewport: dict[str, int]
) -> None:
    light_page.set_viewport_size(viewport)  # type: ignore[arg-type]
    light_page.goto(site.require(BRIEFING))
    settle(light_page)
    tab_until(light_page, MARK)
    assert focus_indicator_problem(light_page, MARK) is None
    anno = light_page.evaluate("document.activeElement.dataset.anno")
    light_page.keyboard.press("Enter")
    note = light_page.locator(f'[id="note-{anno}"]')
    assert note.evaluate("n => n.open") and note.is_visible()
    focused = light_page.evaluate(f"!!document.activeElement.closest('[id=\"note-{anno}\"]')")
    assert focused, "Enter should move focus into the note, so its links come next"
    if viewport["width"] < 1000:
        g = _geometry(light_page, anno)
        assert g["markBottom"] - 2 <= g["noteTop"] <= g["markBottom"] + 24, g
        light_page.keyboard.press("Escape")
        assert not note.evaluate("n => n.open")
        assert light_page.evaluate("document.activeElement.dataset.anno") == anno


def test_hover_and_focus_light_passage_and_note_together(site: BuiltSite, light_page: Page) -> None:
    light_page.goto(site.require(BRIEFING))
    settle(light_page)
    ids = _ids(light_page)
    anno, other = ids[2], ids[3]
    note = light_page.locator(f'[id="note-{anno}"]')
    plain = note.evaluate("n => getComputedStyle(n).backgroundColor")
    light_page.locator(f'#text mark[data-anno="{anno}"]').first.hover()
    assert note.evaluate("n => n.classList.contains('is-hot')")
    assert note.evaluate("n => getComputedStyle(n).backgroundColor") != plain
    assert light_page.locator("details.note.is-hot").count() == 1
    # the reverse: hovering a note lights every segment of its passage (the hovered note
    # above opens fully over its neighbours, so move away first)
    light_page.mouse.move(0, 0)
    light_page.locator(f'[id="note-{other}"] summary').hover(force=True)
    marks = light_page.locator(f'#text mark[data-anno="{other}"]')
    assert marks.count() == light_page.locator(f'#text mark.is-hot[data-anno="{other}"]').count()
    assert light_page.locator("#text mark.is-hot:not([data-anno='" + other + "'])").count() == 0
    # and focus does the same as hover
    light_page.mouse.move(0, 0)
    tab_until(light_page, MARK)
    focused = light_page.evaluate("document.activeElement.dataset.anno")
    assert light_page.locator(f'[id="note-{focused}"]').evaluate(
        "n => n.classList.contains('is-hot')"
    )


def test_margin_notes_do_not_push_the_text_apart(site: BuiltSite, light_page: Page) -> None:
    light_page.goto(site.require(BRIEFING))
    settle(light_page)
    measure = """() => ({page: document.documentElement.scrollHeight,
                         text: document.querySelector('#text').getBoundingClientRect().height})"""
    with_notes = light_page.evaluate(measure)
    boxes = light_page.evaluate(
        """() => [...document.querySelectorAll('details.note')].map(n => {
             const r = n.getBoundingClientRect();
             const m = document.querySelector(`#text mark[data-anno="${n.dataset.anno}"]`);
             return [r.top, r.bottom, r.left, m.getBoundingClientRect().top,
                     document.querySelector('#text').getBoundingClientRect().right];
           })"""
    )
    for (top, bottom, left, mark_top, text_right), after in itertools.pairwise(boxes):
        assert left >= text_right, "a note overlaps the text column"
        assert top >= mark_top - 1, "a note sits above its passage"
        assert bottom <= after[0] + 1, "two notes overlap"
    assert boxes[0][0] - boxes[0][3] < 4, "the first note is not level with its passage"
    light_page.add_style_tag(content=".briefing-notes { display: none !important; }")
    without = light_page.evaluate(measure)
    assert abs(with_notes["text"] - without["text"]) <= 1, "notes change the text's height"
    ratio = with_notes["page"] / without["page"]
    assert ratio <= HEIGHT_BOUND, f"{with_notes} vs {without} without notes: {ratio:.3f}"


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_crossing_the_briefing_takes_few_tab_stops(
    site: BuiltSite, request: pytest.FixtureRequest, js: bool
) -> None:
    page: Page = request.getfixturevalue("light_page" if js else "nojs_page")
    page.goto(site.require(BRIEFING))
    notes = page.locator("details.note").count()
    first_stop = "#text [tabindex], #text a, a.skip-notes"
    start = tab_until(page, first_stop)
    skip = tab_until(page, "a.skip-notes") if js else start
    stops_in_text = page.locator("#text [tabindex='0'], #text a[href]").count()
    assert stops_in_text <= notes + page.locator("#text a[href]").count()
    assert skip - start <= notes + 1 or not js, f"{skip - start} stops before the skip link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    after = page.evaluate("!!document.activeElement.closest('.positions-summary')")
    assert after, "the skip link does not lead past the notes"

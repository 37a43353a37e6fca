"""Each check of the harness fails on a deliberately broken page, and passes on a sound one.

A tiny hand-written site under a sub-path; the same functions that judge the real site judge it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.support.axe import run_axe
from tests.support.checks import (
    PageWatch,
    box_of,
    focus_indicator_problem,
    has_horizontal_scroll,
    hidden_note_content,
    overflowing_elements,
    page_background,
    relative_luminance,
    side_by_side,
    stacked,
    tab_until,
    target_style_difference,
    undecorated_highlights,
    unreadable_badges,
    viewport_problem,
)
from tests.support.fixtures import DESKTOP, PHONE
from tests.support.linkcheck import LinkChecker
from tests.support.server import SiteServer, serve
from tests.support.vnu import run_vnu

SUB = "/broken/sub/"


def _doc(title: str, body: str, head: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n{head}</head>\n<body>\n"
        f'<main id="main">\n<h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n'
    )


FILLER = "\n".join(
    f"<p>Filler paragraph {i}. " + "Words of text. " * 30 + "</p>" for i in range(12)
)
MARKS = (
    "<style>mark.hl{background:#ffe08a;color:#000}"
    " mark.styled:target{outline:3px solid #00f}</style>\n"
)

PAGES: dict[str, str] = {
    "index.html": _doc("Sound page", f'<p><a href="{SUB}links/#here">a link</a></p>'),
    "invalid/index.html": (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"></head>\n'
        "<body><div><p>unclosed <span>and stray</div></p><blink>x</blink></body></html>\n"
    ),
    "inaccessible/index.html": _doc(
        "Inaccessible",
        '<p style="color:#bbb;background:#fff">Faint grey text nobody can read.</p>\n'
        '<form><input type="text" name="q"></form>',
    ),
    "links/index.html": _doc(
        "Links",
        f'<p id="here"><a href="{SUB}no-such-page/">missing page</a>\n'
        f'<a href="{SUB}#no-such-id">missing fragment</a>\n'
        '<a href="/static/outside.css">outside the base path</a>\n'
        f'<img alt="x" src="{SUB}missing.png" srcset="{SUB}index.html 1x, {SUB}gone.png 2x">\n'
        f'<a href="{SUB}index.html">fine</a> <a href="../">fine</a> <a href="#here">fine</a>\n'
        '<a href="https://example.org/x">external</a></p>',
    ),
    "wide/index.html": _doc("Wide", '<div style="width:600px">a fixed-width block</div>'),
    "narrow/index.html": _doc("Narrow", "<p>Fits any phone.</p>"),
    "marks/index.html": _doc(
        "Marks",
        FILLER + '\n<p><mark id="plain" class="hl">no target style</mark> and '
        '<mark id="styled" class="hl styled">a target style</mark>.</p>\n' + FILLER,
        head=MARKS,
    ),
    "covered/index.html": _doc(
        "Covered",
        FILLER + '\n<p><mark id="hidden-mark" class="hl">under the header</mark></p>\n' + FILLER,
        head=(
            "<style>header{position:fixed;top:0;left:0;right:0;height:50vh;"
            "background:#fff}</style>\n"
        ),
    ).replace("<main", "<header>sticky</header>\n<main"),
    "layout/index.html": _doc(
        "Layout",
        '<div id="row" style="display:flex;flex-direction:column">'
        '<div class="a">A</div><div class="b">B</div></div>'
        '<div id="flipped" style="display:flex;flex-direction:column-reverse">'
        '<div class="a">A</div><div class="b">B</div></div>'
        '<div id="grid" style="display:grid;grid-template-columns:1fr 1fr">'
        '<div class="a">A</div><div class="b">B</div></div>',
    ),
    "badges/index.html": _doc(
        "Badges",
        '<p><span class="stance">Opposes</span> <span class="stance"></span> '
        '<span class="stance" style="font-size:8px">Tiny</span> '
        '<span class="stance" style="display:none">Hidden</span></p>',
    ),
    "focus/index.html": _doc(
        "Focus",
        "<style>.bare summary{outline:none}</style>\n"
        '<details class="note bare" id="n1"><summary>No ring</summary><p>x</p></details>\n'
        '<details class="note" id="n2"><summary>Default ring</summary><p>y</p></details>',
    ),
    "print/index.html": _doc(
        "Print",
        "<style>mark.hl{background:#ffe08a;color:#000}"
        " @media print{mark.hl{background:none} mark.u{text-decoration:underline}}</style>\n"
        '<p><mark class="hl" id="m1">bare</mark> <mark class="hl u" id="m2">underlined</mark></p>\n'
        '<details class="note" id="closed"><summary>s</summary><p>closed note</p></details>\n'
        '<details class="note" id="open" open><summary>s</summary><p>open note</p></details>\n'
        '<details class="note" id="empty" open><summary>s</summary></details>',
    ),
    "script/index.html": _doc(
        "Script", "<p>x</p>", head="<script>document.title = 'script ran';</script>\n"
    ),
    "dark/index.html": _doc(
        "Dark",
        "<p>text</p>",
        head=(
            "<style>body{background:#fff;color:#000}"
            "@media (prefers-color-scheme:dark){body.yes{background:#111;color:#eee}}</style>\n"
        ),
    ).replace("<body>", '<body class="no">'),
    "errors/index.html": _doc(
        "Errors",
        "<p>x</p>",
        head=(
            f'<link rel="stylesheet" href="{SUB}missing.css">\n'
            "<script>throw new Error('boom')</script>\n"
        ),
    ),
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    root = tmp_path_factory.mktemp("broken")
    with serve(root, SUB) as server:
        for rel, html in PAGES.items():
            path = server.site_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(html, encoding="utf-8")
        (server.site_dir / "404.html").write_text(
            _doc("Not found", '<p><a href="index.html">relative link</a></p>'), encoding="utf-8"
        )
        yield server


@pytest.fixture
def page(light_page: Page) -> Page:
    """The shared light-mode page (one browser, one context), instead of a fresh context."""
    return light_page


def _only(server: SiteServer, name: str, tmp_path: Path) -> Path:
    """A copy of one page alone in a directory, for whole-directory tools like vnu."""
    target = tmp_path / name
    target.mkdir()
    src = server.site_dir / name / "index.html"
    (target / "index.html").write_bytes(src.read_bytes())
    return target


# --- validator -----------------------------------------------------------------------------------


def test_vnu_reports_invalid_html_and_only_that(broken: SiteServer, tmp_path: Path) -> None:
    _only(broken, "invalid", tmp_path)
    _only(broken, "narrow", tmp_path)
    messages = run_vnu(tmp_path)
    assert messages and all(m["type"] == "error" for m in messages), messages
    assert {str(m["url"]).rsplit("/", 2)[-2] for m in messages} == {"invalid"}, messages
    texts = " | ".join(str(m.get("message")) for m in messages)
    assert "blink" in texts and "title" in texts, texts


# --- links ---------------------------------------------------------------------------------------


def test_link_checker_reports_each_broken_link(broken: SiteServer) -> None:
    checker = LinkChecker(broken.site_dir, broken.base_url)
    problems = checker.check()
    found = {(p.page, p.url) for p in problems}
    assert found == {
        ("links/index.html", f"{SUB}no-such-page/"),
        ("links/index.html", f"{SUB}#no-such-id"),
        ("links/index.html", "/static/outside.css"),
        ("links/index.html", f"{SUB}missing.png"),
        ("links/index.html", f"{SUB}gone.png"),
        ("errors/index.html", f"{SUB}missing.css"),
        ("404.html", "index.html"),
    }, "\n".join(map(str, problems))
    by_url = {p.url: p for p in problems}
    assert "no element with id 'no-such-id'" in by_url[f"{SUB}#no-such-id"].reason
    assert by_url[f"{SUB}no-such-page/"].element.startswith("<a href=")
    assert by_url[f"{SUB}no-such-page/"].line is not None


# --- axe -----------------------------------------------------------------------------------------


def test_axe_reports_low_contrast_and_unlabelled_control(broken: SiteServer, page: Page) -> None:
    page.goto(broken.url("inaccessible/"))
    ids = {v["id"] for v in run_axe(page)}
    assert {"color-contrast", "label"} <= ids, ids


def test_axe_passes_a_sound_page(broken: SiteServer, page: Page) -> None:
    page.goto(broken.url("narrow/"))
    assert run_axe(page) == []


# --- layout --------------------------------------------------------------------------------------


def test_horizontal_scroll_is_flagged_at_360px(broken: SiteServer, page: Page) -> None:
    page.set_viewport_size(PHONE)
    page.goto(broken.url("wide/"))
    assert has_horizontal_scroll(page)
    assert any(e.startswith("div") for e in overflowing_elements(page))
    page.goto(broken.url("narrow/"))
    assert not has_horizontal_scroll(page)


def test_order_and_side_by_side_checks(broken: SiteServer, page: Page) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(broken.url("layout/"))

    def ab(row: str) -> tuple[object, object]:
        return box_of(page.locator(f"#{row} .a")), box_of(page.locator(f"#{row} .b"))

    a, b = ab("row")
    assert stacked(a, b) and not side_by_side(a, b)  # type: ignore[arg-type]
    a, b = ab("flipped")
    assert not stacked(a, b), "B drawn above A must not count as 'A then B'"  # type: ignore[arg-type]
    a, b = ab("grid")
    assert side_by_side(a, b) and not stacked(a, b)  # type: ignore[arg-type]


def test_unreadable_badges_are_flagged(broken: SiteServer, page: Page) -> None:
    page.goto(broken.url("badges/"))
    problems = unreadable_badges(page)
    assert len(problems) == 3, problems
    joined = "\n".join(problems)
    assert "no visible text" in joined and "font-size 8px" in joined and "not visible" in joined


# --- :target and viewport ------------------------------------------------------------------------


def test_mark_without_target_style_is_flagged(broken: SiteServer, page: Page) -> None:
    page.goto(broken.url("marks/#plain"))
    assert viewport_problem(page, "#plain") is None
    assert target_style_difference(page, "plain") == {}
    page.goto(broken.url("marks/#styled"))
    difference = target_style_difference(page, "styled")
    assert "outline-style" in difference, difference


def test_mark_outside_viewport_or_covered_is_flagged(broken: SiteServer, page: Page) -> None:
    page.goto(broken.url("marks/"))  # no fragment: the marks are far below the fold
    problem = viewport_problem(page, "#plain")
    assert problem and "outside the viewport" in problem
    page.goto(broken.url("covered/#hidden-mark"))  # scrolled to, but under a fixed header
    problem = viewport_problem(page, "#hidden-mark")
    assert problem and "covered by" in problem


# --- keyboard ------------------------------------------------------------------------------------


def test_missing_focus_indicator_is_flagged(broken: SiteServer, page: Page) -> None:
    page.goto(broken.url("focus/"))
    tab_until(page, "details.note > summary")
    assert page.evaluate("() => document.activeElement.parentElement.id") == "n1"
    problem = focus_indicator_problem(page, "details.note > summary")
    assert problem and "no outline or box-shadow" in problem
    page.keyboard.press("Tab")
    assert focus_indicator_problem(page, "details.note > summary") is None


def test_tab_until_fails_when_nothing_matches(broken: SiteServer, page: Page) -> None:
    page.goto(broken.url("narrow/"))
    with pytest.raises(AssertionError, match="never focused"):
        tab_until(page, "details.note > summary", max_presses=10)


def test_nojs_context_really_runs_no_scripts(
    broken: SiteServer, page: Page, nojs_page: Page
) -> None:
    page.goto(broken.url("script/"))
    assert page.title() == "script ran"
    nojs_page.goto(broken.url("script/"))
    assert nojs_page.title() == "Script"


# --- print and notes -----------------------------------------------------------------------------


def test_print_checks_flag_plain_marks_and_closed_notes(broken: SiteServer, page: Page) -> None:
    page.goto(broken.url("print/"))
    page.emulate_media(media="print")
    undecorated = undecorated_highlights(page)
    assert len(undecorated) == 1 and "#m1" in undecorated[0], undecorated
    hidden = hidden_note_content(page)
    assert len(hidden) == 2, hidden
    assert any("#closed" in h and "not shown" in h for h in hidden)
    assert any("#empty" in h and "no content" in h for h in hidden)
    page.emulate_media(media="screen")
    undecorated = undecorated_highlights(page)
    assert len(undecorated) == 2, "on screen neither mark is underlined"


# --- dark mode and page load ---------------------------------------------------------------------


def test_dark_mode_check_sees_a_page_that_ignores_the_scheme(
    broken: SiteServer, dark_page: Page
) -> None:
    page = dark_page
    page.goto(broken.url("dark/"))
    assert relative_luminance(page_background(page)) > 0.5  # body.no stays white
    page.evaluate("() => { document.body.className = 'yes'; }")
    assert relative_luminance(page_background(page)) < 0.2


def test_page_watch_reports_script_errors_and_missing_resources(
    broken: SiteServer, page: Page
) -> None:
    watch = PageWatch(page)
    page.goto(broken.url("errors/"))
    watch.close()
    joined = "\n".join(watch.problems)
    assert "boom" in joined and "HTTP 404" in joined, joined
    watch = PageWatch(page)
    response = page.goto(broken.url("no/such/page/"))
    watch.close()
    assert response is not None and response.status == 404
    assert watch.problems == [], "a page that is meant to be 404 is not a problem in itself"
    assert urlsplit(page.url).path == f"{SUB}no/such/page/"

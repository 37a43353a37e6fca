"""The comparison fixture's pages (every relation, mixed stances, questions without answer
phrases) are valid HTML and pass axe, light and dark, on a phone and a desktop."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from briefgen.cli import main
from tests.support.axe import format_violations, run_axe
from tests.support.checks import box_of, has_horizontal_scroll, side_by_side, stacked
from tests.support.compare_site import copy_compare_site
from tests.support.fixtures import DESKTOP, PHONE
from tests.support.server import SiteServer, serve
from tests.support.vnu import format_messages, run_vnu

PAGES = ["", "compare/", "compare/one-vs-two/", "topics/eta/", "actors/one/", "actors/"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    root = tmp_path_factory.mktemp("cmp-served")
    site = copy_compare_site(root / "site")
    with serve(root / "www", "/cmp/") as server:
        args = ["build", str(site), "-o", str(server.site_dir), "--no-search", "-q"]
        assert main([*args, "--base-url", server.base_url]) == 0
        yield server


def test_fixture_pages_are_valid_html(served: SiteServer) -> None:
    messages = run_vnu(served.site_dir)
    assert not messages, format_messages(messages, served.site_dir)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_fixture_pages_pass_axe(served: SiteServer, browser: Browser, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    failures = []
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in PAGES:
            page.goto(served.url(path))
            violations = run_axe(page)
            if violations:
                failures.append(f"{path} {viewport}: {format_violations(violations)}")
    context.close()
    assert not failures, "\n".join(failures)


def test_fixture_compare_page_stacks_on_a_phone_and_sits_side_by_side_on_a_desktop(
    served: SiteServer, browser: Browser
) -> None:
    page = browser.new_page()
    for viewport, fits in ((PHONE, stacked), (DESKTOP, side_by_side)):
        page.set_viewport_size(viewport)
        page.goto(served.url("compare/one-vs-two/"))
        assert not has_horizontal_scroll(page), viewport
        rows = page.locator("section.compare div.compare-row")
        assert rows.count() == 7
        for i in range(rows.count()):
            row = rows.nth(i)
            a = box_of(row.locator(".compare-cell.compare-a"))
            b = box_of(row.locator(".compare-cell.compare-b"))
            assert fits(a, b), (viewport, row.get_attribute("id"), a, b)
    mixed = page.locator("#topic-eta .compare-a .mixed-line").inner_text()
    assert mixed.startswith("Mixed:") and "Supports" in mixed and "Opposes" in mixed
    page.close()

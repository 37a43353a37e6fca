"""axe-core finds no WCAG 2.2 AA or best-practice violation on any page type, light or dark,
on a desktop and a phone, and in a briefing with every note open."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize

from tests.support.axe import format_violations, run_axe
from tests.support.fixtures import BRIEFING, DESKTOP, PHONE, BuiltSite


def _audit(site: BuiltSite, page: Page, viewport: ViewportSize) -> list[str]:
    page.set_viewport_size(viewport)
    failures = []
    types = site.page_types()
    for kind, path in types.items():
        page.goto(site.url(path))
        if kind == "search":  # audit the search UI once its components have rendered
            page.wait_for_selector("pagefind-filter-dropdown .pf-dropdown-trigger-label")
        violations = run_axe(page)
        if violations:
            failures.append(f"== {kind} ({site.url(path)})\n{format_violations(violations)}")
    return failures


@pytest.mark.parametrize(
    ("scheme", "viewport"),
    [("light", DESKTOP), ("dark", DESKTOP), ("light", PHONE), ("dark", PHONE)],
    ids=["light-1280px", "dark-1280px", "light-360px", "dark-360px"],
)
def test_no_axe_violations(
    site: BuiltSite, request: pytest.FixtureRequest, scheme: str, viewport: ViewportSize
) -> None:
    page: Page = request.getfixturevalue(f"{scheme}_page")
    failures = _audit(site, page, viewport)
    assert not failures, "axe violations:\n" + "\n".join(failures)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_with_every_note_open(
    site: BuiltSite, request: pytest.FixtureRequest, scheme: str
) -> None:
    page: Page = request.getfixturevalue(f"{scheme}_page")
    page.goto(site.require(BRIEFING))
    opened = page.evaluate(
        "() => [...document.querySelectorAll('details.note')].map(d => (d.open = true))"
    )
    assert opened, "the briefing has no details.note"
    violations = run_axe(page)
    assert not violations, format_violations(violations)

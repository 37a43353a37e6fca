"""Every Text Fragment link, opened by a real navigation in Chromium, highlights its passage.

`::target-text` is painted magenta (nothing else is), the highlights' own backgrounds are
removed, and a screenshot of the viewport is read back: the passage must be on screen and
painted, and nothing outside its boxes may be.
"""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import Browser

from tests.support.annotator import (
    COUNT_MAGENTA,
    PASSAGE_RECTS,
    TARGET_TEXT_CSS,
    briefing_paths,
    exported_annotations,
)
from tests.support.checks import settle
from tests.support.fixtures import DESKTOP, BuiltSite


@pytest.mark.parametrize("site_name", ["site", "awkward_site"], ids=["demo", "awkward"])
def test_every_text_fragment_link_highlights_its_passage(
    request: pytest.FixtureRequest, site_name: str, browser: Browser
) -> None:
    site: BuiltSite = request.getfixturevalue(site_name)
    context = browser.new_context(viewport=DESKTOP, color_scheme="light")
    page, blank = context.new_page(), context.new_page()
    problems: list[str] = []
    linked = 0
    try:
        for path in briefing_paths(site):
            for item in exported_annotations(site, path):
                target = item["target"]
                link = target.get("briefgen:textFragment")
                anno = item["id"].split("#")[-1]
                if link is None:
                    assert target.get("briefgen:noTextFragment"), f"{anno}: no link, no reason"
                    continue
                linked += 1
                page.goto("about:blank")
                page.goto(link.replace(site.base_url.split(path)[0], site.base_url, 1))
                page.add_style_tag(content=TARGET_TEXT_CSS)
                settle(page)
                rects = page.evaluate(PASSAGE_RECTS, anno)
                png = base64.b64encode(page.screenshot()).decode("ascii")
                seen = blank.evaluate(COUNT_MAGENTA, [png, rects])
                if not rects or not seen["inside"] or 0 in seen["hit"] or seen["outside"]:
                    problems.append(f"{path}#{anno}: {seen} over {len(rects)} boxes ({link})")
    finally:
        context.close()
    assert linked, "no annotation has a Text Fragment link"
    assert not problems, "\n".join(problems)

"""Every exported W3C selector resolves, with a real client, to exactly its passage.

Apache Annotator runs in Chromium on each briefing page of the demo site and of the
awkward-anchors fixture (emphasis and links inside quotes, repeated phrases, nested and
overlapping passages, quotes at the start and end of blocks, curly quotes and dashes, Cyrillic,
CJK and astral characters, a hard line break, entities). The passage is where the page's own
`<mark data-anno=...>` elements are: the selectors are checked against the page, not against
briefgen's idea of the text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.support.annotator import briefing_paths, exported_annotations, resolve_all
from tests.support.fixtures import BuiltSite


def _site(request: pytest.FixtureRequest, name: str) -> BuiltSite:
    site: BuiltSite = request.getfixturevalue(name)
    return site


@pytest.mark.parametrize("site_name", ["site", "awkward_site"], ids=["demo", "awkward"])
def test_apache_annotator_resolves_every_selector_to_its_passage(
    request: pytest.FixtureRequest, site_name: str, light_page: Page, annotator_bundle: Path
) -> None:
    site = _site(request, site_name)
    paths = briefing_paths(site)
    assert paths, "the site has no briefing with annotations.json"
    problems: list[str] = []
    checked = 0
    for path in paths:
        light_page.goto(site.require(path))
        light_page.add_script_tag(path=str(annotator_bundle))
        text_txt = (site.site_dir / path / "text.txt").read_text("utf-8")
        scope_text = light_page.evaluate("document.querySelector('#text').textContent")
        assert scope_text == text_txt, f"{path}: text.txt is not the textContent of #text"
        items = exported_annotations(site, path)
        for result in resolve_all(light_page, items):
            where = f"{path}#{result['id']}"
            if result["marks"] is None:
                problems.append(f"{where}: no <mark data-anno> on the page")
                continue
            kinds = sorted(r["type"] for r in result["resolved"])
            if kinds != ["TextPositionSelector", "TextQuoteSelector"]:
                problems.append(f"{where}: selectors {kinds}")
            for resolved in result["resolved"]:
                checked += 1
                if resolved.get("matches") != [result["marks"]]:
                    problems.append(
                        f"{where}: {resolved['type']} matched {resolved.get('matches')}"
                        f" ({resolved.get('error', '')}), the passage is {result['marks']}"
                    )
    assert checked >= 2 * 10, f"only {checked} selectors were checked"
    assert not problems, "\n".join(problems)

"""axe-core (npm ``axe-core``) in a Playwright page."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from playwright.sync_api import Page

from tests.support.tools import AXE_JS, require_file

AXE_TAGS: tuple[str, ...] = (
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22aa",
    "best-practice",
)

AxeResult = dict[str, Any]

_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return results.violations;
}"""


def inject_axe(page: Page) -> None:
    """Load axe into ``page`` unless it is there already (contexts made with ``bypass_csp``)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(require_file(AXE_JS, "axe-core (npm axe-core)")))


def run_axe(page: Page, tags: Sequence[str] = AXE_TAGS) -> list[AxeResult]:
    """Run axe on the page as it is now; return the violations (empty list: none)."""
    inject_axe(page)
    return cast(list[AxeResult], page.evaluate(_RUN, list(tags)))


def format_violations(violations: Iterable[AxeResult]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v.get('impact')}] {v.get('id')}: {v.get('help')} ({v.get('helpUrl')})")
        for node in v.get("nodes", [])[:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = str(node.get("failureSummary", "")).replace("\n", " ")
            lines.append(f"    {target}: {summary}")
            lines.append(f"      {str(node.get('html', ''))[:200]}")
    return "\n".join(lines)

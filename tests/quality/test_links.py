"""No broken internal link anywhere in the output, under the sub-path."""

from __future__ import annotations

from tests.support.fixtures import BuiltSite
from tests.support.linkcheck import LinkChecker, format_problems


def test_no_broken_internal_links(site: BuiltSite) -> None:
    checker = LinkChecker(site.site_dir, site.base_url)
    problems = checker.check()
    assert not problems, f"{len(problems)} broken internal link(s):\n" + format_problems(problems)
    assert checker.checked_internal > 50, (
        f"only {checker.checked_internal} internal URLs found: is the checker seeing the site?"
    )

"""The default theme's position() macro writes out its stance badge and reporting line (a
macro call per position costs ~10 us on listing pages that show every position): they must
stay exactly what the stance() and reporting() macros make."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.build.pipeline import BuildOptions, prepare
from briefgen.build.writer import _environment
from tests.support.compare_site import copy_compare_site
from tests.support.paths import REPO


@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_position_shows_the_stance_and_reporting_macros_output(which: str, tmp_path: Path) -> None:
    site_dir = REPO if which == "demo" else copy_compare_site(tmp_path / "site")
    site = prepare(BuildOptions(site_dir, cache=False, search=False)).site
    env, _ = _environment(site)
    m = env.get_template("_macros.html").module
    positions = [p for b in site.briefings for p in b.positions]
    seen = {p.reporting for p in positions}
    assert seen >= ({"direct", "paraphrase"} if which == "demo" else {None}), seen
    for p in positions:
        html = str(m.position(p))  # type: ignore[attr-defined]
        badge = str(m.stance(p.stance, p.topic))  # type: ignore[attr-defined]
        reporting = str(m.reporting(p))  # type: ignore[attr-defined]
        head = html.split('<p class="position-head">', 1)[1].split("</p>", 1)[0]
        assert head == badge, p.id
        source = html.split('<p class="position-source">', 1)[1]
        assert source.startswith(reporting + (" · " if p.reporting else "") + "<time"), p.id

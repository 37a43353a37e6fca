"""The resident build process keeps its builder (hashes, listings) between builds: an edit in
a folder behind a symbolic link, which changes no folder of the site, is built all the same."""

from __future__ import annotations

from pathlib import Path

from tests.support.resident import Resident
from tests.support.sites import briefings_linked

PAGE = "site/briefings/2024-01-02-synthetic/index.html"


def test_an_edit_behind_a_link_is_built_by_the_resident_process(
    resident: Resident, tmp_path: Path
) -> None:
    site, source = briefings_linked(tmp_path)
    first = resident.briefgen("build", "--no-search", cwd=site)
    assert first.code == 0, first.err
    assert "Synthetic marker one." in (site / PAGE).read_text()
    source.write_text(source.read_text().replace("marker one.", "marker two."))  # same size
    second = resident.briefgen("build", "--no-search", cwd=site)
    assert second.code == 0, second.err
    assert "Synthetic marker two." in (site / PAGE).read_text()
    said = resident.status(site)
    assert said["builds"] == said["warm_builds"] == 2  # both in the one resident builder

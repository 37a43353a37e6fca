"""`briefgen serve` on a site whose briefings are behind a symbolic link: a save there is
watched (watchfiles follows links) and built (the input check hashes through links)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.served import BRIEFING_FILE, BRIEFING_PATH, append_paragraph, start_serve


def test_a_save_in_a_linked_briefings_folder_is_served(demo_site: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside-briefings"
    shutil.move(demo_site / "content/briefings", outside)
    (demo_site / "content/briefings").symlink_to(outside, target_is_directory=True)
    # --production: each build with the same options (a save's deferred search index would
    # make the options, so the input digest, differ from the last build's anyway)
    served = start_serve(demo_site, tmp_path, "--production")
    try:
        served.wait_for_page(BRIEFING_PATH, "Shanghai Cooperation Organization")
        source = outside / Path(BRIEFING_FILE).relative_to("content/briefings")
        append_paragraph(source, "A paragraph saved behind a link, marker 3e9b.")
        served.wait_for_page(BRIEFING_PATH, "marker 3e9b")
    finally:
        served.stop()

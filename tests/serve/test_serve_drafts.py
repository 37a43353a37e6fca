"""`briefgen serve` shows drafts (an author previews their work), each with a visible marker."""

from __future__ import annotations

from tests.support.served import BRIEFING_FILE, BRIEFING_PATH, Served, poll, replace_once


def test_serve_shows_a_draft_with_a_draft_marker(served: Served) -> None:
    assert 'class="draft-marker"' not in served.get(BRIEFING_PATH).body
    replace_once(served.site / BRIEFING_FILE, "\ndraft: false\n", "\ndraft: true\n")
    page = served.wait_for_page(BRIEFING_PATH, 'class="draft-marker"')
    assert "<strong>Draft</strong>" in page.body
    replace_once(served.site / BRIEFING_FILE, "\ndraft: true\n", "\ndraft: false\n")
    poll(
        lambda: 'class="draft-marker"' not in served.get(BRIEFING_PATH).body,
        "the marker to go when the briefing is no longer a draft",
    )

"""The edit path of the sliced search index: what an edit reuses from the last build (stored
slices, fragments under either of their names) gives exactly a cold build's index."""

from __future__ import annotations

from pathlib import Path

from tests.search.builds import build, cold_index, stored
from tests.support.files import snapshot
from tests.support.sliced_site import briefing_file, write_briefing, write_sliced_site


def fragments(out: Path) -> dict[str, bytes]:
    return {
        name: data
        for name, data in snapshot(out / "pagefind").items()
        if name.startswith("fragment/")
    }


def test_slices_whose_fragments_were_renamed_are_still_reused(
    small_slices: None, colliding_fragments: None, pagefind_runs: Path, tmp_path: Path
) -> None:
    site = write_sliced_site(tmp_path / "site")
    build(site, tmp_path / "out")
    renamed = [name for name in fragments(tmp_path / "out") if len(name) > len("fragment/en_00")]
    assert len(renamed) > 10  # most slices have a fragment renamed by the merge
    before = stored(site)
    pagefind_runs.write_text("")
    write_briefing(site, 5, extra="\n\nAn appended synthetic sentence about zeal.")
    build(site, tmp_path / "out")
    assert pagefind_runs.read_text().count("start") == 1  # the edited slice only
    assert len(set(before) - set(stored(site))) == 1
    assert snapshot(tmp_path / "out" / "pagefind") == cold_index(site, tmp_path)


def test_a_fragment_that_changes_name_is_taken_from_the_output(
    small_slices: None, colliding_fragments: None, pagefind_runs: Path, tmp_path: Path
) -> None:
    """Briefing 11's slice holds the most fragments: without it, fragments of a later slice
    that were renamed are no longer, and with it again they are; their slice is not indexed
    again, so their bytes come from the output, under their other name."""
    site = write_sliced_site(tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    removed = briefing_file(site, 11)
    text = removed.read_text()
    for step in ("without", "with"):
        previous = fragments(out)
        if step == "without":
            removed.unlink()
        else:
            removed.write_text(text)
        pagefind_runs.write_text("")
        build(site, out)
        now = fragments(out)
        moved = [
            n for n, data in now.items() if previous.get(n) != data and data in previous.values()
        ]
        assert moved, step  # the case this test is about happened
        assert pagefind_runs.read_text().count("start") <= 1, step
        assert snapshot(out / "pagefind") == cold_index(site, tmp_path, f"cold-{step}"), step

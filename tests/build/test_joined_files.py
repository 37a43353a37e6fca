"""feed.xml and data/annotations.jsonl, joined from each briefing's part made ahead, are made
again only when a part (or what else they show) changed, and are then what a cold build makes:
from the command line, and in serve (results in memory, published in place)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefgen.build.cache import CACHE_DIR
from briefgen.build.inputs import FileHashes
from briefgen.build.pipeline import BuildOptions, Memory, build
from briefgen.exports import files as exports_files
from tests.support.sites import BRIEFING, FRONT, briefing, snapshot, write_site

NOTED = FRONT.replace("    summary: Synthetic.\n", "    summary: Synthetic.\n    note: A note.\n")
# A long body: an edit at its end is far from the quote (its suffix), so no selector changes.
BODY = "Synthetic body sentence. " * 40


def _edit(site: Path, old: str, new: str) -> None:
    path = site / BRIEFING
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _cold(site: Path, tmp_path: Path, name: str) -> dict[str, bytes]:
    fresh = tmp_path / f"cold-{name}"
    shutil.copytree(site, fresh / "site", ignore=shutil.ignore_patterns(CACHE_DIR))
    build(BuildOptions(fresh / "site", out_dir=fresh / "o" / "site", search=False, jobs=1))
    return snapshot(fresh / "o" / "site")


@pytest.mark.parametrize("serve", [False, True], ids=["briefgen build", "serve"])
def test_the_joined_files_are_made_when_a_part_changed_and_equal_a_cold_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, serve: bool
) -> None:
    site = write_site(tmp_path / "site", BODY)
    (site / BRIEFING).write_text(briefing(BODY, NOTED))
    other = briefing("Other synthetic body.").replace("alpha-one", "alpha-two")
    (site / "content/briefings/2024-01-05-other.md").write_text(other.replace("01-02", "01-05"))
    out = tmp_path / "o" / "site"
    options = BuildOptions(site, out_dir=out, search=False, jobs=1, publish_in_place=serve)
    memory, hashes = (Memory(), FileHashes()) if serve else (None, None)
    build(options, memory, hashes=hashes)
    made: list[str] = []
    for name in ("feed_xml", "annotations_jsonl"):
        real = getattr(exports_files, name)
        monkeypatch.setattr(
            exports_files,
            name,
            lambda *args, real=real, name=name: made.append(name) or real(*args),
        )

    steps = [
        ("body", lambda: _edit(site, BODY, BODY + "\n\nA closing line.\n"), []),
        ("note", lambda: _edit(site, "note: A note.", "note: An edited note."), ["annotations"]),
        ("note back", lambda: _edit(site, "An edited note.", "A note."), ["annotations"]),
        (
            "stance",
            lambda: _edit(site, "stance: supports", "stance: opposes"),
            ["annotations", "feed"],
        ),
        ("epoch", lambda: monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400"), ["feed"]),
        (
            "removed",
            lambda: (site / "content/briefings/2024-01-05-other.md").unlink(),
            ["annotations", "feed"],
        ),
    ]
    for name, change, expected in steps:
        made.clear()
        change()
        result = build(options, memory, hashes=hashes)
        assert not result.unchanged, name
        assert sorted(m.split("_")[0] for m in made) == expected, name
        assert snapshot(out) == _cold(site, tmp_path, name), name

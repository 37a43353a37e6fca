"""Warm builds (cache, skipped pages, untouched files) give exactly what a cold build gives."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from briefgen.build.cache import CACHE_DIR, DB_NAME, DocCache
from briefgen.build.pipeline import BuildOptions, Memory, build, prepare
from briefgen.diagnostics import UsageError
from briefgen.exports import files as exports_files
from tests.support.copies import with_id_prefix
from tests.support.files import snapshot
from tests.support.sites import BRIEFING as SYNTHETIC
from tests.support.sites import briefing, write_site

BRIEFING = "content/briefings/2024-07-04-putin-ceasefire-impossible.md"


def cold(site: Path, tmp_path: Path, name: str, search: bool = True) -> dict[str, bytes]:
    """A fresh build from a copy of the site, with no cache and no previous output."""
    fresh = tmp_path / f"fresh-{name}"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(CACHE_DIR, "out"))
    build(BuildOptions(fresh, fresh / "out", search=search, jobs=1))
    return snapshot(fresh / "out")


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


SCO = """  - id: context-sco-summit
    kind: context
    quote: at a press conference at the Shanghai Cooperation Organization (SCO) summit
    note: >-
      The setting of Putin's remarks: a press conference at the Shanghai Cooperation Organization
      summit. The text does not say where the summit was held or who else attended.
"""


EDITS = {
    "content": lambda s: edit(s / BRIEFING, "Russia cannot declare", "Russia cannot  declare"),
    "annotation": lambda s: edit(s / BRIEFING, "    summary: ", "    summary: Edited. "),
    # Each changes one briefing's lines of data/annotations.jsonl, or its feed entry, or both
    # (made from parts made ahead; a warm build keys them by their parts' digests).
    "note": lambda s: edit(s / BRIEFING, "The article's lead, a", "The article's edited lead, a"),
    "stance": lambda s: edit(s / BRIEFING, "stance: supports", "stance: opposes"),
    "annotation removed": lambda s: edit(s / BRIEFING, SCO, ""),
    "annotation added": lambda s: edit(
        s / BRIEFING, "  - id: context-inter", SCO + "  - id: context-inter"
    ),
    "config": lambda s: edit(s / "content/site.yaml", "title: ", "title: Edited "),
    "actor": lambda s: edit(s / "content/actors.yaml", "name: ", "name: Edited "),
    "template": lambda s: _override_template(s),
    "added": lambda s: _add_copy(s),
    "renamed": lambda s: (s / BRIEFING).rename(s / "content/briefings/2024-07-04-renamed.md"),
    "deleted": lambda s: (s / "content/briefings/2024-07-04-renamed.md").unlink(),
}


def _add_copy(site: Path) -> None:
    copy = site / "content/briefings/2024-07-05-copy.md"
    shutil.copy(site / BRIEFING, copy)
    copy.write_text(with_id_prefix(copy.read_text(encoding="utf-8"), "copy-"), encoding="utf-8")


def _override_template(site: Path) -> None:
    from briefgen.theme.files import BUILTIN_THEMES

    target = site / "themes/default/templates/briefing.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    source = (BUILTIN_THEMES / "default/templates/briefing.html").read_text(encoding="utf-8")
    target.write_text("{# synthetic override #}" + source.replace("</h1>", " (edited)</h1>", 1))


@pytest.mark.parametrize("in_memory", [False, True], ids=["on-disk cache", "serve's memory"])
def test_warm_builds_after_a_series_of_edits_equal_cold_builds(
    demo_site: Path, tmp_path: Path, in_memory: bool
) -> None:
    out = demo_site / "out"
    memory = Memory() if in_memory else None
    first = build(BuildOptions(demo_site, out, search=True, jobs=1), memory)
    assert not first.unchanged
    assert snapshot(out) == cold(demo_site, tmp_path, "start")

    again = build(BuildOptions(demo_site, out, search=True, jobs=1), memory)
    assert again.unchanged  # nothing changed: nothing rendered, nothing written

    for name, change in EDITS.items():
        change(demo_site)
        result = build(BuildOptions(demo_site, out, search=True, jobs=1), memory)
        assert not result.unchanged, name
        assert snapshot(out) == cold(demo_site, tmp_path, name), name


def test_editing_one_briefing_renders_only_it_and_the_pages_that_list_it(
    demo_site: Path, tmp_path: Path
) -> None:
    second = demo_site / BRIEFING.replace("putin-ceasefire-impossible", "second")
    shutil.copy(demo_site / BRIEFING, second)
    edit(second, "date: 2024-07-04", "date: 2024-07-05")
    text = second.read_text(encoding="utf-8")
    second.write_text(with_id_prefix(text, "second-"), encoding="utf-8")
    out = demo_site / "out"
    full = build(BuildOptions(demo_site, out, search=False, jobs=1))
    edit(second, "positive steps from Ukraine, Russian", "positive  steps from Ukraine, Russian")
    warm = build(BuildOptions(demo_site, out, search=False, jobs=1))
    # One briefing page fewer than a full render: the other briefing's page was skipped.
    assert warm.rendered == full.rendered - 1
    assert snapshot(out) == cold(demo_site, tmp_path, "two", search=False)

    second.write_text(second.read_text(encoding="utf-8") + "\nA synthetic closing line.\n")
    body_only = build(BuildOptions(demo_site, out, search=False, jobs=1))
    assert body_only.rendered == 1  # no annotation changed: only that briefing's page
    assert snapshot(out) == cold(demo_site, tmp_path, "body", search=False)


@pytest.mark.parametrize(
    ("template", "rendered"),
    [
        ("briefing.html", lambda name: name.startswith("briefings/")),
        ("topic.html", lambda name: name.startswith("topics/") and name != "topics/index.html"),
        ("_macros.html", lambda name: not name.startswith(("search/", "404"))),
        ("base.html", lambda name: True),
    ],
)
def test_a_template_edit_renders_the_pages_that_use_that_template(
    demo_site: Path, tmp_path: Path, template: str, rendered: Callable[[str], bool]
) -> None:
    from briefgen.site.pages import pages
    from briefgen.theme.files import BUILTIN_THEMES

    out = demo_site / "out"
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    site = prepare(BuildOptions(demo_site, out, search=False)).site
    expected = [p.file for p in pages(site) if rendered(p.file)]
    override = demo_site / "themes/default/templates" / template
    override.parent.mkdir(parents=True)
    source = (BUILTIN_THEMES / "default/templates" / template).read_text(encoding="utf-8")
    override.write_text(source + "{# synthetic edit #}\n", encoding="utf-8")
    warm = build(BuildOptions(demo_site, out, search=False, jobs=1))
    assert warm.rendered == len(expected) > 0
    assert snapshot(out) == cold(demo_site, tmp_path, template, search=False)


def _site_files_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The site-wide files made from now on (their makers' names), in order."""
    made: list[str] = []
    for name in ("positions_json", "sitemap_xml", "feed_xml", "annotations_jsonl"):
        real = getattr(exports_files, name)
        monkeypatch.setattr(
            exports_files,
            name,
            lambda *args, real=real, name=name: made.append(name) or real(*args),
        )
    return made


def test_a_body_edit_leaves_the_site_wide_exports_alone(
    demo_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = demo_site / "out"
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    made = _site_files_made(monkeypatch)
    briefing = demo_site / BRIEFING
    briefing.write_text(briefing.read_text(encoding="utf-8") + "\nA synthetic closing line.\n")
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    # No annotation, date or page changed: no such file is made again, but data/annotations
    # .jsonl: the demo's last quote ends the text, and the line gives the words after it.
    assert made == ["annotations_jsonl"]
    made.clear()
    edit(demo_site / BRIEFING, "    summary: ", "    summary: Edited. ")
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    assert sorted(made) == ["annotations_jsonl", "feed_xml", "positions_json", "sitemap_xml"]
    assert snapshot(out) == cold(demo_site, tmp_path, "exports", search=False)
    made.clear()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the feed's `updated`: it alone
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    assert made == ["feed_xml"]


def _synthetic_site(root: Path, count: int = 4) -> Path:
    """Briefings whose one quote stands far from the end of their text."""
    site = write_site(root, "Synthetic filler. " * 40)
    for i in range(count):
        text = briefing("Synthetic filler. " * 40).replace("alpha-one", f"a-{i}")
        (site / f"content/briefings/2024-02-{i + 1:02d}-synthetic-{i}.md").write_text(text)
    return site


def test_a_body_edit_far_from_any_quote_makes_no_site_wide_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _synthetic_site(tmp_path / "site")
    out = tmp_path / "out"
    build(BuildOptions(site, out, search=False, jobs=1))
    made = _site_files_made(monkeypatch)
    (site / SYNTHETIC).write_text((site / SYNTHETIC).read_text() + "\nA synthetic last line.\n")
    result = build(BuildOptions(site, out, search=False, jobs=1))
    assert result.rendered == 1 and made == []
    assert snapshot(out) == cold(site, tmp_path, "far", search=False)


def test_a_body_edit_reads_the_pieces_of_that_briefing_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged briefing's model is read from the cache, its pieces (body, feed entry,
    rows, lines) are not: they are read only for what is made again."""
    site = _synthetic_site(tmp_path / "site")
    out = tmp_path / "out"
    build(BuildOptions(site, out, search=False, jobs=1))
    asked: list[str] = []
    real = DocCache.pieces

    def pieces(self: DocCache, keys: Iterable[str]) -> Iterator[tuple[str, bytes, bytes]]:
        keys = list(keys)
        asked.extend(keys)
        return real(self, keys)

    monkeypatch.setattr(DocCache, "pieces", pieces)
    (site / SYNTHETIC).write_text((site / SYNTHETIC).read_text() + "\nA synthetic last line.\n")
    result = build(BuildOptions(site, out, search=False, jobs=1))
    assert result.rendered == 1 and asked == []  # made, not read: it has its pieces
    assert snapshot(out) == cold(site, tmp_path, "body", search=False)
    shutil.rmtree(out)  # every page rendered again: every briefing's pieces read, once
    build(BuildOptions(site, out, search=False, jobs=1))
    assert len(asked) == len(set(asked)) == 5  # each of the 5 briefings, once
    assert snapshot(out) == cold(site, tmp_path, "all", search=False)


def test_pieces_lost_while_their_file_changed_are_a_clear_error(demo_site: Path) -> None:
    """The cache lost a briefing's pieces, and its file changed after it was read: its pieces
    cannot be made again for the model the site was built with, and nothing wrong is made."""
    out = demo_site / "out"
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    options = BuildOptions(demo_site, out, search=False, jobs=1)
    prepared = prepare(options, DocCache(demo_site), bodies_apart=True)
    with sqlite3.connect(demo_site / CACHE_DIR / DB_NAME) as db:
        db.execute("DELETE FROM pieces")
    edit(demo_site / BRIEFING, "Russia cannot declare", "Russia cannot  declare")
    slug = Path(BRIEFING).stem
    with pytest.raises(UsageError, match="changed during the build; build again"):
        prepared.complete(next(b for b in prepared.site.briefings if b.slug == slug))


def test_a_deferred_search_index_is_kept_then_brought_up_to_date(
    demo_site: Path, tmp_path: Path
) -> None:
    out = demo_site / "out"
    build(BuildOptions(demo_site, out, search=True, jobs=1))
    index_before = {k: v for k, v in snapshot(out).items() if k.startswith("pagefind/")}
    edit(demo_site / BRIEFING, "    summary: ", "    summary: Edited. ")
    deferred = build(BuildOptions(demo_site, out, search=True, jobs=1, defer_search=True))
    assert deferred.rendered > 0
    assert {k: v for k, v in snapshot(out).items() if k.startswith("pagefind/")} == index_before
    caught_up = build(BuildOptions(demo_site, out, search=True, jobs=1))
    assert not caught_up.unchanged
    assert snapshot(out) == cold(demo_site, tmp_path, "deferred")


def test_an_interrupted_search_index_leaves_the_output_untouched(demo_site: Path) -> None:
    from briefgen.diagnostics import BuildInterrupted

    out = demo_site / "out"
    build(BuildOptions(demo_site, out, search=True, jobs=1))
    before = snapshot(out)
    edit(demo_site / BRIEFING, "    summary: ", "    summary: Edited. ")
    polls: list[int] = []

    def interrupted() -> bool:  # "a newer save arrived", once Pagefind is busy
        polls.append(1)
        return len(polls) > 1

    with pytest.raises(BuildInterrupted):
        build(BuildOptions(demo_site, out, search=True, jobs=1), interrupted=interrupted)
    assert snapshot(out) == before
    assert not list(demo_site.glob(".out.new-*"))  # no staging left behind


def test_a_damaged_cache_is_rebuilt_not_an_error(demo_site: Path, tmp_path: Path) -> None:
    out = demo_site / "out"
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    (demo_site / CACHE_DIR / DB_NAME).write_bytes(b"synthetic garbage, not a database" * 100)
    edit(demo_site / BRIEFING, "Russia cannot declare", "Russia cannot  declare")
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    assert snapshot(out) == cold(demo_site, tmp_path, "damaged", search=False)
    assert (demo_site / CACHE_DIR / DB_NAME).read_bytes().startswith(b"SQLite format 3")


def test_a_failed_warm_build_leaves_the_output_untouched(demo_site: Path) -> None:
    out = demo_site / "out"
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    before = snapshot(out)
    edit(demo_site / BRIEFING, "quote: Russia cannot declare", "quote: Russia can declare")
    from briefgen.diagnostics import ContentError

    with pytest.raises(ContentError):
        build(BuildOptions(demo_site, out, search=False, jobs=1))
    assert snapshot(out) == before


def test_parallel_build_equals_serial_build(
    demo_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefgen.build import parallel

    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_JOB", 1)  # fork even for a small site
    _add_copy(demo_site)
    build(BuildOptions(demo_site, demo_site / "out", search=False, jobs=2, cache=False))
    assert snapshot(demo_site / "out") == cold(demo_site, tmp_path, "serial", search=False)

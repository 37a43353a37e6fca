"""The search index: what goes in, determinism, and failing without losing the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.build.pipeline import BuildOptions, prepare
from briefgen.cli import main
from briefgen.search import records as search
from briefgen.search import service
from tests.support.files import snapshot
from tests.support.pagefind_bundle import read_bundle
from tests.support.paths import REPO


def demo_site_model():  # type: ignore[no-untyped-def]
    return prepare(BuildOptions(REPO)).site


def test_one_record_per_annotation_with_readable_filters_and_meta() -> None:
    site = demo_site_model()
    pages, notes = search.records(site)
    annotations = [a for b in site.briefings for a in b.annotations]
    assert len(pages) == len(site.briefings)
    assert sorted(n.url for n in notes) == sorted(
        f"/briefings/{a.briefing_slug}/#{a.id}" for a in annotations
    )
    by_url = {n.url: n for n in notes}
    for a in annotations:
        record = by_url[f"/briefings/{a.briefing_slug}/#{a.id}"]
        assert a.quote in record.content and a.summary in record.content
        assert record.meta["quote"] == a.quote
        if a.kind == "position":
            assert a.actor and a.topic and a.stance
            assert record.filters["actor"] == [a.actor.name]  # labels, not ids
            assert record.filters["topic"] == [a.topic.title]
            assert record.filters["stance"] == [a.stance.label]
            assert record.filters["kind"] == ["Position"]
        else:
            assert record.filters["kind"] == ["Context note"]
        assert record.meta["date"] == a.date.isoformat()


def test_briefing_record_has_the_body_but_not_the_notes_or_chrome() -> None:
    site = demo_site_model()
    (page,) = search.records(site)[0]
    briefing = site.briefings[0]
    assert "Russia cannot declare a ceasefire" in page.html
    for a in briefing.annotations:
        assert search.html_text(a.note_html)[:60] not in search.html_text(page.html)
    assert "Skip to main content" not in page.html and "<nav" not in page.html


def test_the_index_holds_no_sort_order_the_search_page_does_not_offer(tmp_path: Path) -> None:
    """A sort order is a list of every record that each reader downloads (60 KB at 4,000
    briefings); the search page has no sort control, so the index has none."""
    assert main(["build", str(REPO), "-o", str(tmp_path / "out"), "-q"]) == 0
    bundle = read_bundle(tmp_path / "out" / "pagefind")
    assert bundle["sorts"] == {}
    assert "sort" not in (REPO / "themes/default/templates/search.html").read_text()


def test_two_builds_give_identical_index_files(tmp_path: Path) -> None:
    for name in ("one", "two"):
        assert main(["build", str(REPO), "-o", str(tmp_path / name), "-q"]) == 0
    one, two = snapshot(tmp_path / "one" / "pagefind"), snapshot(tmp_path / "two" / "pagefind")
    assert one == two
    assert any(name.startswith("filter/") for name in one)


def test_a_failed_index_fails_the_build_and_keeps_the_previous_site(
    demo_site: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    assert main(["build", str(demo_site), "-o", str(out), "-q"]) == 0
    before = snapshot(out)
    briefing = next((demo_site / "content/briefings").glob("*.md"))
    briefing.write_text(briefing.read_text().replace("title: ", "title: Changed ", 1))
    broken = tmp_path / "pagefind-broken"
    broken.write_text("#!/bin/sh\necho 'synthetic failure' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(service, "_pagefind_binary", lambda: broken)
    assert main(["build", str(demo_site), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Pagefind" in err and "previous site is untouched" in err
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []

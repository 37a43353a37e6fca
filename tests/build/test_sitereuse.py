"""serve keeps the last build's site model and site-wide checks while a save changes nothing
they read (build/sitereuse.py): taken up after a text edit, made again after any other, the
checks still catch what the save broke, and the site is what a cold build makes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefgen.build.cache import CACHE_DIR, DocCache
from briefgen.build.inputs import FileHashes
from briefgen.build.pipeline import BuildOptions, Memory, build, prepare
from briefgen.build.prepare import Prepared
from briefgen.diagnostics import ContentError
from tests.support.sites import BRIEFING, briefing, snapshot, write_site

OTHER = "content/briefings/2024-01-05-synthetic-other.md"
LINK = "See [the heading](/briefings/2024-01-05-synthetic-other/#synthetic-heading)."


def _site(tmp_path: Path) -> Path:
    site = write_site(tmp_path / "site", "Synthetic body. " + LINK)
    other = briefing("## Synthetic Heading\n\nOther synthetic body.")
    (site / OTHER).write_text(other.replace("alpha-one", "alpha-two").replace("01-02", "01-05"))
    return site


def _edit(site: Path, name: str, old: str, new: str) -> None:
    text = (site / name).read_text()
    assert old in text, old
    (site / name).write_text(text.replace(old, new, 1))


class Serve:
    """prepare() as serve's builds run it: results, and the site model, kept in memory."""

    def __init__(self, site: Path) -> None:
        self.options = BuildOptions(site, out_dir=site.parent / "o" / "site", search=False)
        self.memory, self.hashes = Memory(), FileHashes()

    def prepare(self) -> Prepared:
        cache = DocCache(self.options.site_dir, True)
        return prepare(self.options, cache, self.memory, bodies_apart=True, hashes=self.hashes)


def _errors(serve: Serve) -> str:
    with pytest.raises(ContentError) as caught:
        serve.prepare()
    return "\n".join(d.message for d in caught.value.diagnostics.items)


def test_a_text_edit_takes_up_the_last_site_model(tmp_path: Path) -> None:
    serve = Serve(_site(tmp_path))
    first = serve.prepare()
    _edit(serve.options.site_dir, BRIEFING, "Synthetic body.", "Edited synthetic body.")
    second = serve.prepare()
    assert second.site.topic_pages is first.site.topic_pages  # taken up, not made again
    edited = next(b for b in second.site.briefings if b.slug == "2024-01-02-synthetic")
    assert edited is second.briefings["2024-01-02-synthetic"].briefing  # this build's own

    _edit(serve.options.site_dir, BRIEFING, "stance: supports", "stance: opposes")
    third = serve.prepare()
    assert third.site.topic_pages is not second.site.topic_pages  # a stance: made again
    stances = [p.stance.id for a in third.site.topic_pages[0].by_actor for p in a.positions]
    assert "opposes" in stances and stances.count("supports") == 1


def test_a_text_edit_that_breaks_a_link_is_still_an_error(tmp_path: Path) -> None:
    serve = Serve(_site(tmp_path))
    serve.prepare()
    site = serve.options.site_dir
    _edit(site, BRIEFING, "Synthetic body.", "Synthetic body. [Gone](/briefings/gone/).")
    assert "broken internal link '/briefings/gone/'" in _errors(serve)
    _edit(site, BRIEFING, " [Gone](/briefings/gone/).", "")
    serve.prepare()
    # The heading the first briefing links to renamed: that link is broken now.
    _edit(site, OTHER, "## Synthetic Heading", "## Renamed Heading")
    assert "no annotation or heading '#synthetic-heading'" in _errors(serve)


def test_the_stance_checks_warnings_are_told_again(tmp_path: Path) -> None:
    site = _site(tmp_path)
    # The same actor, topic and date as the first briefing, another stance: a warning.
    other = (site / OTHER).read_text().replace("2024-01-05", "2024-01-02")
    (site / OTHER).write_text(other.replace("actor: actor-a\n", "actor: actor-a\n", 1))
    _edit(site, OTHER, "stance: supports", "stance: opposes")
    serve = Serve(site)
    warned = [d.message for d in serve.prepare().diagnostics.items if "two stances" in d.message]
    assert warned
    _edit(site, BRIEFING, "Synthetic body.", "Edited synthetic body.")
    second = serve.prepare()
    assert [d.message for d in second.diagnostics.items if "two stances" in d.message] == warned


def test_serve_builds_after_text_edits_equal_cold_builds(tmp_path: Path) -> None:
    site = _site(tmp_path)
    out = tmp_path / "o" / "site"
    options = BuildOptions(site, out_dir=out, search=True, jobs=1, publish_in_place=True)
    memory, hashes = Memory(), FileHashes()
    build(options, memory, hashes=hashes)
    edits = [
        (BRIEFING, "Synthetic body.", "Edited synthetic body."),
        (OTHER, "Other synthetic body.", "Other synthetic body, edited."),
        (BRIEFING, "Alpha supports the lorem plan.\n", "Alpha supports the lorem plan today.\n"),
        (BRIEFING, "    summary: Synthetic.", "    summary: Edited synthetic."),  # listed
    ]
    for n, (name, old, new) in enumerate(edits):
        _edit(site, name, old, new)
        build(options, memory, hashes=hashes)
        reference = tmp_path / f"cold-{n}"
        shutil.copytree(site, reference / "site", ignore=shutil.ignore_patterns(CACHE_DIR))
        build(BuildOptions(reference / "site", out_dir=reference / "o" / "site", jobs=1))
        assert snapshot(out) == snapshot(reference / "o" / "site"), name

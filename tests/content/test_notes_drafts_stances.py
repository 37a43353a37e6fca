"""Links in notes, drafts, and one actor's two stances on one topic and date."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from briefgen.cli import main

BRIEFING = "content/briefings/2024-01-02-synthetic-one.md"


def set_note(site: Path, note: str) -> int:
    """Give alpha-one's annotation `note`; return the note's line in the file."""
    path = site / BRIEFING
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("note: A synthetic *note*.", f"note: {note}"), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(f"    note: {note}"))


def check_json(site: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, Any]:
    status = main(["check", str(site), "--format", "json", *flags])
    return status, json.loads(capsys.readouterr().out)


def note_links(page: Path) -> list[str]:
    tree = lxml.html.parse(str(page))
    return [str(a.get("href")) for a in tree.xpath("//*[contains(@class, 'note')]//p//a")]


def test_note_links_get_the_base_path(fixture_site: Any, tmp_path: Path) -> None:
    site = fixture_site("minimal")  # base_url https://fixture.example/site/
    set_note(site, "Compare [Beta](#beta-one) and [topic one](/topics/topic-one/).")
    out = tmp_path / "out"
    assert main(["build", str(site), "-o", str(out), "--no-search"]) == 0
    page = out / "briefings" / "2024-01-02-synthetic-one" / "index.html"
    hrefs = note_links(page)
    assert "/site/briefings/2024-01-02-synthetic-one/#beta-one" in hrefs
    assert "/site/topics/topic-one/" in hrefs
    for href in hrefs:  # every note link resolves in the built site
        target = out / href.removeprefix("/site/").split("#")[0] / "index.html"
        assert target.is_file(), href


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("See [the other](#beta-two).", "broken link '#beta-two'"),
        ("See [a page](/topics/topic-nine/).", "broken internal link '/topics/topic-nine/'"),
        ("See [it](/briefings/2024-01-02-synthetic-one/#nope).", "no annotation or heading"),
    ],
)
def test_a_bad_note_link_is_an_error_at_the_note(
    note: str, message: str, fixture_site: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    site = fixture_site("minimal")
    line = set_note(site, note)
    status, items = check_json(site, capsys)
    assert status == 1
    (item,) = items
    assert (item["path"], item["line"], item["col"]) == (BRIEFING, line, 5)
    assert message in item["message"]


def test_unsafe_note_links_are_never_links_and_warn(
    fixture_site: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = fixture_site("minimal")
    line = set_note(site, "Click [here](javascript:alert(1)).")
    status, items = check_json(site, capsys)
    (item,) = items
    assert (status, item["severity"], item["line"]) == (0, "warning", line)
    assert "unsafe link in a note" in item["message"]
    out = tmp_path / "out"
    assert main(["build", str(site), "-o", str(out), "--no-search"]) == 0
    page = out / "briefings" / "2024-01-02-synthetic-one" / "index.html"
    assert "javascript:" not in " ".join(note_links(page))
    assert "[here](javascript:alert(1))" in page.read_text(encoding="utf-8")


DRAFT = """---
title: Synthetic work in progress
date: 2024-02-30
draft: true
annotations:
  - id: draft-one
    quote: Not in the text at all
    actor: actor-a
    topic: topic-one
    stance: supports
    summary: Unfinished.
---
Some synthetic text.
"""


def test_a_draft_with_errors_does_not_fail_a_plain_build(
    fixture_site: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = fixture_site("minimal")
    draft = site / "content" / "briefings" / "2024-02-01-wip.md"
    draft.write_text(DRAFT, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(site), "-o", str(out), "--no-search"]) == 0
    err = capsys.readouterr().err
    assert "1 draft skipped: content/briefings/2024-02-01-wip.md" in err
    assert "content/briefings/2024-02-01-wip.md:3:7: warning: " in err
    assert "content/briefings/2024-02-01-wip.md:7:5: warning: quote not found" in err
    assert not (out / "briefings" / "2024-02-01-wip").exists()

    assert main(["check", str(site)]) == 0
    assert "1 draft skipped: content/briefings/2024-02-01-wip.md" in capsys.readouterr().err

    status, items = check_json(site, capsys, "--drafts")
    assert status == 1
    assert {(i["line"], i["severity"]) for i in items} == {(3, "error"), (7, "error")}


def test_a_draft_shows_a_draft_marker_when_included(fixture_site: Any, tmp_path: Path) -> None:
    site = fixture_site("minimal")
    path = site / BRIEFING
    path.write_text(path.read_text().replace("annotations:", "draft: true\nannotations:"))
    out = tmp_path / "out"
    assert main(["build", str(site), "-o", str(out), "--no-search", "--drafts"]) == 0
    page = lxml.html.parse(str(out / "briefings" / "2024-01-02-synthetic-one" / "index.html"))
    (marker,) = page.xpath("//*[contains(@class, 'draft-marker')]")
    assert "Draft" in marker.text_content()
    path.write_text(path.read_text().replace("draft: true", "draft: false"))
    assert main(["build", str(site), "-o", str(out), "--no-search"]) == 0
    page = lxml.html.parse(str(out / "briefings" / "2024-01-02-synthetic-one" / "index.html"))
    assert page.xpath("//*[contains(@class, 'draft-marker')]") == []


SECOND = """---
title: Synthetic briefing two
date: 2024-01-02
annotations:
  - id: alpha-two
    quote: Alpha now opposes it
    actor: actor-a
    topic: topic-one
    stance: opposes
    summary: Alpha is against it now.
---
Alpha now opposes it, a second synthetic text says.
"""


def test_two_stances_of_one_actor_on_one_topic_and_date_warn(
    fixture_site: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    site = fixture_site("minimal")
    second = site / "content" / "briefings" / "2024-01-02-synthetic-two.md"
    second.write_text(SECOND, encoding="utf-8")
    status, items = check_json(site, capsys)
    assert status == 0
    (item,) = items
    assert item["severity"] == "warning"
    assert (item["path"], item["line"]) == ("content/briefings/2024-01-02-synthetic-two.md", 6)
    assert "'actor-a' takes two stances on 'topic-one' on 2024-01-02" in item["message"]
    assert "'alpha-two'" in item["message"] and "'alpha-one'" in item["message"]
    assert f"{BRIEFING}:line 7" in item["message"]

    second.write_text(SECOND.replace("2024-01-02", "2024-03-04"), encoding="utf-8")
    assert check_json(site, capsys) == (0, [])  # another day: a change of mind, no warning


def test_broken_note_links_are_reported_with_the_other_errors(
    fixture_site: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    site = fixture_site("minimal")
    line = set_note(site, "Compare [Beta](#beta-onee) and [the topic](/topics/topic-on/).")
    path = site / BRIEFING
    # beta-one gets an error of its own: a link to it must still count as a good link.
    path.write_text(path.read_text().replace("stance: opposes", "stance: oposes"))
    status, items = check_json(site, capsys)
    assert status == 1
    by_message = {i["message"].split(":")[0]: i for i in items}
    assert len(items) == 3, [i["message"] for i in items]
    assert by_message["unknown stance 'oposes' in annotation 'beta-one'"]["line"] == 17
    broken = [i for i in items if i["code"] == "link"]
    assert [i["line"] for i in broken] == [line, line]
    assert {i["hint"] for i in broken} == {
        "did you mean '#beta-one'?",
        "did you mean '/topics/topic-one/'?",
    }

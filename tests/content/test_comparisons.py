"""`briefgen check` on bad verdicts, sources and topic answers: one error each, at the line of
the mistake, with a hint; valid input passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefgen.cli import main
from tests.support.compare_site import copy_compare_site

NEWER = "content/briefings/2025-02-01-synthetic-newer.md"


def check(site: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    status = main(["check", str(site), "--format", "json"])
    found = json.loads(capsys.readouterr().out or "[]")
    assert isinstance(found, list)
    errors = [d for d in found if d["severity"] == "error"]
    assert status == (1 if errors else 0), found
    return errors


def line_of(path: Path, text: str, nth: int = 0) -> int:
    lines = [i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    assert len(lines) > nth, f"{text!r} not in {path}"
    return lines[nth]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_compare_site(tmp_path / "site")


def test_the_fixture_site_is_valid(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(site, capsys) == []


# (what the author wrote instead, the line to point at (a substring of it), words of the message)
CASES = {
    "unknown relation": (
        ("relation: agree\n", "relation: agreeish\n"),
        "relation: agreeish",
        "unknown relation 'agreeish'",
    ),
    "unknown topic": (
        ("  - topic: gamma\n", "  - topic: gammma\n"),
        "topic: gammma",
        "unknown topic 'gammma'",
    ),
    "unknown actor": (
        (
            "actors: [one, two]\n    relation: disagree",
            "actors: [one, twoo]\n    relation: disagree",
        ),
        "actors: [one, twoo]",
        "unknown actor 'twoo'",
    ),
    "evidence id missing": (
        ("evidence: [one-gamma, two-gamma]", "evidence: [one-gamma, two-gamme]"),
        "two-gamme",
        "'two-gamme' is not an annotation id of this briefing",
    ),
    "evidence of another actor": (
        ("evidence: [one-gamma, two-gamma]", "evidence: [one-gamma, three-zeta]"),
        "three-zeta]",
        "position of 'three'",
    ),
    "evidence on another topic": (
        ("evidence: [one-gamma, two-gamma]", "evidence: [one-gamma, two-delta]"),
        "two-delta]",
        "on topic 'delta', not 'gamma'",
    ),
    "evidence is a context note": (
        ("evidence: [one-gamma, two-gamma]", "evidence: [one-gamma, two-gamma, context-lorem]"),
        "context-lorem]",
        "context note",
    ),
    "one actor without evidence": (
        ("evidence: [one-gamma, two-gamma]", "evidence: [one-gamma]"),
        "evidence: [one-gamma]",
        "no evidence of 'two'",
    ),
    "duplicate verdict": (
        ("  - topic: epsilon\n", "  - topic: gamma\n"),
        "  - topic: gamma",
        "a second verdict on 'gamma'",
    ),
    "two actors": (
        ("actors: [one, two]\n    relation: partial", "actors: [one]\n    relation: partial"),
        "actors: [one]",
        "must name two different actors",
    ),
    "unknown key": (
        ("    relation: partial\n", "    relation: partial\n    verdict: yes\n"),
        "verdict: yes",
        "unknown key 'verdict'",
    ),
    "source reporting": (
        ("  reporting: first-hand\n", "  reporting: hearsay\n"),
        "reporting: hearsay",
        "unknown reporting 'hearsay'",
    ),
    "source published": (
        ("  published: 2025-01-31\n", "  published: last week\n"),
        "published: last week",
        "not a valid date",
    ),
    "annotation reporting": (
        ("    reporting: direct\n", "    reporting: verbatim\n"),
        "reporting: verbatim",
        "unknown reporting 'verbatim'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_entry_is_one_error_at_its_line(
    case: str, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (old, new), at, words = CASES[case]
    path = site / NEWER
    text = path.read_text()
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1))
    errors = check(site, capsys)
    assert len(errors) == 1, errors
    (error,) = errors
    assert error["path"] == NEWER
    expected = line_of(path, at, nth=1 if case == "duplicate verdict" else 0)
    assert error["line"] == expected, error
    assert words in str(error["message"]), error
    assert error["hint"], error


def test_an_answer_for_an_unknown_stance_is_an_error_at_its_key(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = site / "content/topics.yaml"
    path.write_text(path.read_text().replace("    opposes: No, not now", "    oposes: No, not now"))
    (error,) = check(site, capsys)
    assert error["path"] == "content/topics.yaml"
    assert error["line"] == line_of(path, "oposes:")
    assert "unknown stance 'oposes'" in str(error["message"])
    assert "opposes" in str(error["hint"])

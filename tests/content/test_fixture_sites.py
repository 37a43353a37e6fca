"""One tiny fixture site per diagnostic: exact place, exit 1, and an untouched previous site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefgen.cli import main
from tests.support.files import snapshot
from tests.support.paths import FIXTURE_SITES

BRIEFING = "content/briefings/2024-01-02-synthetic-one.md"

# case -> (path, line, col, message fragment, hint fragment)
CASES = {
    "malformed-yaml": (
        "content/actors.yaml",
        7,
        18,
        "malformed YAML: mapping values are not allowed",
        "quoted",
    ),
    "missing-field": (BRIEFING, 13, 5, "missing the required field 'summary'", "add 'summary"),
    "unknown-key": (
        BRIEFING,
        18,
        5,
        "unknown key 'stanse' in annotation 'beta-one': did you mean 'stance'?",
        "'stance' is set already (line 17); remove 'stanse'",
    ),
    "unknown-actor": (
        BRIEFING,
        15,
        12,
        "unknown actor 'actor-c' in annotation 'beta-one': did you mean 'actor-b'?",
        "known actors",
    ),
    "unknown-topic": (
        BRIEFING,
        16,
        12,
        "unknown topic 'topic-nine' in annotation 'beta-one': did you mean 'topic-one'?",
        "known topics",
    ),
    "unknown-stance": (
        BRIEFING,
        17,
        13,
        "unknown stance 'oposes' in annotation 'beta-one': did you mean 'opposes'?",
        "known stances",
    ),
    "duplicate-slug": (
        "content/briefings/2025/synthetic.md",
        1,
        1,
        "duplicate slug 'synthetic'",
        "rename",
    ),
    "duplicate-annotation-id": (
        "content/briefings/2024-01-03-synthetic-two.md",
        6,
        5,
        "duplicate annotation id",
        "unique",
    ),
    "quote-not-found": (
        BRIEFING,
        14,
        5,
        "quote not found",
        "the closest passage is at line 24",
    ),
    "quote-ambiguous": (
        BRIEFING,
        14,
        5,
        "quote is ambiguous: found 2 times",
        "add one of these lines",
    ),
    "bad-date": (BRIEFING, 3, 7, "not a valid date: '2024-02-30'", "YYYY-MM-DD"),
    "broken-link": (BRIEFING, 24, 54, "broken link '#no-such-anchor'", "annotation id"),
}


def test_every_fixture_site_is_covered() -> None:
    names = {p.name for p in FIXTURE_SITES.iterdir() if p.is_dir()} - {"minimal"}
    assert names == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_build_reports_the_exact_place_and_leaves_site_untouched(
    case: str, fixture_site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["build", str(fixture_site("minimal")), "-o", str(out), "--no-search"]) == 0
    before = snapshot(out)
    capsys.readouterr()

    path, line, col, message, hint = CASES[case]
    status = main(["build", str(fixture_site(case)), "-o", str(out), "--no-search"])
    stderr = capsys.readouterr().err
    assert status == 1
    first, hint_line = stderr.splitlines()[:2]
    assert first.startswith(f"{path}:{line}:{col}: error: ")
    assert message in first
    assert hint_line.startswith("  hint: ") and hint in hint_line
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out", "minimal", case])


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_gives_the_same_diagnostic_in_every_format(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    site = FIXTURE_SITES / case
    path, line, col, message, hint = CASES[case]
    assert main(["check", str(site), "--format", "json"]) == 1
    (item,) = json.loads(capsys.readouterr().out)
    assert (item["path"], item["line"], item["col"], item["severity"]) == (path, line, col, "error")
    assert message in item["message"] and hint in item["hint"]

    assert main(["check", str(site), "--format", "github"]) == 1
    (command,) = capsys.readouterr().err.strip().splitlines()[:1]
    assert command.startswith(f"::error file={path},line={line},col={col},")

    assert main(["check", str(site)]) == 1
    assert capsys.readouterr().err.startswith(f"{path}:{line}:{col}: error: ")


def test_one_run_reports_every_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "many"
    for case in ("unknown-actor", "bad-date"):
        # Combine two broken briefings under different names in one site.
        source = FIXTURE_SITES / case
        for file in source.rglob("*"):
            if file.is_file():
                rel = file.relative_to(source)
                if rel.parts[-2] == "briefings":
                    rel = rel.with_name(f"2024-01-02-{case}.md")
                target = site / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                text = file.read_text().replace("alpha-one", f"alpha-{case}")
                target.write_text(text.replace("beta-one", f"beta-{case}"))
    assert main(["check", str(site), "--format", "json"]) == 1
    items = json.loads(capsys.readouterr().out)
    messages = sorted(i["message"].split(":")[0] for i in items)
    assert len(items) == 2, messages
    assert any("unknown actor" in m for m in messages)
    assert any("not a valid date" in m for m in messages)


def test_check_on_a_clean_site_prints_one_summary_line_and_writes_nothing(
    fixture_site, capsys: pytest.CaptureFixture[str]
) -> None:
    site = fixture_site("minimal")
    before = snapshot(site)
    assert main(["check", str(site)]) == 0
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("checked 1 briefing, 2 annotations: no problems (")
    assert snapshot(site) == before
    assert main(["check", str(site), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_a_file_that_is_not_utf8_is_a_diagnostic_at_the_bad_byte(
    fixture_site, capsys: pytest.CaptureFixture[str]
) -> None:
    site = fixture_site("minimal")
    briefing = site / BRIEFING
    briefing.write_bytes(briefing.read_bytes().replace(b"the fixture says", b"the fixture s\xe9ys"))
    actors = site / "content/actors.yaml"
    actors.write_bytes(actors.read_bytes().replace(b"Synthetic role B", b"Synth\xe9tic role B"))
    assert main(["check", str(site)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{BRIEFING}:20:55: error: the file is not UTF-8 text (byte 0xe9)" in err
    assert "content/actors.yaml:7:14: error: the file is not UTF-8 text" in err


def test_compare_must_name_two_different_actors(
    fixture_site, capsys: pytest.CaptureFixture[str]
) -> None:
    site = fixture_site("minimal")
    config = site / "content/site.yaml"
    config.write_text(config.read_text().replace("[actor-a, actor-b]", "[actor-a, actor-a]"))
    assert main(["check", str(site)]) == 1
    assert capsys.readouterr().err.startswith(
        "content/site.yaml:5:1: error: compare must name exactly two different actors"
    )

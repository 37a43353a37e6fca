"""One `check` run reports every independent mistake of a file, once each, at its line, and
every hint's fix is valid YAML that repairs the file when pasted (the tests paste them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from briefgen.cli import main

BRIEFING = "content/briefings/2024-01-02-synthetic-one.md"

BODY = """---
title: Synthetic briefing one
date: 2024-02-30
summary: A synthetic document for tests.
annotations:
  - id: alpha-one
    quote: Alpha supports the first lorem proposal
    actor: actor-a
    topic: topic-one
    stnace: supports
    summary: Alpha is for it.
  - id: beta-one
    quote: the first lorem proposal
    actor: actor-b
    topic: topic-one
    stance: oposes
    summary: Beta is against it.
  - id: context-one
    kind: contxt
    quote: Ipsum dolor sit amet
    note: Context for both.
  - quote: Beta opposes the frist lorem proposal
    actor: actor-b
    topic: topic-two
    stance: opposes
    summary: Beta is against the second one too.
---
Alpha supports the first lorem proposal, the fixture says.

## A synthetic heading

Beta opposes the first lorem proposal. Ipsum dolor sit amet.
"""

# line -> a fragment of its one message
EXPECTED = {
    3: "'date' of front-matter is not a valid date: '2024-02-30'",
    10: "unknown key 'stnace' in annotation 'alpha-one': did you mean 'stance'?",
    13: "quote is ambiguous: found 2 times",
    16: "unknown stance 'oposes' in annotation 'beta-one': did you mean 'opposes'?",
    19: "unknown kind 'contxt' in annotation 'context-one': did you mean 'context'?",
    22: "quote not found in the text",
}


def check_json(site: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[Any]]:
    status = main(["check", str(site), "--format", "json"])
    return status, json.loads(capsys.readouterr().out)


def paste(lines: list[str], line: int, hint: str) -> None:
    """Apply a hint the way an author would: a 'write line N as:' fix replaces line N; 'add one
    of these lines' inserts the first offered line below the reported one."""
    head, *fixes = hint.splitlines()
    assert fixes, f"hint offers nothing to paste: {hint!r}"
    if head.startswith("add one of these lines"):
        lines.insert(line, fixes[0])
    else:
        assert head.endswith(f"write line {line} as:"), head
        (fix,) = fixes
        lines[line - 1] = fix


def test_every_mistake_once_at_its_line_and_every_fix_pastes(
    fixture_site: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    site = fixture_site("minimal")
    path = site / BRIEFING
    path.write_text(BODY, encoding="utf-8")
    status, items = check_json(site, capsys)
    assert status == 1
    found = {item["line"]: item for item in items}
    assert len(items) == len(found) == len(EXPECTED), [(i["line"], i["message"]) for i in items]
    for line, message in EXPECTED.items():
        item = found[line]
        assert (item["path"], item["severity"]) == (BRIEFING, "error")
        assert message in item["message"], item
    lines = BODY.splitlines()
    for line in sorted(found, reverse=True):  # bottom up: insertions keep the lines above
        paste(lines, line, found[line]["hint"])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, items = check_json(site, capsys)
    assert (status, items) == (0, []), path.read_text()


YAML_MISTAKES = {
    "over-indented": ("    topic: topic-one", "     topic: topic-one", "indented more"),
    "over-indented-with-colon": (
        "    note: A synthetic *note*.",
        "     note: A synthetic: note.",
        "indented more",
    ),
    "under-indented": ("    topic: topic-one", "   topic: topic-one", "indented less"),
    "tab": ("    topic: topic-one", "\ttopic: topic-one", "a tab"),
    "unquoted-colon": ("    note: A synthetic *note*.", "    note: Alpha: a note.", "mapping"),
    "quote-then-text": (
        "    summary: Alpha is for it.",
        '    summary: "Alpha" is for it.',
        "expected key",
    ),
}


@pytest.mark.parametrize("case", sorted(YAML_MISTAKES))
def test_yaml_syntax_errors_show_the_corrected_line(
    case: str, fixture_site: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    site = fixture_site("minimal")
    path = site / BRIEFING
    good, bad, message = YAML_MISTAKES[case]
    text = path.read_text(encoding="utf-8")
    assert text.count(good + "\n") >= 1
    path.write_text(text.replace(good + "\n", bad + "\n", 1), encoding="utf-8")
    status, items = check_json(site, capsys)
    assert status == 1
    (item,) = items
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[item["line"] - 1] == bad, item
    assert message in item["message"]
    paste(lines, item["line"], item["hint"])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert check_json(site, capsys) == (0, [])


def test_a_misspelt_key_in_site_yaml_is_one_message(
    fixture_site: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    site = fixture_site("minimal")
    config = site / "content" / "site.yaml"
    config.write_text(config.read_text().replace("title:", "tilte:"))
    status, items = check_json(site, capsys)
    (item,) = items
    assert status == 1
    assert item["message"] == "unknown key 'tilte' in site.yaml: did you mean 'title'?"
    lines = config.read_text().splitlines()
    paste(lines, item["line"], item["hint"])
    config.write_text("\n".join(lines) + "\n")
    assert check_json(site, capsys) == (0, [])

"""No input makes briefgen crash: each case ends in a built site or one clear error, never a
signal death, a traceback or a hang."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.sites import (
    BRIEFING,
    FRONT,
    briefgen,
    briefgen_denied,
    briefgen_with_full_disk,
    briefing,
    snapshot,
    write_site,
)

DEEP = 50_000
MARKDOWN = {
    "block quotes": ">" * DEEP,
    "block quotes with spaces": "> " * DEEP,
    "list items": "- " * DEEP,
    "ordered list items": "1. " * DEEP,
    "brackets": "[" * DEEP + "x" + "]" * DEEP,
    "links in links": "[a](" * DEEP,
    "emphasis": "*a " * DEEP + "b*" * DEEP,
    "underscores": "_" * DEEP + "x" + "_" * DEEP,
    "backticks": "`" * DEEP,
    "html": "<div>" * DEEP,
    "a huge line": "lorem " * 400_000,
    "indented lines": "\n".join(" " * i + "- x" for i in range(0, 4000, 2)),
    "nul bytes": "lorem\x00ipsum \x00\x00 dolor",
}


@pytest.mark.parametrize("body", MARKDOWN.values(), ids=MARKDOWN.keys())
def test_hostile_markdown_builds(tmp_path: Path, body: str) -> None:
    site = write_site(tmp_path / "site", body)
    run = briefgen("build", str(site), "--no-search", "-q")
    assert run.code == 0, run.err
    page = (site / "site/briefings/2024-01-02-synthetic/index.html").read_text()
    assert 'id="alpha-one"' in page  # the annotation before the hostile part still anchors


@pytest.mark.parametrize(
    "data",
    [
        briefing("lorem \xff\xfe ipsum").encode("latin-1"),  # not UTF-8
        briefing("lorem").encode() + "\ud800".encode("utf-8", "surrogatepass"),  # lone surrogate
    ],
    ids=["invalid utf-8", "lone surrogate"],
)
def test_text_that_is_not_utf8_is_an_error_at_its_line(tmp_path: Path, data: bytes) -> None:
    site = write_site(tmp_path / "site")
    (site / BRIEFING).write_bytes(data)
    run = briefgen("build", str(site), "--no-search", "-q")
    run.assert_clean_failure(1)
    assert f"{BRIEFING}:" in run.err and "UTF-8" in run.err
    assert not (site / "site").exists()


def _bomb_line(i: int) -> str:
    item = f"*l{i - 1}" if i else '"lol"'
    return f"l{i}: &l{i} [{', '.join([item] * 9)}]\n"


BOMB = "".join(_bomb_line(i) for i in range(10))


@pytest.mark.parametrize(
    "yaml",
    [
        BOMB,
        "a: &a [*a]\n",  # a cycle
        "ok: &x 1\nagain: *x\n",  # a harmless alias is refused too: content never needs one
    ],
    ids=["billion laughs", "recursive alias", "single alias"],
)
def test_yaml_aliases_are_refused_at_once(tmp_path: Path, yaml: str) -> None:
    site = write_site(tmp_path / "site")
    (site / "content/topics.yaml").write_text((site / "content/topics.yaml").read_text() + yaml)
    run = briefgen("check", str(site), timeout=60)  # a hang guard: the bomb took minutes
    run.assert_clean_failure(1)
    assert "content/topics.yaml:" in run.err and "aliases are not supported" in run.err


@pytest.mark.parametrize(
    "yaml",
    ["x: " + "[" * 5000 + "]" * 5000, "x:\n" + "".join("  " * i + f"k{i}:\n" for i in range(200))],
    ids=["flow", "block"],
)
def test_deep_yaml_is_a_diagnostic(tmp_path: Path, yaml: str) -> None:
    site = write_site(tmp_path / "site")
    (site / "content/topics.yaml").write_text(yaml + "\n")
    run = briefgen("check", str(site))
    run.assert_clean_failure(1)
    assert "content/topics.yaml:" in run.err and "nest" in run.err


def test_deep_front_matter_is_a_diagnostic(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    front = FRONT.replace("summary: Synthetic summary.", "summary: " + "[" * 500 + "]" * 500)
    (site / BRIEFING).write_text(briefing("x", front))
    run = briefgen("check", str(site))
    run.assert_clean_failure(1)
    assert f"{BRIEFING}:4:" in run.err


def test_a_template_that_raises_names_the_template_and_line(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    templates = site / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "home.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n<p>{{ 1 // 0 }}</p>\n{% endblock %}\n"
    )
    run = briefgen("build", str(site), "--no-search")
    run.assert_clean_failure(1)
    assert "themes/default/templates/home.html:3:1: error:" in run.err
    assert "ZeroDivisionError" in run.err and ":0:0:" not in run.err
    assert not (site / "site").exists()


def test_control_characters_from_content_are_escaped_in_every_format(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    text = (site / BRIEFING).read_text().replace("actor: actor-a", 'actor: "\\e[2J\\x9b\\u202e"')
    (site / BRIEFING).write_text(text)
    for fmt in ("text", "json", "github"):
        run = briefgen("check", str(site), "--format", fmt)
        assert run.code == 1
        shown = run.out + run.err
        assert not any(c in shown for c in "\x1b\x9b\u202e"), fmt
        assert "\\x1b[2J\\x9b\\u202e" in (
            json.loads(run.out)[0]["message"] if fmt == "json" else shown
        ), fmt


def test_control_characters_in_file_names_are_escaped(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    evil = site / "content/briefings/2024-01-03-\x1b[31mred.md"
    evil.write_text(briefing("x").replace("alpha-one", "alpha-two").replace("lorem", "nope"))
    run = briefgen("check", str(site))
    assert run.code == 1 and "\x1b" not in run.err and "\\x1b[31mred" in run.err


def test_the_output_path_being_a_file_is_one_clear_line(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    (tmp_path / "out").write_text("synthetic")
    run = briefgen("build", str(site), "-o", str(tmp_path / "out"), "--no-search")
    run.assert_clean_failure(2)
    assert "not a directory" in run.err and len(run.err.strip().splitlines()) == 1
    assert (tmp_path / "out").read_text() == "synthetic"


def test_an_output_below_a_file_is_one_clear_line(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    (tmp_path / "file").write_text("synthetic")
    run = briefgen("build", str(site), "-o", str(tmp_path / "file/out"), "--no-search")
    run.assert_clean_failure(2)
    assert len(run.err.strip().splitlines()) == 1


def test_a_full_disk_is_one_clear_line(tmp_path: Path) -> None:
    """ENOSPC injected into the build's own process when it writes the output."""
    site = write_site(tmp_path / "site")
    assert briefgen("build", str(site), "--no-search").code == 0
    before = snapshot(site / "site")
    (site / BRIEFING).write_text(briefing("Changed."))
    run = briefgen_with_full_disk("build", str(site), "--no-search")
    run.assert_clean_failure(2)
    assert "No space left on device" in run.err and len(run.err.strip().splitlines()) == 1
    assert snapshot(site / "site") == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".site.")] == []


def test_a_read_only_output_directory_is_one_clear_line(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    parent = tmp_path / "ro"
    assert briefgen("build", str(site), "-o", str(parent / "out"), "--no-search").code == 0
    before = snapshot(parent)
    (site / BRIEFING).write_text(briefing("Changed."))
    run = briefgen_denied(parent, "build", str(site), "-o", str(parent / "out"), "--no-search")
    run.assert_clean_failure(2)
    assert "ermission denied" in run.err and len(run.err.strip().splitlines()) == 1, run.err
    assert snapshot(parent) == before


def test_an_unreadable_content_directory_never_replaces_the_site(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    assert briefgen("build", str(site), "--no-search").code == 0
    before = snapshot(site / "site")
    (site / BRIEFING).write_text(briefing("Changed."))
    run = briefgen_denied(site / "content/briefings", "build", str(site), "--no-search")
    run.assert_clean_failure(1, 2)
    assert "content/briefings" in run.err and "ermission denied" in run.err, run.err
    assert snapshot(site / "site") == before


def test_a_recursion_error_is_one_clear_error(tmp_path: Path) -> None:
    """A template that includes itself recurses until Python's limit: a place, no traceback."""
    site = write_site(tmp_path / "site")
    templates = site / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "_loop.html").write_text("x\n{% include '_loop.html' %}\n")
    (templates / "home.html").write_text(
        "{% extends 'base.html' %}{% block main %}{% include '_loop.html' %}{% endblock %}\n"
    )
    run = briefgen("build", str(site), "--no-search")
    run.assert_clean_failure(1)
    assert "RecursionError" in run.err and "themes/default/templates/_loop.html:2:1:" in run.err
    assert not (site / "site").exists()


def test_a_file_name_that_is_not_utf8_is_one_clear_line(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    name = os.fsencode(site / "content/briefings") + b"/2024-01-03-\xffsynthetic.md"
    with open(name, "wb") as file:
        file.write(briefing("x").replace("alpha-one", "alpha-two").encode())
    for command in ("check", "build"):
        run = briefgen(command, str(site), "--no-search" if command == "build" else "-q")
        run.assert_clean_failure(2)
        assert "not UTF-8" in run.err and "\\udcff" in run.err

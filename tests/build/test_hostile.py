"""Hostile content: nothing executable reaches the output, nothing is written outside it."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest

from briefgen.cli import main

EVIL = '<script>alert("x")</script><img src=x onerror="alert(1)">'

SITE = f"""title: 'Evil {EVIL}'
description: "</title><script>alert(2)</script>"
base_url: https://fixture.example/
compare: [actor-a, actor-b]
"""
ACTORS = f"""actor-a:
  name: 'Alpha {EVIL}'
  role: "</style><script>alert(3)</script>"
  color: "#aa3300"
actor-b:
  name: Beta
  role: Synthetic
"""
TOPICS = f"""topic-one:
  title: 'Topic {EVIL}'
  question: '{EVIL}?'
"""
BRIEFING = f"""---
title: 'Briefing {EVIL}'
date: 2024-01-02
summary: '{EVIL}'
source: {{seed: '{EVIL}', publisher: '{EVIL}'}}
annotations:
  - id: alpha-one
    quote: Alpha supports the lorem plan
    actor: actor-a
    topic: topic-one
    stance: supports
    summary: '{EVIL}'
    note: 'Note {EVIL} [link](javascript:alert(4)) [ok](https://ok.example/)'
  - id: beta-one
    quote: Beta opposes the lorem plan
    actor: actor-b
    topic: topic-one
    stance: opposes
    summary: Synthetic.
---
Alpha supports the lorem plan. {EVIL}

Beta opposes the lorem plan. [click](javascript:alert(5)) [x](  javascript:alert(6))
<iframe src="https://evil.example/"></iframe>

[data](data:text/html;base64,PHNjcmlwdD4=)
"""


def write_site(root: Path) -> Path:
    (root / "content/briefings").mkdir(parents=True)
    (root / "content/site.yaml").write_text(SITE)
    (root / "content/actors.yaml").write_text(ACTORS)
    (root / "content/topics.yaml").write_text(TOPICS)
    (root / "content/briefings/2024-01-02-evil.md").write_text(BRIEFING)
    return root


def test_nothing_executable_reaches_the_output(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    out = tmp_path / "out"
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 8
    for file in pages:
        doc = lxml.html.fromstring(file.read_bytes())
        for script in doc.xpath("//script"):
            # Only the theme's own script file, or inert JSON data.
            assert script.get("src") or script.get("type") == "application/ld+json", file
            if script.get("type") == "application/ld+json":
                # Data, not code: it parses, and cannot close its <script> element.
                assert "<" not in script.text and json.loads(script.text), file
            else:
                assert not (script.text or "").strip(), file
        for element in doc.iter():
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (file, element.tag, name)
                assert "javascript:" not in value.replace(" ", "").lower(), (file, name, value)
                assert not value.strip().lower().startswith("data:text/html"), (file, name)
        assert not doc.xpath("//iframe|//img[@onerror]|//object|//embed"), file
        # The text survives, escaped, where it was written.
        assert "alert" not in "".join(doc.xpath("//style/text()")), file
    html = (out / "briefings/2024-01-02-evil/index.html").read_text()
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("id", "../../etc/passwd"),
        ("id", "Über-Id"),
        ("id", "a b"),
        ("actor", "../actor-a"),
    ],
)
def test_odd_ids_are_refused_and_nothing_is_written(
    tmp_path: Path, where: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    site = write_site(tmp_path / "site")
    path = site / "content/briefings/2024-01-02-evil.md"
    old = "id: alpha-one" if where == "id" else "actor: actor-a"
    path.write_text(path.read_text().replace(old, f'{where}: "{value}"'))
    assert main(["build", str(site), "-o", str(tmp_path / "out"), "--no-search"]) == 1
    assert "error" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize("name", ["-lead.md", "Évil name.md", "UPPER.md", "a..b.md"])
def test_odd_file_names_are_refused(tmp_path: Path, name: str) -> None:
    site = write_site(tmp_path / "site")
    target = site / "content/briefings/sub" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    (site / "content/briefings/2024-01-02-evil.md").rename(target)
    assert main(["build", str(site), "-o", str(tmp_path / "out"), "--no-search", "-q"]) == 1
    assert not (tmp_path / "out").exists()


def test_hidden_files_are_not_content(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    (site / "content/briefings/.#2024-01-02-evil.md").write_text("not: [valid")
    assert main(["build", str(site), "-o", str(tmp_path / "out"), "--no-search", "-q"]) == 0


@pytest.mark.parametrize("ident", ["main", "note-alpha-one"])
def test_annotation_ids_the_page_uses_are_refused(
    tmp_path: Path, ident: str, capsys: pytest.CaptureFixture[str]
) -> None:
    site = write_site(tmp_path / "site")
    path = site / "content/briefings/2024-01-02-evil.md"
    path.write_text(path.read_text().replace("id: alpha-one", f"id: {ident}"))
    assert main(["check", str(site)]) == 1
    assert f"annotation id '{ident}' is reserved" in capsys.readouterr().err


def test_actor_ids_the_theme_uses_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = write_site(tmp_path / "site")
    actors = site / "content/actors.yaml"
    actors.write_text(actors.read_text() + "end:\n  name: Synthetic\n  role: Synthetic\n")
    assert main(["check", str(site)]) == 1
    assert "actor id 'end' is reserved" in capsys.readouterr().err

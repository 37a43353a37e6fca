"""No page or export calls two actors in agreement unless an analyst said so.

Every built page and export of the demo and of the comparison fixture is scanned for
/agree/i. A match is allowed only inside an analyst's verdict (an element with
`data-verdict`, or a positions.json comparison whose relation_source is "analyst"), or where it
is the author's own text (a quote, summary or note, found verbatim in content/)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html
import pytest

from briefgen.cli import main
from tests.support.compare_site import copy_compare_site
from tests.support.paths import REPO

AGREE = re.compile(r"agree", re.I)
IDENTIFIER = re.compile(r"^(https?://\S+|/\S*|[a-z0-9]+(-[a-z0-9]+)+)$")
ATTRIBUTES = ("content", "title", "aria-label", "alt")


def _norm(text: str) -> str:
    text = text.replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


def content_corpus(site_dir: Path) -> str:
    """What the author wrote, minus the verdicts' relation keys (`relation: agree`)."""
    parts = []
    for path in sorted((site_dir / "content").rglob("*")):
        if path.suffix in (".yaml", ".md"):
            lines = path.read_text(encoding="utf-8").splitlines()
            parts += [line for line in lines if not line.strip().startswith("relation:")]
    return _norm("\n".join(parts))


def _html_texts(root: lxml.html.HtmlElement) -> Iterator[str]:
    for el in root.xpath("//*[@data-verdict]"):
        el.drop_tree()
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            if el.tag == "script" and el.get("type") == "application/ld+json" and el.text:
                yield from _json_texts(json.loads(el.text))
            continue
        yield from (t for t in (el.text, el.tail) if t)
        yield from (str(el.get(a)) for a in ATTRIBUTES if el.get(a))


def _json_texts(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        if data.get("relation_source") == "analyst" or data.get("source") == "analyst":
            return  # an analyst's verdict (or the vocabulary of verdicts)
        for value in data.values():
            yield from _json_texts(value)
    elif isinstance(data, list):
        for value in data:
            yield from _json_texts(value)
    elif isinstance(data, str):
        if IDENTIFIER.match(data):
            return  # an id or URL (e.g. the passage "#putin-preconditions-agreement"), not prose
        if "<" in data and ">" in data:  # HTML (annotation notes): its text
            yield from _html_texts(lxml.html.fragment_fromstring(data, create_parent="div"))
        else:
            yield data


def _feed_texts(raw: bytes) -> Iterator[str]:
    for el in lxml.etree.fromstring(raw).iter():
        if el.text and el.text.strip():
            if el.get("type") == "html":
                yield from _html_texts(lxml.html.fragment_fromstring(el.text, create_parent="div"))
            else:
                yield el.text


def texts_of(out: Path) -> Iterator[tuple[str, str]]:
    """(file, text) for every page and export the build wrote (not the search bundle)."""
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if not path.is_file() or rel.startswith(("pagefind/", "static/")):
            continue
        if rel.endswith(".schema.json"):
            continue  # the vocabulary's documentation, not a statement about two actors
        raw = path.read_bytes()
        if path.suffix == ".html":
            found: Iterator[str] = _html_texts(lxml.html.fromstring(raw))
        elif path.suffix == ".json":
            found = _json_texts(json.loads(raw))
        elif path.suffix == ".jsonl":  # one JSON document per line
            found = (s for line in raw.splitlines() for s in _json_texts(json.loads(line)))
        elif path.suffix == ".xml":
            found = _feed_texts(raw)
        else:
            found = iter([raw.decode("utf-8")])
        yield from ((rel, t) for t in found)


# Pages join the author's sentences with their own punctuation ("Title · Site", “quote”):
# each piece between these is checked on its own.
SEPARATORS = re.compile(r"[·“”\n]|\s—\s")


def unsigned_agreements(out: Path, corpus: str) -> list[str]:
    found = []
    for rel, text in texts_of(out):
        for piece in SEPARATORS.split(text):
            piece = _norm(piece).strip(" .,;:()\"'")
            if AGREE.search(piece) and piece not in corpus:
                found.append(f"{rel}: {piece[:160]!r}")
    return found


@pytest.mark.parametrize("name", ["demo", "fixture"])
def test_no_page_or_export_says_agree_without_a_verdict(name: str, tmp_path: Path) -> None:
    site_dir = REPO if name == "demo" else copy_compare_site(tmp_path / "site")
    out = tmp_path / "out"
    assert main(["build", str(site_dir), "-o", str(out), "--no-search", "-q"]) == 0
    scanned = list(texts_of(out))
    assert len({rel for rel, _ in scanned}) > 15, "the scan found too few files"
    assert unsigned_agreements(out, content_corpus(site_dir)) == []


def test_the_scan_catches_an_unsigned_agree(tmp_path: Path) -> None:
    """The scan itself: chrome text saying "agree" outside a verdict is reported."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text(
        "<!doctype html><html><body><h3 data-verdict='agree'>They agree</h3>"
        "<p>Where they agree</p></body></html>"
    )
    (out / "data.json").write_text(
        json.dumps(
            [
                {"relation": "agree", "relation_source": "analyst"},
                {"relation": "agree", "relation_source": "derived"},
            ]
        )
    )
    found = unsigned_agreements(out, corpus="")
    assert found == ["data.json: 'agree'", "index.html: 'Where they agree'"]


def test_the_fixture_has_an_agree_verdict_that_the_pages_show(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site_dir = copy_compare_site(tmp_path / "site")
    assert main(["build", str(site_dir), "-o", str(out), "--no-search", "-q"]) == 0
    page = lxml.html.fromstring((out / "compare/one-vs-two/index.html").read_bytes())
    (row,) = page.xpath("//div[contains(@class, 'compare-row')][@data-topic='alpha']")
    assert row.get("data-relation") == "agree"
    assert row.get("data-relation-source") == "analyst"
    assert "They agree" in row.xpath("string(.//*[@data-verdict='agree'])")
    (zeta,) = page.xpath("//div[contains(@class, 'compare-row')][@data-topic='zeta']")
    assert zeta.get("data-relation") == "same-stance"
    assert "Same stance label" in zeta.text_content()
    assert "derived" in zeta.text_content()

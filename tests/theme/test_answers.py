"""Stances carry their meaning everywhere: a badge reads as the answer to its topic's question,
and one that is not beside the question says what it answers (the question, or the topic's
answer phrase). Checked on every listing, topic, actor, compare and home page, and the feed."""

from __future__ import annotations

from pathlib import Path

import lxml.etree
import lxml.html
import pytest
import yaml

from briefgen.cli import main
from tests.support.compare_site import copy_compare_site
from tests.support.paths import REPO

CONTAINER_TAGS = ("li", "tr")
CONTAINER_CLASSES = (
    "compare-row",
    "position",
    "actor-positions",
    "topic-positions",
    "ps-topic",  # the briefing's "positions in this briefing", under each question
)


def _container(el: lxml.html.HtmlElement) -> bool:
    """The element a badge sits in: its list item, table row, compare row or position."""
    classes = (el.get("class") or "").split()
    return el.tag in CONTAINER_TAGS or any(c in classes for c in CONTAINER_CLASSES)


@pytest.fixture(scope="module", params=["demo", "fixture"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp(f"answers-{request.param}")
    site = REPO if request.param == "demo" else copy_compare_site(root / "site")
    assert main(["build", str(site), "-o", str(root / "out"), "--no-search", "-q"]) == 0
    (root / "out" / ".site").write_text(str(site))
    return root / "out"


def _topics(out: Path) -> dict[str, dict[str, object]]:
    site = Path((out / ".site").read_text())
    topics = yaml.safe_load((site / "content/topics.yaml").read_text(encoding="utf-8"))
    assert isinstance(topics, dict)
    return topics


def _pages(out: Path) -> list[Path]:
    pages = [out / "index.html", out / "topics/index.html", out / "actors/index.html"]
    for section in ("topics", "actors", "compare", "briefings"):
        pages += sorted((out / section).glob("*/index.html"))
    return pages


def test_every_badge_says_what_it_answers(built: Path) -> None:
    topics = _topics(built)
    questions = [str(t["question"]) for t in topics.values()]
    phrases = {
        str(label)
        for t in topics.values()
        for label in (t.get("answers") or {}).values()  # type: ignore[union-attr]
    }
    problems = []
    badges = 0
    for page_path in _pages(built):
        page = lxml.html.fromstring(page_path.read_bytes())
        rel = page_path.relative_to(built).as_posix()
        page_question = page.xpath("string(//header//p[contains(@class, 'question')])").strip()
        for badge in page.xpath("//main//span[contains(concat(' ', @class, ' '), ' stance ')]"):
            badges += 1
            if badge.text_content() in phrases or page_question in questions:
                continue  # an answer phrase, or a topic page: the question is the page's own
            after = badge.getnext()
            named = after is not None and "stance-q" in (after.get("class") or "").split()
            if named and after.text_content().strip(" on“”") in questions:
                continue  # the badge names its question right after it
            # The badge's list item, row or card (not the whole page) shows the question.
            near = [a for a in badge.iterancestors() if _container(a)]
            text = " ".join(" ".join(a.text_content().split()) for a in near)
            if not any(q in text for q in questions):
                problems.append(f"{rel}: {badge.text_content()!r} in {text[:120]!r}")
    assert badges > 20
    assert problems == []


def test_the_matrix_rows_are_the_questions(built: Path) -> None:
    topics = _topics(built)
    page = lxml.html.fromstring((built / "index.html").read_bytes())
    rows = [" ".join(th.text_content().split()) for th in page.xpath("//table//tbody/tr/th")]
    assert rows and all(r in [t["question"] for t in topics.values()] for r in rows), rows


def test_feed_names_the_question_beside_each_answer(built: Path) -> None:
    topics = _topics(built)
    feed = lxml.etree.fromstring((built / "feed.xml").read_bytes())
    for content in feed.iter("{http://www.w3.org/2005/Atom}content"):
        html = lxml.html.fragment_fromstring(content.text, create_parent="div")
        for li in html.xpath("//li"):
            text = " ".join(li.text_content().split())
            assert any(str(t["question"]) in text for t in topics.values()), text

"""`import` and `new --from` take any plain text or Markdown article, not only the seed format.

Title and date: the command line first, then the article's front-matter, then its first line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen.cli import main
from tests.support.files import body_of, front_of

PLAIN = """Synthetic Council Rejects the Lorem Plan

Synthetic Actor One said on Monday that the lorem plan cannot pass in its current form.

The ipsum dispute

Synthetic Actor Two answered that the plan was the only way forward, and asked for a vote.

> We will not wait another year for the lorem plan.

Both sides meet again next week.
"""

MARKDOWN = """---
title: Synthetic Markdown Article
date: 2024-03-05
---
# A headline the front-matter overrides

Synthetic Actor One spoke *at length* about the dolor budget.

## Reactions

> The budget is a synthetic fiction.
> — Synthetic Actor Two

- one point
- another point
"""


def _only(site: Path) -> Path:
    (path,) = (site / "content" / "briefings").glob("*.md")
    return path


def test_a_plain_article_imports_with_its_structure(empty_site: Path, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(PLAIN, encoding="utf-8")
    assert main(["import", str(article), str(empty_site), "--date", "2024-02-03"]) == 0
    path = _only(empty_site)
    assert path.name == "2024-02-03-synthetic-council-rejects-the-lorem-plan.md"
    front = front_of(path)
    assert front["title"] == "Synthetic Council Rejects the Lorem Plan"
    assert front["date"] == dt.date(2024, 2, 3)
    body = body_of(path)
    assert body.splitlines()[0].startswith("Synthetic Actor One said on Monday")
    assert "\n## The ipsum dispute\n" in body
    assert "\n> We will not wait another year for the lorem plan.\n" in body
    assert body.count("\n\n") == 4  # five blocks: the title line became the title
    assert main(["check", str(empty_site), "--drafts"]) == 0


def test_a_markdown_article_keeps_its_markdown_and_front_matter(
    empty_site: Path,
    tmp_path: Path,
) -> None:
    article = tmp_path / "article.md"
    article.write_text(MARKDOWN, encoding="utf-8")
    assert main(["import", str(article), str(empty_site)]) == 0
    path = _only(empty_site)
    front = front_of(path)
    assert (front["title"], front["date"]) == ("Synthetic Markdown Article", dt.date(2024, 3, 5))
    body = body_of(path)
    expected = MARKDOWN.split("---\n", 2)[2]
    assert body == expected  # headings, emphasis, quotes and lists verbatim
    assert main(["check", str(empty_site), "--drafts"]) == 0


def test_the_command_line_wins_over_the_front_matter_and_the_first_line(
    empty_site: Path,
    tmp_path: Path,
) -> None:
    article = tmp_path / "article.md"
    article.write_text(MARKDOWN, encoding="utf-8")
    argv = ["import", str(article), str(empty_site), "--title", "Synthetic Given Title"]
    assert main([*argv, "--date", "2024-04-01"]) == 0
    front = front_of(_only(empty_site))
    assert (front["title"], front["date"]) == ("Synthetic Given Title", dt.date(2024, 4, 1))


def test_a_first_line_may_carry_the_date(empty_site: Path, tmp_path: Path) -> None:
    article = tmp_path / "dated.txt"
    article.write_text("2024-05-06 Synthetic Dated Headline\n\nSome synthetic text.\n")
    assert main(["import", str(article), str(empty_site)]) == 0
    front = front_of(_only(empty_site))
    assert (front["title"], front["date"]) == ("Synthetic Dated Headline", dt.date(2024, 5, 6))
    assert body_of(_only(empty_site)) == "Some synthetic text.\n"


def test_an_article_without_a_date_is_one_clear_error_for_import(
    empty_site: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    article = tmp_path / "undated.txt"
    article.write_text(PLAIN, encoding="utf-8")
    assert main(["import", str(article), str(empty_site)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{article}:1:1: error: the article has no date\n  hint: give --date")
    assert not (empty_site / "content" / "briefings").exists() or not list(
        (empty_site / "content" / "briefings").glob("*.md")
    )


def test_new_from_a_plain_article_uses_the_given_title_and_date(
    empty_site: Path,
    tmp_path: Path,
) -> None:
    article = tmp_path / "article.txt"
    article.write_text(PLAIN, encoding="utf-8")
    argv = ["new", "Synthetic Briefing", str(empty_site), "--from", str(article)]
    assert main([*argv, "--date", "2024-02-09"]) == 0
    path = _only(empty_site)
    assert path.name == "2024-02-09-synthetic-briefing.md"
    # The title came from the command line, so the article's first line stays text.
    assert body_of(path).startswith("Synthetic Council Rejects the Lorem Plan\n\n")

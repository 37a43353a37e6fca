"""`briefgen new` and `briefgen import`: seed text in, a briefing skeleton that checks out."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.document.markdown import make_parser
from briefgen.scaffold.skeleton import escape_markdown, is_subheading
from tests.support.files import body_of, front_of
from tests.support.paths import REPO

SEED = REPO / "seeds" / "000_7faf2711d6594d17.txt"
DEMO = REPO / "content" / "briefings" / "2024-07-04-putin-ceasefire-impossible.md"
NAME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.md$")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_content(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def blocks(markdown: str) -> list[str]:
    return [b.strip() for b in re.split(r"\n[ \t]*\n", markdown.strip()) if b.strip()]


def created(site: Path, before: dict[str, bytes]) -> list[str]:
    return sorted(set(snapshot(site)) - set(before))


def test_import_reproduces_the_structure_of_the_demo_briefing(
    empty_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(empty_site / "seeds" / SEED.name), str(empty_site)]) == 0
    (path,) = (empty_site / "content" / "briefings").glob("*.md")
    assert path.name == "2024-07-04-president-putin-says-ceasefire-in-ukraine-impossible.md"
    assert f"created {path}" in capsys.readouterr().err

    front = front_of(path)
    assert front["title"] == "President Putin says ceasefire in Ukraine impossible"
    assert front["date"] == dt.date(2024, 7, 4)
    assert front["source"] == {"seed": f"seeds/{SEED.name}"}
    assert front["annotations"] == []
    text = path.read_text(encoding="utf-8")
    for key in ("id", "kind", "quote", "prefix", "suffix", "actor", "topic", "stance", "summary"):
        assert re.search(rf"^#\s+(- )?{key}: ", text, re.M), f"example lacks {key}"
    assert re.search(r"^#\s+note: ", text, re.M)

    ours, demo = blocks(body_of(path)), blocks(body_of(DEMO))
    # The seed runs its pull quote and the attribution together ("... impossible. Vladimir
    # PutinPresident of Russia"); the demo sets it as a block quote with "— Vladimir Putin,
    # President of Russia". That is the one editorial difference: compare the quote's text only.
    ours = [re.sub(r" Vladimir PutinPresident of Russia$", "", b) for b in ours]
    demo = [b.splitlines()[0].removeprefix("> ") if b.startswith(">") else b for b in demo]
    assert [b for b in ours if b.startswith("## ")] == [b for b in demo if b.startswith("## ")]
    assert ours == demo

    assert main(["check", str(empty_site), "--drafts", "--format", "json"]) == 0
    assert '"severity": "error"' not in capsys.readouterr().out


def test_new_from_a_seed_takes_the_given_title_and_date(empty_site: Path) -> None:
    seed = empty_site / "seeds" / SEED.name
    status = main(
        ["new", "Ceasefire: two refusals", str(empty_site), "--from", str(seed), "--date",
         "2024-07-05"]
    )  # fmt: skip
    assert status == 0
    (path,) = (empty_site / "content" / "briefings").glob("*.md")
    assert path.name == "2024-07-05-ceasefire-two-refusals.md"
    front = front_of(path)
    assert front["title"] == "Ceasefire: two refusals"
    assert front["date"] == dt.date(2024, 7, 5)
    assert "## Zelensky also rejected the idea of a ceasefire" in body_of(path)
    assert main(["check", str(empty_site), "--drafts"]) == 0


def test_new_without_a_seed_writes_a_placeholder_dated_today(empty_site: Path) -> None:
    before = dt.date.today()
    assert main(["new", "A fresh briefing", str(empty_site)]) == 0
    after = dt.date.today()
    (path,) = (empty_site / "content" / "briefings").glob("*.md")
    assert path.name in {f"{d.isoformat()}-a-fresh-briefing.md" for d in (before, after)}
    assert front_of(path)["draft"] is True
    assert len(blocks(body_of(path))) == 1  # one placeholder paragraph
    assert main(["check", str(empty_site), "--drafts"]) == 0


HOSTILE_TITLES = [
    "../../etc/passwd",
    "..\\..\\windows\\system32",
    "/etc/passwd",
    "<script>alert(1)</script>",
    '"; rm -rf / #',
    "title: nested: yaml: [1, 2] {a: b} & *anchor !tag",
    "Ünïcödé àccents — “typographic” ‘quotes’",
    "中文标题：停火不可能",
    "Путин: перемирие невозможно",
    "🎉🔥💣",
    "...",
    "-",
    "CON",
    "\u202eevil\u202c right-to-left override",
    "null",
    "yes",
    "2024-07-04",
    "x" * 400,
    "word " * 80,
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_new_gives_a_safe_slug_for_any_title(empty_site: Path, title: str) -> None:
    parent = empty_site.parent
    before = snapshot(parent)
    assert main(["new", title, str(empty_site), "--date", "2024-01-02"]) == 0
    (new,) = created(parent, before)
    path = parent / new
    assert path.parent == empty_site / "content" / "briefings"
    assert NAME_RE.match(path.name), path.name
    assert len(path.stem) <= len("2024-01-02-") + 60
    assert front_of(path)["title"] == " ".join(title.split())  # the title itself is kept
    assert main(["check", str(empty_site), "--drafts"]) == 0


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_import_gives_a_safe_slug_for_any_seed_title(
    empty_site: Path, tmp_path: Path, title: str
) -> None:
    seed = tmp_path / "hostile-seed.txt"
    seed.write_text(f" date 2024-01-03 {title}\n\nSome text of the source.\n", encoding="utf-8")
    parent = empty_site.parent
    before = snapshot(parent)
    assert main(["import", str(seed), str(empty_site)]) == 0
    (new,) = created(parent, before)
    path = parent / new
    assert path.parent == empty_site / "content" / "briefings"
    assert NAME_RE.match(path.name), path.name
    assert main(["check", str(empty_site), "--drafts"]) == 0


@pytest.mark.parametrize("title", ["", "   ", "\t\n"])
def test_an_empty_title_is_refused(
    empty_site: Path, title: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(empty_site)
    assert main(["new", title, str(empty_site)]) == 2
    assert "title is empty" in capsys.readouterr().err
    assert snapshot(empty_site) == before


def test_titles_that_slugify_to_nothing_fall_back_to_briefing(empty_site: Path) -> None:
    assert main(["new", "🎉🔥", str(empty_site), "--date", "2024-01-02"]) == 0
    assert (empty_site / "content" / "briefings" / "2024-01-02-briefing.md").is_file()


def test_nothing_is_overwritten(empty_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = empty_site / "seeds" / SEED.name
    assert main(["import", str(seed), str(empty_site)]) == 0
    (path,) = (empty_site / "content" / "briefings").glob("*.md")
    path.write_text(path.read_text() + "\nThe author's own work.\n")
    before = snapshot(empty_site)
    capsys.readouterr()

    assert main(["import", str(seed), str(empty_site)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    title = "President Putin says ceasefire in Ukraine impossible"
    assert main(["new", title, str(empty_site), "--date", "2024-07-04"]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    # The same slug in a subfolder would be a duplicate slug: refused as well.
    assert main(["new", "Elsewhere", str(empty_site), "--date", "2024-07-04"]) == 0
    (empty_site / "content" / "briefings" / "2024").mkdir()
    other = empty_site / "content" / "briefings" / "2024" / "2024-07-04-moved.md"
    other.write_text("kept")
    assert main(["new", "Moved", str(empty_site), "--date", "2024-07-04"]) == 2
    assert "already uses the slug" in capsys.readouterr().err
    assert other.read_text() == "kept"
    assert {k: v for k, v in snapshot(empty_site).items() if k in before} == before


def test_one_bad_seed_means_nothing_is_imported(
    empty_site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("no date line here\n\nText.\n")
    before = snapshot(empty_site)
    assert main(["import", str(empty_site / "seeds" / SEED.name), str(bad), str(empty_site)]) == 1
    assert capsys.readouterr().err.startswith(f"{bad}:1:1: error: ")
    assert snapshot(empty_site) == before


MALFORMED: dict[str, tuple[bytes, int, int, str]] = {
    "empty": (b"", 1, 1, "seed file is empty"),
    "blank": (b"\n\n  \n", 1, 1, "seed file is empty"),
    "bad-date": (b" date 2024-02-30 Title\n\nText.\n", 1, 7, "not a valid date: '2024-02-30'"),
    "other-date-format": (b" date 04/07/2024 Title\n\nText.\n", 1, 7, "not a valid date"),
    "no-title": (b" date 2024-07-04\n\nText.\n", 1, 17, "no title"),
    "no-blank-line": (b" date 2024-07-04 Title\nText at once.\n", 2, 1, "must be blank"),
    "no-text": (b" date 2024-07-04 Title\n\n\n", 1, 23, "no text after the date line"),
    "not-utf8": (b" date 2024-07-04 Title\n\nCaf\xe9 au lait.\n", 3, 4, "not UTF-8"),
    "binary": (b" date 2024-07-04 Title\n\n\x00\x01\x02", 3, 1, "NUL bytes"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_seeds_get_a_clear_error_at_their_line(
    empty_site: Path, tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data, line, col, message = MALFORMED[case]
    seed = tmp_path / f"{case}.txt"
    seed.write_bytes(data)
    before = snapshot(empty_site)
    for argv in (["import", str(seed), str(empty_site)], ["new", "T", str(empty_site), "--from",
                                                           str(seed)]):  # fmt: skip
        assert main(argv) == 1
        err = capsys.readouterr().err
        first = err.splitlines()[0]
        assert first.startswith(f"{seed}:{line}:{col}: error: "), err
        assert message in first
        assert "nothing was written" in err
    assert snapshot(empty_site) == before


def test_a_missing_seed_or_site_is_a_usage_error(
    empty_site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(tmp_path / "nope.txt"), str(empty_site)]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["import", str(SEED), str(tmp_path / "empty-dir-is-not-a-site")]) == 2
    assert main(["import", str(empty_site)]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["new", "T", str(empty_site), "--date", "2024-02-30"])
    assert exc.value.code == 2


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (["Lead.", "A subheading", "Text."], [False, True, False]),
        (["Lead.", "Ends with a colon:", "Text."], [False, False, False]),
        (["Lead.", "“A quotation”", "Text."], [False, False, False]),
        (["Lead.", "lowercase start", "Text."], [False, False, False]),
        (["Lead.", "Two\nlines", "Text."], [False, False, False]),
        (["Lead.", "2024", "Text."], [False, False, False]),  # no letter
        (["Lead.", "Talks in Istanbul (2022)", "Text."], [False, True, False]),
        (["Lead.", "Word " * 25, "Text."], [False, False, False]),  # too long
        (["A first paragraph", "Last line"], [False, False]),  # first and last never
    ],
)
def test_subheading_rule(paragraphs: list[str], expected: list[bool]) -> None:
    got = [is_subheading(p, i, len(paragraphs)) for i, p in enumerate(paragraphs)]
    assert got == expected


@pytest.mark.parametrize(
    "line",
    [
        "# not a heading",
        "> not a quote",
        "- not a list",
        "+ not a list",
        "1. not a list",
        "2024) not a list",
        "*not emphasis* and _not either_ and `not code`",
        "[not a link](javascript:alert(1)) ![not an image](x.png)",
        "<b>not a tag</b> <!-- not a comment --> &amp; &#65; are text",
        "a | b | c",
        "~~not struck~~ back\\slash",
        "===",
        "---",
    ],
)
def test_seed_text_is_kept_verbatim_for_the_reader(line: str) -> None:
    rendered = make_parser().render(escape_markdown(line))
    text = text_content(rendered).strip()
    assert text == line

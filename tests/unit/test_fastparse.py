"""The fast parse path (markdown_it_pyrs's tree as markdown-it-py tokens) against markdown-it-py."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from benchmarks import corpus
from briefgen import fastparse
from briefgen.fastparse import converted, parse, render_note
from briefgen.load import split_front_matter
from briefgen.markdown import make_parser
from briefgen.textmap import child_text

REPO = Path(__file__).resolve().parents[2]
MD = make_parser()
FIELDS = (
    "type", "tag", "nesting", "attrs", "map", "level", "content", "markup", "info", "meta",
    "block", "hidden",
)  # fmt: skip
BLOCK_SHAPE = ("type", "tag", "nesting", "attrs", "map", "level", "hidden", "markup", "info")


def body_of(path: Path) -> str:
    parts = split_front_matter(path.read_text(encoding="utf-8"))
    assert parts is not None, path
    return parts[1]


def differences(got: list[Token], expected: list[Token], where: str = "") -> list[str]:
    """Every field that differs, recursively through children; [] when the streams are equal."""
    if len(got) != len(expected):
        return [f"{where}: {[t.type for t in got]} != {[t.type for t in expected]}"]
    found = []
    for i, (a, b) in enumerate(zip(got, expected, strict=True)):
        for field in FIELDS:
            if getattr(a, field) != getattr(b, field):
                found.append(f"{where}[{i}] {a.type}.{field}: {getattr(a, field)!r}")
        if (a.children is None) != (b.children is None):
            found.append(f"{where}[{i}] {a.type}.children: {a.children!r}")
        elif a.children is not None and b.children is not None:
            found.extend(differences(a.children, b.children, f"{where}[{i}]"))
    return found


def assert_equivalent(text: str, tokens: list[Token]) -> None:
    """What the rest of the pipeline relies on, and full equality with markdown-it-py."""
    expected = MD.parse(text)
    assert differences(tokens, expected) == []  # first: rendering sets an image's alt attribute
    assert MD.renderer.render(tokens, MD.options, {}) == MD.render(text)
    shape = [tuple(getattr(t, f) for f in BLOCK_SHAPE) for t in tokens]
    assert shape == [tuple(getattr(t, f) for f in BLOCK_SHAPE) for t in expected]
    for token, reference in zip(tokens, expected, strict=True):
        if token.type == "inline":
            assert (token.content, token.map) == (reference.content, reference.map)
            texts = "".join(child_text(c) for c in token.children or [])
            assert texts == "".join(child_text(c) for c in reference.children or [])


def assert_fast(text: str) -> None:
    tokens = converted(text)
    assert tokens is not None, "fell back"
    assert_equivalent(text, tokens)


# -- real bodies -----------------------------------------------------------------------------


def test_demo_site_bodies_take_the_fast_path() -> None:
    paths = sorted((REPO / "content" / "briefings").glob("*.md"))
    assert paths
    for path in paths:
        assert_fast(body_of(path))


def test_benchmark_corpus_bodies_take_the_fast_path(tmp_path: Path) -> None:
    corpus.write(200, tmp_path)
    paths = sorted((tmp_path / "briefgen" / "content" / "briefings").glob("*.md"))
    assert len(paths) == 200
    for path in paths:
        assert_fast(body_of(path))


def test_benchmark_corpus_notes_render_by_the_fast_path(tmp_path: Path) -> None:
    corpus.write(20, tmp_path)
    notes = []
    for path in sorted((tmp_path / "briefgen" / "content" / "briefings").glob("*.md")):
        parts = split_front_matter(path.read_text(encoding="utf-8"))
        assert parts is not None
        notes += [a["note"] for a in yaml.safe_load(parts[0])["annotations"]]
    assert len(notes) == 100
    for note in notes:
        assert render_note(note) == MD.render(note)


# -- every construct -------------------------------------------------------------------------

# (markdown, True: the fast path must take it, False: it must fall back, None: either)
SNIPPETS: list[tuple[str, bool | None]] = [
    ("", True),
    ("\n\n\n", True),
    ("plain text", True),
    ("# One\n\n## Two ##\n\n###### Six #\n\n####### seven is text", True),
    ("#\n\n# #\n\n#hashtag", True),
    ("Title\n=====\n\nSub\ntitle\n---", True),
    ("*em* **strong** ***both*** **a *b* c** *a **b** c*", True),
    ("_em_ __strong__ ___both___", True),
    ("**strong** at the start, then **again**\n**on the next line**", True),
    ("****double****", True),
    ("[a](http://e.example \"Title\") [b](/p 't') [c](<x y> (paren)) [d](#frag)", True),
    ('[a][r] [b][] [r] [R]\n\n[r]: /ref "T"\n[b]: http://b.example/', True),
    ('![alt *em* **strong** &amp; \\*](/i.png "title")', True),
    ("![plain](/i.png) ![](/empty.png)", True),
    ("<http://e.example/a?b=1&c=2> <me@e.example>", True),
    ("`code` ``a ` b`` ` x ` `  `", True),
    ("    indented\n    code\n\n      more", True),
    ("```python\nprint(1)\n```\n\n~~~\ntilde\n~~~\n\n```\n  spaced info\n```", True),
    ("````md\n```\ninner\n```\n````", True),
    ("> quote\n> on two lines\n>\n> > nested\n>\n> back", True),
    ("> # heading\n> - item\n> ```\n> code\n> ```", True),
    ("- a\n- b\n- c", True),
    ("* a\n\n* b\n\n* c", True),
    ("3. three\n4. four\n\n1) one\n\n2) two", True),
    ("- a\n\n  second paragraph\n- b", True),
    ("- a\n  - b\n    - c\n- d", True),
    ("1. a\n   - b\n\n     para\n2. c", True),
    ("- a\n  > quote\n- ```\n  code\n  ```", True),
    ("- a\n  ***\n  b", True),
    ("-\n  late\n- \n\n  after", True),
    ("- - nested on one line\n- 1. ordered", True),
    ("hard  \nbreak\\\nthen soft\nbreak", True),
    ("&amp; &copy; &#35; &#x263A; &nosuch; &#0; &quot;", True),
    ("\\* \\_ \\` \\# \\\\ \\a \\~", True),
    ("\\[not a link\\] \\<b\\> \\!", True),
    ("***\n\n---\n\n___\n\n- - -\n\n* * *", True),
    ("text\n\n| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n| x |\n| 1 | 2 | 3 | 4 |", True),
    ("| only | head |\n| --- | --- |", True),
    ("~~gone~~ and ~~more~~, ~one~", True),
    ("<b>bold</b> <div>x</div>\n\n<div>\nblock\n</div>\n\n<!-- c -->", True),
    ("Grüße, “quotes” — naïve 日本語 😀, *émphasis*", True),
    ('[link](/a)\n\n- item with [link](/b "t")\n\n> [quoted](/c)', True),
    # Fallbacks: input the fast path must not take.
    ("a\r\nb", False),  # CRLF
    ("\tcode", False),  # tab
    ("a\0b", False),  # NUL
    ("a\u00a0b", False),  # non-ASCII whitespace
    ("€*x*", False),  # a symbol next to an emphasis marker
    ("*a_t_* _a_", False),  # an unmatched marker: emphasis resolution differs
    ("~~a~~~~b~~", False),  # long tilde runs
    ("[a `b", False),  # markdown-it.rs panics
    ("> a\nlazy", False),  # lazy continuation line
    (">\n\n", False),  # empty blockquote
    ("| a\n---", False),  # markdown-it-py sees a table here
    ("```\nunclosed", False),  # unclosed fence without a final newline
    ("[a](http://ä.example)", False),  # punycode host
    ("<http://e.example/%41>", False),  # markdown-it-py decodes the autolink text
    ("[r](\n\n[r]: /ref", False),  # `[ref](`
    ("- a\n  ", False),  # a last line of spaces
    ("x `a\n  b` y", False),  # a code span over an indented line
    ("![![inner](/i)](/o)", False),  # an image in an image description
    ("> " * 20 + "deep", False),
]


@pytest.mark.parametrize(("text", "fast"), SNIPPETS)
def test_snippet(text: str, fast: bool | None) -> None:
    tokens = converted(text)
    if fast is not None:
        assert (tokens is not None) == fast
    if tokens is not None:
        assert_equivalent(text, tokens)
    assert MD.renderer.render(parse(MD, text), MD.options, {}) == MD.render(text)
    note = render_note(text)
    if note is not None:
        assert note == MD.render(text)
    elif fast is False:
        assert note is None


def test_fallback_returns_markdown_it_py_tokens() -> None:
    text = "a\r\nb *c*"
    assert differences(parse(MD, text), MD.parse(text)) == []


def test_without_markdown_it_pyrs_everything_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastparse, "_PYRS", None)
    assert converted("plain") is None
    assert render_note("plain") is None
    assert differences(parse(MD, "*a*"), MD.parse("*a*")) == []


def test_tokens_are_fresh_objects() -> None:
    """The pipeline sets attributes on tokens: no two may share a dict."""
    tokens = converted("# a\n\n# b\n\n[x](/y) [z](/w)")
    assert tokens is not None
    every = tokens + [c for t in tokens for c in t.children or []]
    assert len({id(t.attrs) for t in every}) == len(every)
    assert len({id(t.meta) for t in every}) == len(every)


def test_render_note_is_pyrs_html_or_none() -> None:
    assert render_note("A *plain* note with `code`.") == MD.render("A *plain* note with `code`.")
    assert render_note("With a [link](/x).") is None  # pyrs renders some links differently
    assert render_note("tab\there") is None


# -- random Markdown-ish text ----------------------------------------------------------------

PREFIXES = ["", "", "", "> ", "- ", "* ", "1. ", "2) ", "  ", "    ", "# ", "### ", "> - ", "- > "]
FRAGMENTS = [
    "word", "two words", " ", "  ", "é", "“q”", "—", "😀", "*", "**", "_", "__", "~~", "`", "``",
    "[", "]", "(", ")", "!", "|", "-", "=", "#", ">", "<", "&", "\\", "*em*", "**strong**",
    "_em_", "~~s~~", "`code`", "[a](/u)", '[t](/u "T")', "[r]", "[r][]", "![i *e*](/p.png)",
    "<http://e.example>", "<a@b.example>", "<b>", "&amp;", "&#35;", "&copy;", "&nosuch;", "\\*",
    "x_y", "1.", "***", "---", "===", "```", "~~~",
]  # fmt: skip
LINES = ["", "---", "***", "===", "```", "```py", "~~~", "| a | b |", "|---|:-:|", "    code",
         '[r]: /ref "T"', ">", "-"]  # fmt: skip

line = st.one_of(
    st.builds(lambda p, parts: p + "".join(parts), st.sampled_from(PREFIXES),
              st.lists(st.sampled_from(FRAGMENTS), max_size=8)),
    st.builds(lambda p, text: p + text, st.sampled_from(PREFIXES), st.sampled_from(LINES)),
)  # fmt: skip
markdown = st.builds(
    lambda lines, end: "\n".join(lines) + end,
    st.lists(line, min_size=1, max_size=10),
    st.sampled_from(["", "\n", "\n\n"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown)
@example("- a\n- b\n\n  c\n- d\n\n\npara")
@example("> - x\n>   y\n> z")
def test_random_markdown_renders_as_markdown_it_py(text: str) -> None:
    assert MD.renderer.render(parse(MD, text), MD.options, {}) == MD.render(text)
    tokens = converted(text)
    if tokens is not None:
        assert differences(tokens, MD.parse(text)) == []
    note = render_note(text)
    if note is not None:
        assert note == MD.render(text)

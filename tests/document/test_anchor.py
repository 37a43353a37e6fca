"""Anchoring quotes in the text a reader sees, and marking them in the rendered HTML."""

from __future__ import annotations

import re

import lxml.html
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.document.markdown import NotesChunk, make_parser, render_note
from tests.support.documents import html, render, spec


def segments(fragment: str, ident: str) -> list[lxml.html.HtmlElement]:
    tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    return list(tree.xpath(f'//mark[@data-anno="{ident}"]'))


def marked_text(fragment: str, ident: str) -> str:
    return "".join(m.text_content() for m in segments(fragment, ident))


def test_quote_is_marked_with_its_id_and_data() -> None:
    doc = render("Alpha says the lorem plan is fine.\n", spec("the lorem plan"))
    assert not doc.errors
    (mark,) = segments(html(doc), "a1")
    assert mark.get("id") == "a1"
    assert mark.get("data-actor") == "actor-a"
    assert "hl-actor-a" in mark.get("class", "").split()
    assert mark.text_content() == "the lorem plan"
    anchor = doc.anchors[0]
    assert doc.plain_text[anchor.start : anchor.end] == "the lorem plan"


@pytest.mark.parametrize(
    ("body", "quote", "original"),
    [
        ("Alpha said “no pause” today.\n", 'said "no pause"', "said “no pause”"),
        ("It’s the lorem plan.\n", "It's the lorem", "It’s the lorem"),
        ("The plan\nis fine.\n", "plan is fine", "plan\nis fine"),
        ("The plan\u00a0is fine.\n", "plan is fine", "plan\u00a0is fine"),
        ("Years 2022–2024 were long.\n", "2022-2024", "2022–2024"),
        ("Years 2022-2024 were long.\n", "2022—2024", "2022-2024"),
        ("A cafe\u0301 plan.\n", "A café plan", "A cafe\u0301 plan"),
        ("The   lorem    plan.\n", "The lorem plan", "The   lorem    plan"),
    ],
)
def test_normalised_match_highlights_original_characters(
    body: str, quote: str, original: str
) -> None:
    doc = render(body, spec(quote))
    assert not doc.errors, doc.errors
    anchor = doc.anchors[0]
    assert doc.plain_text[anchor.start : anchor.end] == original
    assert marked_text(html(doc), "a1") == original


def test_other_differences_do_not_match() -> None:
    doc = render("Alpha said the Lorem plan.\n", spec("the lorem plan"))
    assert not doc.anchors
    assert "not found" in doc.errors[0].message
    assert "letter case" in doc.errors[0].hint


def test_prefix_and_suffix_pick_one_occurrence() -> None:
    body = "First the plan failed. Then the plan worked.\n"
    doc = render(body, spec("the plan", prefix="Then"), spec("the plan", "a2", suffix="failed"))
    assert not doc.errors
    by_id = {a.id: a for a in doc.anchors}
    assert body[by_id["a1"].start - 5 : by_id["a1"].start] == "Then "
    assert body[by_id["a2"].end : by_id["a2"].end + 7] == " failed"


def test_prefix_that_matches_no_occurrence_is_an_error() -> None:
    doc = render("First the plan failed. Then the plan worked.\n", spec("the plan", prefix="Never"))
    assert "prefix/suffix" in doc.errors[0].message


@pytest.mark.parametrize(
    ("body", "count"),
    [
        ("Alpha *beta gamma* delta.\n", 3),
        ("Alpha **beta gamma** delta.\n", 3),
        ("Alpha [beta gamma](https://example.invalid/) delta.\n", 3),
        ("Alpha `beta gamma` delta.\n", 1),  # code is atomic: one mark wraps the <code>
    ],
)
def test_quote_crossing_inline_formatting_becomes_several_segments(body: str, count: int) -> None:
    doc = render(body, spec("Alpha beta gamma delta"))
    assert not doc.errors
    fragment = html(doc)
    marks = segments(fragment, "a1")
    assert len(marks) == count
    assert [m.get("id") for m in marks].count("a1") == 1 and marks[0].get("id") == "a1"
    assert all(m.get("data-actor") == "actor-a" for m in marks)
    assert marked_text(fragment, "a1") == "Alpha beta gamma delta"
    # The formatting survives around its part of the passage.
    tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    assert tree.xpath("//em|//strong|//a|//code")


def test_quote_in_a_link_keeps_the_link() -> None:
    doc = render("See [the lorem report](https://example.invalid/r) now.\n", spec("lorem report"))
    tree = lxml.html.fragment_fromstring(html(doc), create_parent="div")
    (link,) = tree.xpath("//a")
    assert link.get("href") == "https://example.invalid/r"
    assert link.text_content() == "the lorem report"
    assert link.xpath(".//mark[@data-anno='a1']")


def test_overlapping_annotations_nest_and_both_cover_their_text() -> None:
    body = "one two three four five\n"
    doc = render(body, spec("one two three", "a1"), spec("two three four", "a2"))
    assert not doc.errors
    fragment = html(doc)
    assert marked_text(fragment, "a1") == "one two three"
    assert marked_text(fragment, "a2") == "two three four"
    assert len(segments(fragment, "a2")) == 2  # split where a1 ends, to keep nesting valid
    assert lxml.html.fragment_fromstring(fragment, create_parent="div").xpath("//mark//mark")


def test_nested_annotation_inside_another() -> None:
    doc = render(
        "one two three four five\n",
        spec("one two three four five", "outer"),
        spec("three", "inner"),
    )
    fragment = html(doc)
    (outer,) = segments(fragment, "outer")
    (inner,) = segments(fragment, "inner")
    assert inner.getparent().get("data-anno") == "outer"
    assert outer.text_content() == "one two three four five"


def test_same_passage_twice() -> None:
    doc = render("one two three\n", spec("two", "a1"), spec("two", "a2"))
    fragment = html(doc)
    assert marked_text(fragment, "a1") == marked_text(fragment, "a2") == "two"


def test_not_found_hints_the_closest_passage_and_reports_the_annotation_line() -> None:
    body = "Alpha opposes the first lorem proposal today.\n\nSomething else entirely.\n"
    doc = render(body, spec("Alpha opposes the frist lorem proposal", line=42))
    (error,) = doc.errors
    assert error.spec.pos.line == 42
    assert error.message == "quote not found in the text"
    assert "Alpha opposes the first lorem proposal" in error.hint
    assert "line 10" in error.hint  # the body starts on line 10 of its file


def test_markdown_markup_in_a_quote_is_pointed_out() -> None:
    doc = render("Alpha *beta* gamma.\n", spec("Alpha *beta* gamma"))
    assert "without Markdown markup" in doc.errors[0].hint


def test_ambiguous_quote_hint_resolves_the_ambiguity() -> None:
    body = "The plan is on. Beta rejects it.\n\nThe plan is on, says Alpha.\n"
    doc = render(body, spec("The plan is on"))
    (error,) = doc.errors
    assert "ambiguous" in error.message and "2 times" in error.message
    head, *lines = error.hint.splitlines()
    assert head == "add one of these lines below 'quote:':"
    options = []
    for line in lines:  # each pasteable: valid YAML, read back as the key and its value
        fields = yaml.safe_load(line)
        ((key, value),) = fields.items()
        options.append((key, value, re.search(r"# line (\d+):", line)[1]))  # type: ignore[index]
    assert [line for _, _, line in options] == ["10", "12"]
    for key, value, _ in options:
        fixed = render(body, spec("The plan is on", **{key: value}))
        assert not fixed.errors and len(fixed.anchors) == 1
    assert any(len(value.split()) == 1 for _, value, _ in options)  # the shortest, in words


def test_quote_across_blocks_is_an_error() -> None:
    doc = render("First paragraph ends.\n\nSecond begins.\n", spec("ends. Second"))
    assert "block boundary" in doc.errors[0].message


def test_notes_follow_the_block_that_starts_them() -> None:
    body = "Para one alpha.\n\n> Quoted beta.\n>\n> More.\n\n- item gamma\n- item delta\n"
    doc = render(body, spec("alpha", "a1"), spec("beta", "a2"), spec("delta", "a3"))
    kinds = [type(c).__name__ for c in doc.chunks]
    assert kinds == [
        "HtmlChunk",
        "NotesChunk",
        "HtmlChunk",
        "NotesChunk",
        "HtmlChunk",
        "NotesChunk",
    ]
    notes = [c.annotation_ids for c in doc.chunks if isinstance(c, NotesChunk)]
    assert notes == [("a1",), ("a2",), ("a3",)]
    # Each notes group comes after the whole top-level block (never inside <p>, <blockquote>, <ul>).
    assert doc.chunks[2].html.rstrip().endswith("</blockquote>")  # type: ignore[union-attr]
    assert doc.chunks[4].html.rstrip().endswith("</ul>")  # type: ignore[union-attr]


def test_note_numbers_follow_document_order_on_the_last_segment() -> None:
    doc = render("one *two* three four\n", spec("three four", "late"), spec("one two", "early"))
    assert [a.id for a in doc.anchors] == ["early", "late"]
    fragment = html(doc)
    assert segments(fragment, "early")[-1].get("data-n") == "1"
    assert segments(fragment, "early")[0].get("data-n") is None
    assert segments(fragment, "late")[-1].get("data-n") == "2"


def test_quote_in_a_heading_and_heading_ids() -> None:
    doc = render("## Alpha heading here\n\nText.\n", spec("heading here"))
    tree = lxml.html.fragment_fromstring(html(doc), create_parent="div")
    (h2,) = tree.xpath("//h2")
    assert h2.get("id") == "alpha-heading-here"
    assert h2.xpath(".//mark[@id='a1']")


def test_heading_id_never_collides_with_an_annotation_id() -> None:
    doc = render("## Lorem\n\nLorem text.\n", spec("text", "lorem"))
    assert doc.headings[0].id == "lorem-2"


def test_raw_html_is_not_passed_through() -> None:
    doc = render('Alpha <script>alert(1)</script> <img src=x onerror="alert(2)">.\n')
    fragment = html(doc)
    assert "<script" not in fragment and "<img" not in fragment
    assert "&lt;script&gt;" in fragment


def test_unsafe_link_schemes_do_not_become_links() -> None:
    doc = render("[click](javascript:alert(1)) and [data](data:text/html,x) and [v](vbscript:x)\n")
    tree = lxml.html.fragment_fromstring(html(doc), create_parent="div")
    assert not tree.xpath("//a")


def test_heading_ids_avoid_ids_the_page_chrome_uses() -> None:
    doc = render("## Main\n\n## Note: alpha\n\nText.\n")
    assert [h.id for h in doc.headings] == ["main-2", "section-note-alpha"]


@settings(max_examples=400)
@given(
    st.text(
        alphabet=st.sampled_from(list("ab ,.;:'\"-+=1)*_`[]<>&!#|~\n\\\u00a0“”—é")), max_size=24
    )
)
def test_note_fast_path_renders_exactly_as_markdown_it(text: str) -> None:
    md = make_parser()
    assert render_note(md, text).html == (md.render(text) if text else "")

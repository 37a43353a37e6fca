"""Text Fragment links (#<id>:~:text=...) land on their quote; schema.org JSON-LD is script-safe.

A link is checked by decoding its directive and searching for it the way the WICG algorithm
does, approximated: blocks in document order, whitespace collapsed, case ignored, terms that
start or end a match not cutting through a word, prefix and suffix adjacent (whitespace aside)
and in the same block. The first match must be the annotated passage: in the published plain
text, and on the rendered briefing page.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from typing import Any, NamedTuple
from urllib.parse import unquote

import lxml.html
import pytest

from briefgen.document.fragments import PageText, find_directive, text_fragment_url
from briefgen.document.model import Annotation, Briefing
from briefgen.document.scope import Scope, scope_of
from briefgen.exports.jsonld import quotation_jsonld
from tests.support.demo import Built

WS = re.compile(r"[ \t\n\r\f]+")
BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hgroup", "li", "main", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
SKIPPED_TAGS = {"script", "style", "template", "noscript", "head"}


class Directive(NamedTuple):
    element_id: str
    prefix: str | None
    start: str
    end: str | None
    suffix: str | None


def parse(url: str) -> Directive:
    fragment = url.split("#", 1)[1]
    element_id, directive = fragment.split(":~:", 1)
    assert directive.startswith("text="), url
    terms = directive.removeprefix("text=").split(",")
    prefix = suffix = None
    if terms[0].endswith("-"):
        prefix = terms.pop(0)[:-1]
    if terms[-1].startswith("-"):
        suffix = terms.pop()[1:]
    assert 1 <= len(terms) <= 2, url
    for raw in [prefix, suffix, *terms]:
        if raw is not None:  # syntax characters and spaces only ever appear encoded
            assert raw and not set(raw) & set("-&, #"), raw
    start, end = terms[0], terms[1] if len(terms) == 2 else None
    return Directive(
        element_id,
        unquote(prefix) if prefix is not None else None,
        unquote(start),
        unquote(end) if end is not None else None,
        unquote(suffix) if suffix is not None else None,
    )


def word(char: str) -> bool:
    return char.isalnum() or char == "_"


def pattern(d: Directive) -> re.Pattern[str]:
    """The directive as a regex over one block of collapsed text; group `q` is the match."""

    def starts(term: str) -> str:  # the term must not start inside a word
        return r"(?<!\w)" if word(term[0]) else ""

    def ends(term: str) -> str:  # nor end inside one
        return r"(?!\w)" if word(term[-1]) else ""

    out = starts(d.prefix) + re.escape(d.prefix) + " ?" if d.prefix else ""
    quote = ("" if d.prefix else starts(d.start)) + re.escape(d.start)
    if d.end is not None or d.suffix is None:
        quote += ends(d.start)
    if d.end is not None:
        quote += ".*?" + starts(d.end) + re.escape(d.end) + ends(d.end)
    out += f"(?P<q>{quote})"
    if d.suffix:
        out += " ?" + re.escape(d.suffix) + ends(d.suffix)
    return re.compile(out, re.IGNORECASE | re.DOTALL)


def collapse(text: str) -> tuple[str, list[int]]:
    """Whitespace runs as one space, and for each output character its index in `text`."""
    chars: list[str] = []
    index: list[int] = []
    for m in re.finditer(r"[ \t\n\r\f]+|[^ \t\n\r\f]+", text):
        if WS.fullmatch(m.group()):
            chars.append(" ")
            index.append(m.start())
        else:
            chars.extend(m.group())
            index.extend(range(m.start(), m.end()))
    return "".join(chars), index


def first_match(blocks: list[str], d: Directive) -> tuple[int, int, int] | None:
    """(block, start, end) of where a browser lands, offsets in the block's own text."""
    regex = pattern(d)
    for n, block in enumerate(blocks):
        collapsed, index = collapse(block)
        m = regex.search(collapsed)
        if m:
            return n, index[m.start("q")], index[m.end("q") - 1] + 1
    return None


def fragment_annotations(built: Built) -> list[tuple[Briefing, Annotation, str]]:
    found = []
    for b in built.site.briefings:
        for a in b.annotations:
            url = text_fragment_url(a)
            if url is None:
                assert a.fragment_problem, f"{a.id}: no link and no reason"
            else:
                found.append((b, a, url))
    assert found
    return found


def test_every_link_is_under_its_permalink(built: Built) -> None:
    for _, a, url in fragment_annotations(built):
        assert url.startswith(f"{a.url}:~:text="), url
        assert a.url.startswith(built.site.base_path)
        assert parse(url).element_id == a.id


def page_blocks(html: bytes, target_id: str) -> tuple[list[str], tuple[int, int] | None]:
    """The page's text as blocks, and (block, offset) where the element `target_id` starts."""
    blocks: list[str] = []
    current: list[str] = []
    where: list[tuple[int, int]] = []

    def flush() -> None:
        blocks.append("".join(current))
        current.clear()

    def walk(el: Any) -> None:
        if not isinstance(el.tag, str) or el.tag in SKIPPED_TAGS:
            return
        is_block = el.tag in BLOCK_TAGS
        if is_block:
            flush()
        if el.get("id") == target_id:
            where.append((len(blocks), len("".join(current))))
        if el.text:
            current.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if is_block:
            flush()

    walk(lxml.html.fromstring(html))
    flush()
    return blocks, (where[0] if where else None)


def test_links_find_their_quote_on_the_rendered_page(built: Built) -> None:
    """An independent approximation of the browser over the whole page (header, text,
    notes), for quotes inside one block; tests/browser checks every link in Chromium."""
    pages: dict[str, bytes] = {}
    checked = 0
    for b, a, url in fragment_annotations(built):
        if "\n" in a.exact:
            continue
        checked += 1
        html = pages.setdefault(b.slug, built.read(f"{b.path}index.html"))
        blocks, mark = page_blocks(html, a.id)
        assert mark is not None, f"no element with id {a.id}"
        found = first_match(blocks, parse(url))
        assert found is not None, (a.id, parse(url))
        n, start, end = found
        assert n == mark[0], f"{a.id}: lands in another block: {blocks[n]!r}"
        assert start == mark[1], (a.id, blocks[n][start:end])
        assert WS.sub(" ", blocks[n][start:end]) == WS.sub(" ", a.exact)
    assert checked


def directive(html: str, quote: str, preamble: str = "", occurrence: int = -1) -> Directive | None:
    """The directive briefgen makes for an occurrence of `quote` in a body of `html`."""
    scope = scope_of(html)
    starts = [m.start() for m in re.finditer(re.escape(quote), scope.text)]
    start = starts[occurrence]
    found = find_directive(PageText(preamble, scope), start, start + len(quote))
    return None if found.directive is None else parse(f"#x:~:{found.directive}")


def test_terms_are_percent_encoded() -> None:
    quote = "co-operation & trust, “now”"
    html = (
        "<p>x co-operation &amp; trust, “now” y</p>\n"
        "<p>before: 50% #1 co-operation &amp; trust, “now” - after, &amp; more</p>\n"
    )
    found = find_directive(PageText("", scope_of(html)), *_span(html, quote, -1))
    assert found.directive == (
        "text=%231-,co%2Doperation%20%26%20trust%2C%20%E2%80%9Cnow%E2%80%9D,-%2D"
    )
    d = parse(f"#x:~:{found.directive}")
    assert (d.prefix, d.start, d.end, d.suffix) == ("#1", quote, None, "-")


def _span(html: str, quote: str, occurrence: int) -> tuple[int, int]:
    text = scope_of(html).text
    start = [m.start() for m in re.finditer(re.escape(quote), text)][occurrence]
    return start, start + len(quote)


def test_long_quotes_become_a_range_whose_end_is_unambiguous() -> None:
    quote = "the end of the war and the end of the war and then the end of the war"
    d = directive(f"<p>{quote}</p>", quote)
    assert d is not None and d.end is not None
    assert quote.startswith(d.start) and quote.endswith(d.end)
    assert first_match([quote], d) == (0, 0, len(quote))


def test_an_earlier_match_anywhere_gets_context_until_the_passage_is_first() -> None:
    # the case: "A ceasefire in" first matches the lede, case-insensitively
    body = "<p>A ceasefire in Ukraine is impossible, he said.</p>\n"
    d = directive(body, "A ceasefire in", preamble="Talks on a ceasefire in the hope of more")
    assert d is not None
    assert (d.start, d.suffix) in {("A ceasefire in", "Ukraine"), ("A ceasefire in Ukraine", None)}
    # a repeated phrase: the second occurrence needs the word before it
    body = "<p>Then the plan came up.</p>\n<p>Later, the plan was dropped.</p>\n"
    d = directive(body, "the plan", occurrence=1)
    assert d is not None and (d.prefix, d.start) == ("Later,", "the plan")
    assert first_match(["Then the plan came up.", "Later, the plan was dropped."], d) == (
        1,
        7,
        15,
    )


def test_context_comes_from_the_quote_s_own_block_in_whole_words() -> None:
    body = "<h2>Same words</h2>\n<p>Same words again.</p>\n<p>Other same words, yes</p>\n"
    d = directive(body, "same words", occurrence=-1)
    assert d is not None and d.prefix == "Other" and d.suffix in {None, ","}
    # the first block's copy differs only by case: the quote at the start of a block
    d = directive(body, "Same words", occurrence=1)
    assert d is not None and d.prefix is None and d.suffix == "again."


def test_no_link_when_the_quote_cuts_a_word_and_the_export_says_why() -> None:
    html = "<p>A ceasefire now.</p>"
    text = scope_of(html).text
    start = text.index("fire")
    found = find_directive(PageText("", scope_of(html)), start, start + 4)
    assert found.directive is None and found.problem and "word" in found.problem


def test_quotation_jsonld_is_parseable_and_script_safe(built: Built) -> None:
    for b in built.site.briefings:
        for site in (built.site, None):
            text = quotation_jsonld(b, site)
            assert not set(text) & set("<>&")
            data = json.loads(text)
            assert data["@context"] == "https://schema.org"
            assert data["@type"] == "Article" and data["headline"] == b.title
            parts = data["hasPart"]
            assert [p["text"] for p in parts] == [a.quote for a in b.annotations]
            for part, a in zip(parts, b.annotations, strict=True):
                assert part["@type"] == "Quotation"
                expected = built.base + a.url[len(built.site.base_path) :] if site else a.url
                assert part["url"] == expected
                if a.actor is not None:
                    assert part["spokenByCharacter"] == {"@type": "Person", "name": a.actor.name}
                else:
                    assert "spokenByCharacter" not in part


@pytest.mark.parametrize("hostile", ["</script><script>alert(1)</script>", "a & b > c <!--"])
def test_quotation_jsonld_escapes_hostile_text(built: Built, hostile: str) -> None:
    b = dataclasses.replace(built.site.briefings[0], title=hostile, summary=hostile)
    text = quotation_jsonld(b, built.site)
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\\u003c" in text or "\\u0026" in text
    data = json.loads(text)
    assert data["headline"] == hostile and data["description"] == hostile


def test_folding_that_changes_lengths_keeps_offsets_right() -> None:
    # "ß" folds to "ss" (a browser's search treats them alike): the first "Strasse ist"
    # would match "Straße ist", so the second needs context; offsets stay in code points.
    body = "<p>Die Straße ist lang. Die Strasse ist kurz.</p>"
    d = directive(body, "Strasse ist")
    assert d is not None and (d.prefix or d.suffix), d
    html = "<p>Die Straße ist lang. 𝔄 Straße ist kurz.</p>"
    d = directive(html, "Straße ist", occurrence=1)
    assert d is not None and (d.prefix, d.start) == ("𝔄", "Straße ist"), d


def test_the_match_without_a_pattern_is_the_pattern_s_match() -> None:
    # PageText.first_match finds the leftmost match with str.find over whitespace-collapsed
    # text; it must be re's match of the pattern, for any text and terms: random ones over
    # a small alphabet (so that near-misses, repeats and overlaps are common), with every
    # kind of whitespace, folding that changes lengths, and no-break spaces inside terms.
    rng = random.Random(15)
    alphabet = ["a", "b", "A", "é", "ß", "’", "-", " ", "  ", "\n", "\t", "\u2003", "\xa0"]
    checked = 0
    for _ in range(8000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        page = PageText(
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))), Scope(text, {}, ())
        )
        terms = [_random_term(rng, alphabet, optional=i != 1) for i in range(4)]
        if terms[1] is None:
            continue
        found = page.first_match(terms)
        expected = page._regex_match(terms)
        if expected is not None:
            expected = (page._scope_offset(expected[0]), page._scope_offset(expected[1] - 1) + 1)
        assert found == expected, (text, terms)
        checked += found is not None
    assert checked > 100  # enough of them match somewhere


def _random_term(rng: random.Random, alphabet: list[str], optional: bool) -> str | None:
    if optional and rng.random() < 0.5:
        return None
    words = ["".join(rng.choice([*alphabet[:7], "\xa0"]) for _ in range(rng.randint(1, 2)))]
    words += ["".join(rng.choice(alphabet[:4]) for _ in range(rng.randint(1, 2)))]
    return " ".join(words[: rng.randint(1, 2)])

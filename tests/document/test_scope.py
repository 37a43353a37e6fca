"""The selector scope read without the stdlib HTML parser is the one the parser reads.

scope_of() reads markdown-it's plain markup with one regex and hands anything else to
html.parser; both must give the same text, mark spans and block breaks, for everything the
Markdown renderer can write: entities, code, refused raw HTML, images, breaks, tables, links.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.document.markdown import make_parser
from briefgen.document.scope import Scope, _TextContent, scope_of

DEMO_BRIEFINGS = Path(__file__).parents[2] / "content" / "briefings"

MARKDOWN = [
    'Plain text, *emphasis*, **strong**, `code <b> & "quotes"`, ~~gone~~.',
    "Entities: &amp; &lt; &gt; &quot; &copy; &#8212; &#x2014; &nbsp;x & a;b &amp;amp;",
    'Raw HTML is text: <span class="x">hi</span> <!-- no --> <script>alert(1)</script>',
    "Line one  \nhard break\\\nand soft\nbreak",
    '![alt <text> & more](/img.png "a title with > and <")',
    "[link](http://x.invalid/?a=1&b=2 'T') [it's](/x \"it's\")",
    "<https://autolink.invalid/a&b> and <mail@synthetic.invalid>",
    "# Heading one\n\n## Heading *two*\n\n> quote\n> - item\n\n1. one\n2. two\n\n---\n",
    '```python\nif a < b and c > d: print("&")\n```\n\n    indented <code>\n',
    "| a | b |\n|---|---|\n| <x> | &amp; |\n",
    "Text with a tab\tand trailing spaces   \n\nUnicode: “quotes” — dash, ß, 𝔄, e\u0301",
]


def _parsed(html: str) -> Scope:
    parser = _TextContent()
    parser.feed(html)
    parser.close()
    return Scope("".join(parser.parts), parser.spans, tuple(sorted(set(parser.breaks))))


def _marked(html: str) -> str:
    """The rendered HTML with marks around its first words, as briefgen splices them."""
    return html.replace(
        "<p>", '<p><mark class="hl hl-a" id="n-1" data-anno="n-1" data-kind="position">', 1
    ).replace("</p>", "</mark></p>", 1)


@pytest.mark.parametrize("markdown", MARKDOWN)
def test_the_regex_reading_is_the_parser_s(markdown: str) -> None:
    html = make_parser().render(markdown)
    for markup in (html, _marked(html)):
        assert scope_of(markup) == _parsed(markup)


def test_the_demo_briefings_read_the_same() -> None:
    md = make_parser()
    files = sorted(DEMO_BRIEFINGS.glob("*.md"))
    assert files
    for path in files:
        html = _marked(md.render(path.read_text(encoding="utf-8").split("---", 2)[2]))
        assert scope_of(html) == _parsed(html)


def test_markup_it_does_not_write_reads_as_the_parser_reads_it() -> None:
    for html in (
        "<p>a <!-- c --> b</p>",
        "<p title='x>y'>z</p>",
        '<p title="x>y">z</p>',
        "<p>a < b</p>",
        "<P>x</P>",
        "<p>a</p >",
        "<style>p > q</style>",
    ):
        assert scope_of(html) == _parsed(html)

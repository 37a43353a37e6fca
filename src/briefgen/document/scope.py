"""The selector scope: the text of a briefing's `<div class="briefing-text" id="text">`.

W3C selectors (TextQuoteSelector, TextPositionSelector) and Text Fragment links refer to text as
a browser's DOM holds it, not to briefgen's plain text: the element's `textContent`, i.e. every
text node in document order, entities decoded, with exactly the whitespace the HTML has between
blocks (markdown-it writes one newline after each block) and nothing for `<br />` or markup.
The theme emits `Briefing.text_html` unchanged as that element's only content, so the text
computed here from the same string is what a client sees. Offsets count code points (W3C).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

CONTEXT_CHARS = 32  # TextQuoteSelector prefix/suffix length before any extension

# Elements that start a new block for Text Fragment matching (a match never crosses one).
_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption"),
        *("figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol"),
        *("p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"),
        "br",
    }
)


@dataclass(frozen=True)
class Scope:
    text: str
    spans: dict[str, tuple[int, int]]  # annotation id -> [start, end) over its <mark>s
    breaks: tuple[int, ...]  # offsets where a block starts or ends, sorted

    def block_of(self, start: int, end: int) -> tuple[int, int]:
        """The [start, end) of the block text around [start, end) (for a multi-block range,
        from the start of its first block to the end of its last)."""
        breaks = self.breaks
        i = bisect_right(breaks, start)
        j = bisect_left(breaks, end)
        lo = breaks[i - 1] if i > 0 else 0
        hi = breaks[j] if j < len(breaks) else len(self.text)
        return lo, hi

    def crosses_block(self, start: int, end: int) -> bool:
        i = bisect_right(self.breaks, start)
        return i < len(self.breaks) and self.breaks[i] < end


class _TextContent(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.marks: list[str | None] = []
        self.spans: dict[str, tuple[int, int]] = {}
        self.breaks: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.breaks.append(self.length)
        if tag == "mark":
            anno = dict(attrs).get("data-anno")
            self.marks.append(anno)
            if anno is not None:
                start, end = self.spans.get(anno, (self.length, self.length))
                self.spans[anno] = (min(start, self.length), end)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.breaks.append(self.length)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.breaks.append(self.length)
        if tag == "mark" and self.marks:
            anno = self.marks.pop()
            if anno is not None:
                start, end = self.spans[anno]
                self.spans[anno] = (start, max(end, self.length))

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += len(data)


def scope_of(html: str) -> Scope:
    """The textContent of an element whose inner HTML is `html`, and where each mark lies.

    `html` is markdown-it's output (well-formed, escaped, no `<pre>` leading newline, no raw
    HTML), so the stdlib parser's text nodes are the ones a browser's parser builds. Markup as
    plain as that is read by one regex instead (`_feed_plain`, the same calls to the same
    handlers, twice as fast); anything else goes to the stdlib parser.
    """
    parser = _TextContent()
    tags = list(_TAG.finditer(html))
    if not _feed_plain(parser, html, tags):
        parser = _TextContent()
        parser.feed(html)
        parser.close()
    return Scope("".join(parser.parts), parser.spans, tuple(sorted(set(parser.breaks))))


# A tag as markdown-it writes it: lower-case name, attribute values in double quotes with
# `<`, `>`, `&` and `"` escaped. `_feed_plain` reads only markup made of such tags.
_TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)((?:\s[^<>]*)?)>")
_ATTR = re.compile(r'\s([a-z][a-z0-9-]*)="([^"]*)"')
_ATTRS = re.compile(r'(?:\s[a-z][a-z0-9-]*="[^"]*")*\s*/?')  # all a plain tag may hold
_RAW_TEXT = frozenset({"script", "style"})  # the stdlib parser reads their content as text


def _feed_plain(parser: _TextContent, html: str, tags: list[re.Match[str]]) -> bool:
    """Drive the parser's handlers as HTMLParser would, if every `<` starts a plain tag;
    False (nothing fed) otherwise."""
    if html.count("<") != len(tags) or any(
        m[2] in _RAW_TEXT or (m[1] and m[3]) or not _ATTRS.fullmatch(m[3]) for m in tags
    ):
        return False
    done = 0
    for match in tags:
        if match.start() > done:
            parser.handle_data(unescape(html[done : match.start()]))
        done = match.end()
        closing, tag, rest = match.groups()
        if closing:
            parser.handle_endtag(tag)
            continue
        attrs: list[tuple[str, str | None]] = [
            (name, unescape(value)) for name, value in _ATTR.findall(rest)
        ]
        if rest.endswith("/"):
            parser.handle_startendtag(tag, attrs)
        else:
            parser.handle_starttag(tag, attrs)
    if done < len(html):
        parser.handle_data(unescape(html[done:]))
    return True


def _matches(text: str, exact: str, prefix: str, suffix: str, limit: int) -> int:
    """How many places (up to `limit`) a TextQuoteSelector matches in `text`."""
    count = 0
    i = text.find(exact)
    while i != -1 and count < limit:
        j = i + len(exact)
        before = i >= len(prefix) and text.startswith(prefix, i - len(prefix))
        if before and text.startswith(suffix, j):
            count += 1
        i = text.find(exact, i + 1)
    return count


def quote_context(text: str, start: int, end: int) -> tuple[str, str]:
    """Prefix and suffix for the quote text[start:end], unique in `text` by construction.

    Starts with CONTEXT_CHARS on each side and doubles until exactly one place matches (at
    worst both reach the ends of the text, where only the quote's own place can match).
    """
    exact = text[start:end]
    n = CONTEXT_CHARS
    while True:
        prefix = text[max(0, start - n) : start]
        suffix = text[end : end + n]
        if _matches(text, exact, prefix, suffix, 2) == 1:
            return prefix, suffix
        if start - n <= 0 and end + n >= len(text):
            return prefix, suffix  # the whole text: only this place can match
        n *= 2

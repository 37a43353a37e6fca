"""Text Fragment links (`#id:~:text=...`) that highlight an annotation's passage in a browser.

The directive follows the WICG Text Fragments spec: `text=[prefix-,]textStart[,textEnd][,-suffix]`,
every term percent-encoded (with `-`, `&` and `,` too). Long quotes are linked as a start and an
end; prefix and suffix are whole words from the same block, so the first match is the quote.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

from briefgen.document.model import CONTEXT_CHARS, Annotation
from briefgen.document.textmap import BLOCK_SEPARATOR

# Text Fragments: quotes longer than this many words are linked as textStart,textEnd.
_RANGE_WORDS = 10
_EDGE_WORDS = 3
_WS = re.compile(r"[ \t\n\r\f]+")  # what HTML collapses; a no-break space is text
_FIRST_WS = re.compile(r"[ \t\n\r\f]")
_LAST_WS = re.compile(r"[ \t\n\r\f](?!.*[ \t\n\r\f])", re.DOTALL)


def _squash(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _encode(text: str) -> str:
    """Percent-encode a directive term: everything but unreserved characters, and `-` too."""
    return quote(text, safe="").replace("-", "%2D")


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _find_word(haystack: str, needle: str, start: int) -> int:
    """First occurrence of `needle` at or after `start` that does not cut through a word."""
    i = haystack.find(needle, start)
    while i != -1:
        j = i + len(needle)
        before = i == 0 or not (_is_word(haystack[i - 1]) and _is_word(needle[0]))
        after = j == len(haystack) or not (_is_word(haystack[j]) and _is_word(needle[-1]))
        if before and after:
            return i
        i = haystack.find(needle, i + 1)
    return -1


def _start_end(quote_text: str) -> tuple[str, str | None]:
    """textStart and textEnd: a long quote as its first and last words, short ones whole.

    textEnd is long enough that its first occurrence after textStart is the quote's end, so a
    browser's range ends where the quote does.
    """
    words = quote_text.split(" ")
    if len(words) <= _RANGE_WORDS:
        return quote_text, None
    folded = quote_text.casefold()
    for n in range(_EDGE_WORDS, len(words) // 2 + 1):
        start, end = " ".join(words[:n]), " ".join(words[-n:])
        end_folded = end.casefold()
        if _find_word(folded, end_folded, len(start.casefold())) == len(folded) - len(end_folded):
            return start, end
    return quote_text, None


def _context_before(prefix: str) -> str:
    """The words right before the quote, inside its block, starting on a word boundary."""
    bounded = len(prefix) < CONTEXT_CHARS  # the prefix reaches back to the start of the text
    if BLOCK_SEPARATOR in prefix:
        prefix, bounded = prefix.rsplit(BLOCK_SEPARATOR, 1)[1], True
    if not bounded:  # the first word may be cut: drop it
        match = _FIRST_WS.search(prefix)
        prefix = prefix[match.end() :] if match else ""
    return _squash(prefix)


def _context_after(suffix: str) -> str:
    """The words right after the quote, inside its block, ending on a word boundary."""
    bounded = len(suffix) < CONTEXT_CHARS
    if BLOCK_SEPARATOR in suffix:
        suffix, bounded = suffix.split(BLOCK_SEPARATOR, 1)[0], True
    if not bounded:
        match = _LAST_WS.search(suffix)
        suffix = suffix[: match.start()] if match else ""
    return _squash(suffix)


def text_directive(annotation: Annotation) -> str | None:
    """``text=[prefix-,]textStart[,textEnd][,-suffix]`` for a quote inside one block, else None.

    Terms are percent-encoded (https://wicg.github.io/scroll-to-text-fragment/): every
    character but ASCII letters, digits and ``_.~``, so ``-``, ``&`` and ``,`` never clash with
    the syntax. Whitespace runs become one space, as the browser renders them. The prefix and
    suffix come from the quote's own block and start and end on word boundaries.
    """
    if not annotation.single_block:
        return None
    return _directive(annotation.quote, annotation.prefix, annotation.suffix)


@lru_cache(maxsize=1 << 16)  # the feed, the exports and every page ask for the same links
def _directive(quote_text: str, prefix: str, suffix: str) -> str | None:
    quote_text = _squash(quote_text)
    if not quote_text:
        return None
    start, end = _start_end(quote_text)
    before = _context_before(prefix)
    after = _context_after(suffix)
    terms = [f"{_encode(before)}-"] if before else []
    terms.append(_encode(start))
    if end is not None:
        terms.append(_encode(end))
    if after:
        terms.append(f"-{_encode(after)}")
    return "text=" + ",".join(terms)


def text_fragment_url(annotation: Annotation) -> str | None:
    """The passage's shareable Text Fragment link, or None when the quote crosses blocks.

    ``<briefing url>#<annotation id>:~:text=...``: a browser with Text Fragments scrolls to and
    highlights the quote; one without, or one whose text no longer matches, still lands on the
    passage's permalink (the ``#<id>`` before the ``:~:`` directive delimiter). Same form as
    `annotation.url` (a path under the site's base path); absolute_url() makes it absolute.
    Computed once per annotation, when the briefing is built: see `Annotation.fragment_url`.
    """
    a = annotation
    return fragment_link(a.url, a.quote, a.prefix, a.suffix, a.single_block)


def fragment_link(
    url: str, quote_text: str, prefix: str, suffix: str, single_block: bool
) -> str | None:
    directive = _directive(quote_text, prefix, suffix) if single_block else None
    return None if directive is None else f"{url}:~:{directive}"

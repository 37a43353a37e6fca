"""Text Fragment links (`#id:~:text=...`) whose first match on the page is the passage.

The directive follows the WICG Text Fragments spec: `text=[prefix-,]textStart[,textEnd][,-suffix]`,
every term percent-encoded (with `-`, `&` and `,` too). A browser highlights the *first* place
on the page where the directive matches, matching case- and accent-insensitively, so each
candidate directive is checked against the page text (the header text before the passage, then
the selector scope, `scope.py`), folded more loosely than a browser folds it: if any place
before the passage could match, the directive gets more context (words before and after the
quote, from its own block) or longer start/end terms, until the passage is the first match. A
passage with no such directive (its quote starts or ends inside a word, or no context in its
blocks tells it apart) gets no link, and a reason.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote

from briefgen.document.scope import Scope
from briefgen.document.textmap import _FOLD

if TYPE_CHECKING:
    from briefgen.document.model import Annotation

_RANGE_WORDS = 10  # quotes longer than this are linked as textStart,textEnd
_EDGE_WORDS = (3, 5, 8)  # words in textStart/textEnd, tried in turn
_CONTEXT_WORDS = 8  # at most this many words of prefix and suffix
_WS = re.compile(r"[ \t\n\r\f]+")  # what HTML collapses; a no-break space is text
_TOKEN = re.compile(r"[^ \t\n\r\f]+")
_ANY_SPACE = re.compile(r"\s+")  # what the `\s` of first_match's patterns matches
_SPACE_BUT_PLAIN = re.compile(r"[^\S ]")  # whitespace (re's `\s`, i.e. str.isspace) but " "


@dataclass(frozen=True)
class Fragment:
    directive: str | None  # "text=..." or None
    problem: str | None  # why there is no directive


def _squash(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _encode(text: str) -> str:
    """Percent-encode a directive term: everything but unreserved characters, and `-` too."""
    return quote(text, safe="").replace("-", "%2D")


@lru_cache(maxsize=1 << 14)
def _fold_char(char: str) -> str:
    """Looser than a browser: case, accents, typographic quotes and dashes all ignored."""
    decomposed = unicodedata.normalize("NFKD", char)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)) or char
    return bare.casefold().translate(_FOLD)


def _fold(text: str) -> str:
    return "".join(_fold_char(c) for c in text)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _pattern(term: str) -> str:
    return r"\s+".join(re.escape(_fold(word)) for word in term.split(" "))


class PageText:
    """The text a browser searches: `preamble` (what the page shows before the scope), then
    the scope's text; folded, with a map from folded positions back to scope offsets."""

    def __init__(self, preamble: str, scope: Scope) -> None:
        self.scope = scope
        self.shift = shift = len(preamble) + 1
        self.origin: list[int] | None = None  # folded index -> scope offset, when not 1:1
        haystack = preamble + "\n" + scope.text
        if haystack.isascii():  # one character for one
            self.folded = haystack.lower().translate(_FOLD)
            return
        parts = list(map(_fold_char, haystack))
        self.folded = "".join(parts)
        if len(self.folded) != len(haystack):  # some character folded into several
            self.origin = [i - shift for i, part in enumerate(parts) for _ in part]

    def _scope_offset(self, index: int) -> int:
        return index - self.shift if self.origin is None else self.origin[index]

    def first_match(self, terms: list[str | None]) -> tuple[int, int] | None:
        """Scope offsets of the first match of [prefix, start, end, suffix] (None: absent).

        The match is that of the pattern `prefix\\s*(start).*?(end)\\s*suffix` (each term's
        folded words joined by `\\s+`), searched with re (DOTALL) over the folded text. When
        no folded word holds whitespace, the same match is found with str.find over the text
        with each whitespace run made one space (`_Spaced`): the same leftmost match, without
        compiling a pattern per candidate (that was most of the time spent here)."""
        assert terms[1] is not None
        words = [None if t is None else [_fold(w) for w in t.split(" ")] for t in terms]
        if all(w is None or all(x and not _ANY_SPACE.search(x) for x in w) for w in words):
            literal = [None if w is None else " ".join(w) for w in words]
            span = self._spaced.first(*literal)
        else:
            span = self._regex_match(terms)
        if span is None:
            return None
        return self._scope_offset(span[0]), self._scope_offset(span[1] - 1) + 1

    @cached_property
    def _spaced(self) -> _Spaced:
        return _Spaced(self.folded)

    def _regex_match(self, terms: list[str | None]) -> tuple[int, int] | None:
        """[start, end) in the folded text of the first match, found with a pattern."""
        prefix, start, end, suffix = terms
        assert start is not None
        regex = (rf"{_pattern(prefix)}\s*" if prefix else "") + rf"({_pattern(start)})"
        if end:
            regex += rf".*?({_pattern(end)})"
        if suffix:
            regex += rf"\s*{_pattern(suffix)}"
        match = re.compile(regex, re.DOTALL).search(self.folded)
        if match is None:
            return None
        return match.start(1), match.end(2 if end else 1)


class _Spaced:
    """Folded text with each run of whitespace (re's `\\s`) made one space, and the way back.

    A folded word holds no whitespace, so `w1\\s+w2` matches exactly where "w1 w2" occurs
    here, `\\s*` between two terms is "" or " ", and `.*?` is the nearest later occurrence.
    """

    def __init__(self, folded: str) -> None:
        self.runs: list[int] = []  # where each run's space stands in self.text
        self.shifts: list[int] = []  # characters dropped up to and including that run
        parts: list[str] = []
        dropped = done = 0
        for start, end in _runs_to_collapse(folded):
            parts += (folded[done:start], " ")
            self.runs.append(start - dropped)
            dropped += end - start - 1
            self.shifts.append(dropped)
            done = end
        parts.append(folded[done:])
        self.text = "".join(parts)

    def _back(self, index: int) -> int:
        """The folded-text index of self.text[index] (a character other than a space)."""
        runs = bisect_left(self.runs, index)
        return index + (self.shifts[runs - 1] if runs else 0)

    def _after(self, index: int, term: str) -> bool:
        text = self.text
        return text.startswith(term, index) or (
            text.startswith(" ", index) and text.startswith(term, index + 1)
        )

    def _before(self, index: int, term: str) -> bool:
        text, n = self.text, len(term)
        return (index >= n and text.startswith(term, index - n)) or (
            index > n and text[index - 1] == " " and text.startswith(term, index - 1 - n)
        )

    def first(
        self, prefix: str | None, start: str | None, end: str | None, suffix: str | None
    ) -> tuple[int, int] | None:
        """[start, end) in the folded text of the leftmost match, as re would find it: each
        place `start` occurs, left to right (with a prefix, the match begins before it, in
        the same order), and there the nearest `end` after it that the suffix follows."""
        assert start is not None
        text = self.text
        s = text.find(start)
        while s != -1:
            if prefix is None or self._before(s, prefix):
                stop = self._end_of(s + len(start), end, suffix)
                if stop is not None:
                    return self._back(s), self._back(stop - 1) + 1
            s = text.find(start, s + 1)
        return None

    def _end_of(self, after: int, end: str | None, suffix: str | None) -> int | None:
        """Where the match that reached `after` ends: after `end` (the nearest occurrence
        the suffix follows) or, without `end`, at `after`; None if it cannot go on."""
        if end is None:
            return after if suffix is None or self._after(after, suffix) else None
        e = self.text.find(end, after)
        while e != -1:
            if suffix is None or self._after(e + len(end), suffix):
                return e + len(end)
            e = self.text.find(end, e + 1)
        return None


def _runs_to_collapse(text: str) -> list[tuple[int, int]]:
    """[start, end) of each whitespace run other than a lone plain space, in order. Found
    from the few characters that start one (a regex over every character is 5x slower)."""
    seeds = [m.start() for m in _SPACE_BUT_PLAIN.finditer(text)]
    double = text.find("  ")
    while double != -1:
        seeds.append(double)
        double = text.find("  ", double + 2)
    runs: list[tuple[int, int]] = []
    for seed in sorted(seeds):
        if runs and seed < runs[-1][1]:
            continue  # inside the run just found
        start, end = seed, seed + 1
        while start > 0 and text[start - 1].isspace():
            start -= 1
        while end < len(text) and text[end].isspace():
            end += 1
        runs.append((start, end))
    return runs


def _tokens(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text, lo, hi)]


def find_directive(page: PageText, start: int, end: int) -> Fragment:
    """The shortest directive, by the order tried, whose first match is scope[start:end]."""
    scope, text = page.scope, page.scope.text
    words = _tokens(text, start, end)
    if not words:
        return Fragment(None, "the quote has no words")
    start, end = words[0][0], words[-1][1]
    if (start > 0 and _is_word(text[start - 1]) and _is_word(text[start])) or (
        end < len(text) and _is_word(text[end - 1]) and _is_word(text[end])
    ):
        return Fragment(None, "the quote starts or ends inside a word, which a fragment cannot")
    lo, _ = scope.block_of(start, start)
    _, hi = scope.block_of(end, end)
    before, after = _tokens(text, lo, start), _tokens(text, end, hi)
    for k in range(_CONTEXT_WORDS + 1):
        if k > max(len(before), len(after)):
            break
        prefix = _join(text, before[-k:]) if k and before else None
        suffix = _join(text, after[:k]) if k and after else None
        for edges in _edge_terms(scope, text, words):
            terms = [prefix, edges[0], edges[1], suffix]
            if page.first_match(terms) == (start, end):
                return Fragment("text=" + ",".join(_encoded(terms)), None)
    return Fragment(None, "no prefix or suffix in the passage's blocks makes it the first match")


def _join(text: str, tokens: list[tuple[int, int]]) -> str | None:
    return _squash(text[tokens[0][0] : tokens[-1][1]]) if tokens else None


Edges = list[tuple[str, str | None]]


def _edge_terms(scope: Scope, text: str, words: list[tuple[int, int]]) -> Edges:
    """(textStart, textEnd) candidates: the whole quote if short and in one block, then its
    first and last words (each inside one block: a term never crosses a block)."""
    out: Edges = []
    start, end = words[0][0], words[-1][1]
    if len(words) <= _RANGE_WORDS and not scope.crosses_block(start, end):
        out.append((_squash(text[start:end]), None))
    for n in _EDGE_WORDS:
        if 2 * n > len(words) and out:
            break
        head = [w for w in words[:n] if not scope.crosses_block(start, w[1])]
        tail = [w for w in words[-n:] if not scope.crosses_block(w[0], end)]
        if head and tail and head[-1][1] <= tail[0][0]:
            out.append((_squash(text[start : head[-1][1]]), _squash(text[tail[0][0] : end])))
    return out


def _encoded(terms: list[str | None]) -> list[str]:
    prefix, start, end, suffix = terms
    out = [f"{_encode(prefix)}-"] if prefix else []
    out += [_encode(t) for t in (start, end) if t]
    if suffix:
        out.append(f"-{_encode(suffix)}")
    return out


def text_fragment_url(annotation: Annotation) -> str | None:
    """The passage's shareable Text Fragment link (``<page>#<id>:~:text=...``), or None.

    A browser with Text Fragments scrolls to and highlights the quote; one without still lands
    on the passage's permalink (the ``#<id>`` before ``:~:``). Computed once per annotation,
    when the briefing is built (`Annotation.fragment_url`); `fragment_problem` says why not.
    """
    return annotation.fragment_url

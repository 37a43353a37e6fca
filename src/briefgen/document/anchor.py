"""Stage 2: find each annotation's quote in the text a reader sees.

A quote matches wherever its normalised form occurs in the normalised plain text, inside one
block, and where its `prefix`/`suffix` (if given) stand right before/after it. Exactly one
match anchors it; none or several are errors with a hint that fixes them.
"""

from __future__ import annotations

import difflib
import heapq
import string
from dataclasses import dataclass

from briefgen.content.model import AnnotationSpec
from briefgen.content.pasteable import yaml_scalar
from briefgen.document.textmap import Normalised, TextMap, normalise

HINT_WIDTH = 100
_PUNCTUATION = string.punctuation + "“”‘’«»…—–"
CANDIDATES = 24  # windows the closest-passage hint compares character by character


@dataclass(frozen=True)
class Anchor:
    spec: AnnotationSpec
    start: int  # code points in the plain text
    end: int

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class AnchorError:
    spec: AnnotationSpec
    message: str
    hint: str


@dataclass(frozen=True)
class _Match:
    start: int  # normalised offsets
    end: int


class Anchorer:
    """Anchors the annotations of one document."""

    def __init__(self, textmap: TextMap, body_line: int) -> None:
        self.textmap = textmap
        self.body_line = body_line  # 1-based line of the body in its file
        self.norm = normalise(textmap.plain)
        self.block_spans = [
            (self.norm.index_of_original(b.start), self.norm.index_of_original(b.end))
            for b in textmap.blocks
        ]
        self._index: _WordIndex | None = None  # made when a quote is not found

    def anchor(self, spec: AnnotationSpec) -> Anchor | AnchorError:
        quote = normalise(spec.quote).text.strip()
        found = self._find(quote)
        inside = [m for m in found if self._within_block(m)]
        chosen = [m for m in inside if self._context_fits(m, spec)]
        if len(chosen) == 1:
            start, end = self.norm.original_span(chosen[0].start, chosen[0].end)
            return Anchor(spec, start, end)
        if chosen:
            return self._ambiguous(spec, chosen)
        if inside:
            return AnchorError(
                spec,
                f"quote found {self._times(len(inside))}, but not with the given prefix/suffix",
                self._disambiguation_hint(spec, inside)
                if len(inside) > 1
                else f"the quote stands at {self._where(inside[0])}; "
                "prefix/suffix must be the text right before/after it",
            )
        if found:
            return AnchorError(
                spec,
                "quote crosses a block boundary (paragraph, heading or list item)",
                "a quote must stay inside one block: split it into two annotations",
            )
        return AnchorError(spec, "quote not found in the text", self._closest_hint(spec, quote))

    def _find(self, quote: str) -> list[_Match]:
        text, matches, at = self.norm.text, [], 0
        if not quote:
            return []
        while (at := text.find(quote, at)) != -1:
            matches.append(_Match(at, at + len(quote)))
            at += 1
        return matches

    def _within_block(self, match: _Match) -> bool:
        return any(s <= match.start and match.end <= e for s, e in self.block_spans)

    def _context_fits(self, match: _Match, spec: AnnotationSpec) -> bool:
        text = self.norm.text
        if spec.prefix:
            prefix = normalise(spec.prefix).text.strip()
            if not text[: match.start].rstrip().endswith(prefix):
                return False
        if spec.suffix:
            suffix = normalise(spec.suffix).text.strip()
            if not text[match.end :].lstrip().startswith(suffix):
                return False
        return True

    def _line(self, match: _Match) -> int:
        offset = self.norm.original_offset(match.start)
        return self.body_line + self.textmap.line_of(offset)

    def _where(self, match: _Match) -> str:
        return f"line {self._line(match)}"

    @staticmethod
    def _times(count: int) -> str:
        return "once" if count == 1 else f"{count} times"

    def _ambiguous(self, spec: AnnotationSpec, matches: list[_Match]) -> AnchorError:
        return AnchorError(
            spec,
            f"quote is ambiguous: found {self._times(len(matches))}",
            self._disambiguation_hint(spec, matches),
        )

    def _disambiguation_hint(self, spec: AnnotationSpec, matches: list[_Match]) -> str:
        """Lines to paste below `quote:`, one per occurrence, each told apart by its words."""
        indent = " " * ((spec.quote_pos or spec.pos).col - 1)
        options = []
        for match in matches[:3]:
            key, value = self._shortest_context(match, matches)
            options.append((f"{indent}{key}: {yaml_scalar(value)}", self._in_context(match)))
        width = max(len(line) for line, _ in options) + 2
        lines = [f"{line:<{width}}# {where}" for line, where in options]
        more = f" ({len(matches) - 3} more not shown)" if len(matches) > 3 else ""
        return "add one of these lines below 'quote:'" + more + ":\n" + "\n".join(lines)

    def _in_context(self, match: _Match) -> str:
        """'line 12: …words «quote» words…', to tell occurrences on one line apart."""
        before = _words_before_upto(self.norm.text, match.start, 3)
        text = self.norm.text
        after = (" " if text[match.end : match.end + 1] == " " else "") + " ".join(
            text[match.end :].split()[:3]
        )
        quote = _clip(self.norm.text[match.start : match.end])
        return f"{self._where(match)}: …{before}«{quote}»{after}…"

    def _shortest_context(self, match: _Match, matches: list[_Match]) -> tuple[str, str]:
        """The shortest prefix or suffix, in whole words, that no other match shares."""
        text = self.norm.text
        others = [m for m in matches if m != match]
        best: tuple[str, str] | None = None
        for key in ("prefix", "suffix"):
            for size in range(1, 12):
                words = (
                    _words_before(text, match.start, size)
                    if key == "prefix"
                    else (_words_after(text, match.end, size))
                )
                if not words:
                    break
                if not any(c.isalnum() for c in words):
                    continue  # punctuation alone makes a poor prefix/suffix
                clash = any(
                    (
                        _words_before(text, o.start, size)
                        if key == "prefix"
                        else _words_after(text, o.end, size)
                    )
                    == words
                    for o in others
                )
                if not clash:
                    if best is None or len(words) < len(best[1]):
                        best = (key, words)
                    break
        return best or ("prefix", _words_before(text, match.start, 12))

    def _closest_hint(self, spec: AnnotationSpec, quote: str) -> str:
        text = self.norm.text
        lowered = text.lower().find(quote.lower())
        if lowered != -1:
            passage = self._original(lowered, lowered + len(quote))
            return f'the text differs only in letter case: "{passage}"'
        markup = any(c in spec.quote for c in "*_`[]#>")
        best = self._closest_window(quote)
        advice = " (write the quote without Markdown markup)" if markup else ""
        if best is None:
            return "copy the quote from the text as the reader sees it" + advice
        start, end = best
        original = " ".join(self._original(start, end).split())
        passage = _clip(original)
        where = self._where(_Match(start, end))
        if passage != original or spec.quote_pos is None:
            return f'closest passage, at {where}: "{passage}"{advice}'
        pos = spec.quote_pos
        # The quote opening its list item stands after "- " on its line.
        lead = (
            " " * (pos.col - 3) + "- " if pos == spec.pos and pos.col > 2 else " " * (pos.col - 1)
        )
        fixed = f"{lead}quote: {yaml_scalar(original)}"
        return f"the closest passage is at {where}{advice}; write line {pos.line} as:\n{fixed}"

    def _original(self, start: int, end: int) -> str:
        s, e = self.norm.original_span(start, end)
        return self.textmap.plain[s:e]

    def _closest_window(self, quote: str) -> tuple[int, int] | None:
        """The run of words, inside one block, that reads most like the quote.

        difflib is quadratic in the quote's length, so it scores only the few windows that
        share the most words with the quote (counted in one pass over each block): a long
        briefing with hundreds of quotes not found is checked in seconds, not minutes."""
        words = quote.split()
        candidates = self._candidate_windows(words)
        best_score, best = 0.3, None
        for start, end in candidates:
            matcher = difflib.SequenceMatcher(None, quote, self.norm.text[start:end], False)
            if matcher.quick_ratio() > best_score and (score := matcher.ratio()) > best_score:
                best_score, best = score, (start, end)
        return best

    def _candidate_windows(self, words: list[str]) -> list[tuple[int, int]]:
        """The CANDIDATES windows of len(words) words, each inside one block, holding the most
        occurrences of the quote's words: found from the occurrences alone (a word index), so
        the cost follows how often the quote's words occur, not the length of the text."""
        index = self._word_index()
        spans, block_of, bounds = index.spans, index.block_of, index.bounds
        hits = sorted({p for w in {_key(w) for w in words} for p in index.positions.get(w, ())})
        scored: list[tuple[int, int]] = []  # (-count, first word of the window)
        size, j = len(words), 0
        for i, first in enumerate(hits):
            j = max(j, i)
            while j < len(hits) and hits[j] < first + size and block_of[hits[j]] == block_of[first]:
                j += 1
            scored.append((i - j, first))
        windows = []
        for _, first in heapq.nsmallest(CANDIDATES, scored):
            low, high = bounds[block_of[first]]
            last = min(first + size - 1, high)
            first = max(low, last - size + 1)
            windows.append((spans[first][0], spans[last][1]))
        return windows

    def _word_index(self) -> _WordIndex:
        if self._index is None:
            self._index = _WordIndex(self.norm.text, self.block_spans)
        return self._index


class _WordIndex:
    """The document's words: their spans, blocks, and where each word (as _key) occurs."""

    def __init__(self, text: str, block_spans: list[tuple[int, int]]) -> None:
        self.spans: list[tuple[int, int]] = []
        self.block_of: list[int] = []
        self.bounds: list[tuple[int, int]] = []  # each block's first and last word
        self.positions: dict[str, list[int]] = {}
        for block, (start, end) in enumerate(block_spans):
            first = len(self.spans)
            for span in _word_spans(text, start, end):
                self.positions.setdefault(_key(text[span[0] : span[1]]), []).append(len(self.spans))
                self.spans.append(span)
                self.block_of.append(block)
            self.bounds.append((first, len(self.spans) - 1))


def _key(word: str) -> str:
    return word.strip(_PUNCTUATION).lower()


def _word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, i = [], start
    while i < end:
        if text[i] == " ":
            i += 1
            continue
        j = i
        while j < end and text[j] != " ":
            j += 1
        spans.append((i, j))
        i = j
    return spans


def _words_before(text: str, end: int, count: int) -> str:
    words = text[:end].split()
    return " ".join(words[-count:]) if count <= len(words) else ""


def _words_before_upto(text: str, end: int, count: int) -> str:
    words = text[:end].split()[-count:]
    gap = " " if end > 0 and text[end - 1] == " " else ""
    return " ".join(words) + gap if words else ""


def _words_after(text: str, start: int, count: int) -> str:
    words = text[start:].split()
    if count > len(words):
        return ""
    return " ".join(words[:count])


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= HINT_WIDTH else text[: HINT_WIDTH - 1] + "…"


def anchor_all(
    specs: tuple[AnnotationSpec, ...], textmap: TextMap, body_line: int
) -> tuple[list[Anchor], list[AnchorError]]:
    anchorer = Anchorer(textmap, body_line)
    anchors: list[Anchor] = []
    errors: list[AnchorError] = []
    for spec in specs:
        result = anchorer.anchor(spec)
        (anchors if isinstance(result, Anchor) else errors).append(result)  # type: ignore[arg-type]
    return anchors, errors


__all__ = ["Anchor", "AnchorError", "Anchorer", "Normalised", "anchor_all"]

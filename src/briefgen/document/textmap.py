"""The text a reader sees, taken from markdown-it's token stream, with a map back to tokens.

Each inline token (a paragraph, heading or table cell) is one *block*. The document's plain
text is its blocks joined by blank lines; offsets count code points, as W3C selectors do.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from markdown_it.token import Token

BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Piece:
    """A text-bearing child of an inline token, placed in the plain text."""

    token: int  # index of the inline token in the block-level stream
    child: int  # index in that token's children
    start: int
    end: int


@dataclass(frozen=True)
class Block:
    token: int
    line: int  # 0-based line of the block in the Markdown body
    start: int
    end: int


@dataclass(frozen=True)
class TextMap:
    plain: str
    blocks: tuple[Block, ...]
    pieces: tuple[Piece, ...]

    def line_of(self, offset: int) -> int:
        """0-based body line of a plain-text offset (softbreaks count as new lines)."""
        block = self.block_at(offset)
        if block is None:
            return 0
        return block.line + self.plain.count("\n", block.start, offset)

    def block_at(self, offset: int) -> Block | None:
        for block in self.blocks:
            if block.start <= offset <= block.end:
                return block
        return None


def child_text(child: Token) -> str:
    if child.type in ("text", "code_inline"):
        return child.content
    if child.type in ("softbreak", "hardbreak"):
        return "\n"
    return ""  # markup, and images: their alt text is not visible text


def build_text_map(tokens: list[Token]) -> TextMap:
    parts: list[str] = []
    blocks: list[Block] = []
    pieces: list[Piece] = []
    offset = 0
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        if blocks:
            parts.append(BLOCK_SEPARATOR)
            offset += len(BLOCK_SEPARATOR)
        start = offset
        for child_index, child in enumerate(token.children or []):
            text = child_text(child)
            if text:
                pieces.append(Piece(index, child_index, offset, offset + len(text)))
                parts.append(text)
                offset += len(text)
        blocks.append(Block(index, token.map[0] if token.map else 0, start, offset))
    return TextMap("".join(parts), tuple(blocks), tuple(pieces))


# Matching ignores these differences and nothing else (see PRODUCT.md, Content model).
_FOLD = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛‹›′`´", "'"),
        **dict.fromkeys("“”„‟«»″", '"'),
        **dict.fromkeys("‐‑‒–—―−⁃", "-"),
    }
)


# Whitespace that changes under normalisation: runs of two or more, or any single character
# other than a plain space. A lone space maps to itself and stays inside its segment.
_WS_TO_COLLAPSE = re.compile(r"\s{2,}|[^\S ]")


@dataclass(frozen=True)
class Normalised:
    """Normalised text, mapped back to the original in segments.

    A *linear* segment maps character for character; any other segment (a whitespace run, or
    a character cluster that NFC recomposed) maps as a whole to its original span.
    """

    text: str
    norm_starts: tuple[int, ...]
    orig_starts: tuple[int, ...]
    orig_ends: tuple[int, ...]
    linear: tuple[bool, ...]

    def _segment(self, index: int) -> int:
        return bisect_right(self.norm_starts, index) - 1

    def _start_of(self, index: int) -> int:
        k = self._segment(index)
        offset = index - self.norm_starts[k]
        return self.orig_starts[k] + offset if self.linear[k] else self.orig_starts[k]

    def _end_of(self, index: int) -> int:
        k = self._segment(index)
        offset = index - self.norm_starts[k]
        return self.orig_starts[k] + offset + 1 if self.linear[k] else self.orig_ends[k]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters that normalised characters [start, end) came from."""
        return self._start_of(start), self._end_of(end - 1)

    def original_offset(self, index: int) -> int:
        return self._start_of(index)

    def index_of_original(self, offset: int) -> int:
        """First normalised index whose source starts at or after `offset`."""
        k = bisect_right(self.orig_starts, offset) - 1
        if k < 0:
            return 0
        start, end = self.orig_starts[k], self.orig_ends[k]
        if offset == start:
            return self.norm_starts[k]
        if self.linear[k] and offset < end:
            return self.norm_starts[k] + offset - start
        return self.norm_starts[k + 1] if k + 1 < len(self.norm_starts) else len(self.text)


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.norm_starts: list[int] = []
        self.orig_starts: list[int] = []
        self.orig_ends: list[int] = []
        self.linear: list[bool] = []

    def add(self, text: str, orig_start: int, orig_end: int, linear: bool) -> None:
        if not text:
            return
        self.norm_starts.append(self.length)
        self.orig_starts.append(orig_start)
        self.orig_ends.append(orig_end)
        self.linear.append(linear)
        self.parts.append(text)
        self.length += len(text)

    def result(self) -> Normalised:
        return Normalised(
            "".join(self.parts),
            tuple(self.norm_starts),
            tuple(self.orig_starts),
            tuple(self.orig_ends),
            tuple(self.linear),
        )


def normalise(text: str) -> Normalised:
    """NFC, whitespace runs to one space, typographic quotes and dashes to ASCII."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        return _normalise_clusters(text)
    folded = text.translate(_FOLD)  # one character for one: offsets are unchanged
    out = _Builder()
    position = 0
    for match in _WS_TO_COLLAPSE.finditer(folded):
        start, end = match.span()
        out.add(folded[position:start], position, start, True)
        out.add(" ", start, end, end - start == 1)
        position = end
    out.add(folded[position:], position, len(folded), True)
    return out.result()


def _normalise_clusters(text: str) -> Normalised:
    """The slow path, for text that NFC changes: one cluster at a time."""
    out = _Builder()
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        if text[i].isspace():
            while j < n and text[j].isspace():
                j += 1
            out.add(" ", i, j, j - i == 1)
        else:
            while j < n and unicodedata.combining(text[j]):  # a base and its combining marks
                j += 1
            chunk = unicodedata.normalize("NFC", text[i:j]).translate(_FOLD)
            out.add(chunk, i, j, len(chunk) == j - i == 1)
        i = j
    return out.result()

"""The text a reader sees, taken from markdown-it's token stream, with a map back to tokens.

Each inline token (a paragraph, heading or table cell) is one *block*. The document's plain
text is its blocks joined by blank lines; offsets count code points, as W3C selectors do.
"""

from __future__ import annotations

import unicodedata
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


@dataclass(frozen=True)
class Normalised:
    """Normalised text with, for each of its characters, the original span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]

    def index_of_original(self, offset: int) -> int:
        """First normalised index whose source starts at or after `offset`."""
        from bisect import bisect_left

        return bisect_left(self.starts, offset)


def normalise(text: str) -> Normalised:
    """NFC, whitespace runs to one space, typographic quotes and dashes to ASCII."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        if text[i].isspace():
            while j < n and text[j].isspace():
                j += 1
            chunk = " "
        else:
            while j < n and unicodedata.combining(text[j]):  # keep a cluster together for NFC
                j += 1
            chunk = unicodedata.normalize("NFC", text[i:j]).translate(_FOLD)
        for char in chunk:
            out.append(char)
            starts.append(i)
            ends.append(j)
        i = j
    return Normalised("".join(out), tuple(starts), tuple(ends))

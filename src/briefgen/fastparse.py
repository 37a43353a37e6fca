"""A fast path for `md.parse()`: markdown-it-py tokens built from markdown_it_pyrs's syntax tree.

markdown_it_pyrs (Rust, markdown-it.rs: a port of the same markdown-it) builds a syntax tree
about ten times faster than markdown-it-py parses. `parse()` converts that tree into the token
stream markdown-it-py produces for `briefgen.markdown.make_parser()` (commonmark, no raw HTML,
plus tables and strikethrough), so anchoring, heading ids, link rewriting and chunking work on
it unchanged. The conversion is strict: any input, node or detail it cannot reproduce exactly
makes `converted()` return None, and `parse()` then falls back to `md.parse()`.

What the tree does not carry is rebuilt from the source, the way markdown-it-py computes it:

- line maps, from the byte offsets of block nodes: markdown-it.rs maps a block from the first
  non-space byte of its first line to the end of its last line, the same line range as
  markdown-it-py's `map` (list items and lists include the blank lines they swallow);
- an inline token's `content`: its source lines with blockquote markers and list indentation
  stripped, as `StateBlock.getLines` does, then trimmed;
- the hidden paragraphs of tight lists (pyrs drops the paragraph nodes), ordered list item
  numbers (`info`), raw fence info strings, table cell text, an image's raw alt source
  (`content`), and markdown-it-py's hr markup (one marker more than written);
- text as markdown-it-py splits it: `text_special` becomes `text` and adjacent text is joined
  (`text_join`; the joined token keeps the first one's markup and info), and `**` leaves an
  empty text token before the strong_open and after the strong_close (markdown-it-py's unused
  half of each marker pair), joined with any neighbouring text.

Inline nodes' byte offsets are never used: pyrs gets some of them wrong. Deliberate
differences: none known; the tests compare the token streams field by field.

Falls back before parsing (`_risky`): CR (markdown-it-py normalises line endings), NUL
(replaced by U+FFFD), tabs (column arithmetic in lists, blockquotes and code blocks), vertical
tab, form feed, non-ASCII whitespace and format characters (trimming and flanking differ),
a non-ASCII symbol next to `*`, `_` or `~` (markdown-it-py counts symbols as punctuation in
flanking rules, CommonMark 0.31; markdown-it.rs does not), three or more tildes other than a
fence (strikethrough runs split differently), a last line of spaces without a newline (not a
line in markdown-it-py), and `[` with an unbalanced backtick run (markdown-it.rs 0.6.0 panics
on some of these; a panic also falls back). Non-BMP characters are fine: offsets are UTF-8
bytes throughout.

Falls back after parsing: a node type not handled below; lazy continuation lines in
blockquotes (the parsers end blockquotes at different lines); blockquotes ending in a blank
line or empty (markdown-it-py's map runs on); text holding a `*` or `_` (an unmatched
emphasis marker: some runs resolve differently); a line with `|` followed by one that could be
a table's delimiter row where pyrs made no table (markdown-it-py tries tables first), and
tables that markdown-it-py's rule might end or reject differently (escaped pipes, rows that
start like another block, a table right after other lines); code spans in paragraphs with
indented continuation lines; `[label](` with no destination; link hosts that markdown-it-py
would write in punycode; autolinks whose text markdown-it-py would decode; images inside image
descriptions and alt text whose source cannot be rebuilt; unclosed fences at the end of input
without a final newline; nesting deeper than `_MAX_DEPTH`.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from typing import Any
from unicodedata import category as _category

from markdown_it import MarkdownIt
from markdown_it.token import Token

try:
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - a declared dependency; without it, always fall back
    markdown_it_pyrs = None  # type: ignore[assignment]

# The pyrs rules matching make_parser(): commonmark without html_block/html_inline (with html
# off markdown-it-py shows `<b>` as text), plus table and strikethrough. No linkify,
# replacements, smartquotes (typographer) or other extensions.
_RULES = [
    "newline",
    "escape",
    "backticks",
    "emphasis",
    "link",
    "image",
    "autolink",
    "entity",
    "code",
    "fence",
    "blockquote",
    "hr",
    "list",
    "reference",
    "heading",
    "lheading",
    "paragraph",
    "table",
    "strikethrough",
]
_PYRS: Any = None
if markdown_it_pyrs is not None:
    _PYRS = markdown_it_pyrs.MarkdownIt("zero").enable_many(_RULES)  # type: ignore[arg-type]

_ASCII_RISKY = "\t\r\0\x0b\x0c"
# Non-ASCII whitespace and format characters (markdown-it-py 4 trims and flanks with its own
# set), NEL, and the BOM.
_RISKY = _ASCII_RISKY + "\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff"
_RISKY += "".join(map(chr, range(0x2000, 0x200C)))
_BACKTICKS = re.compile("`+")
_FENCE_START = re.compile(r"[ >]*(?:(?:[-*+]|\d{1,9}[.)]) +[ >]*)*~~~")
# A line with a pipe, then one that could be a table's delimiter row.
_TABLE_LIKE = re.compile(r"^[^\n]*\|[^\n]*\n[ >]*[|:-][ |:-]*$", re.MULTILINE)

# Deeper nesting falls back: markdown-it-py stops nesting at maxNesting (20) and pyrs does not.
_MAX_DEPTH = 12

_INLINE = frozenset(
    {
        "text",
        "text_special",
        "softbreak",
        "hardbreak",
        "em",
        "strong",
        "strikethrough",
        "link",
        "image",
        "autolink",
        "code_inline",
    }
)

# A URL whose host markdown-it-py would convert to punycode, where pyrs percent-encodes it.
_HOST_ENCODED = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//[^/?#]*%|^mailto:.*%", re.IGNORECASE)


class _Fallback(Exception):
    """The input holds something the converter cannot reproduce exactly."""


def parse(md: MarkdownIt, text: str) -> list[Token]:
    """Tokens equal to `md.parse(text)` for `md = make_parser()`, by the fast path if it can."""
    tokens = converted(text)
    if tokens is None:
        return md.parse(text)
    return tokens


def converted(text: str) -> list[Token] | None:
    """The fast path's tokens for `text`, or None where it falls back."""
    result = _attempt(text)
    return None if result is None else result[0]


# pyrs's HTML differs from markdown-it-py's for some inputs of these: image alt text (pyrs
# drops entities and escapes from it), links and images (pyrs writes empty titles), empty
# blockquotes and list items, or ones holding only a reference definition (pyrs puts a newline
# inside), and tight list items with text then a block ("mixed": pyrs puts a newline between).
_RENDER_DIFFERS = frozenset({"image", "link", "empty", "definition", "mixed"})


def render_note(text: str) -> str | None:
    """HTML equal to `make_parser().render(text)` by pyrs's renderer, or None if not certain."""
    result = _attempt(text)
    if result is None or not result[1].isdisjoint(_RENDER_DIFFERS):
        return None
    return str(_PYRS.render(text, xhtml=True))


def _risky(text: str) -> bool:
    """Whether `text` holds something the fast path must not take (see the module doc)."""
    if text.isascii():
        for char in _ASCII_RISKY:
            if char in text:
                return True
    else:
        for char in _RISKY:  # `in` per character is faster than a regex on non-ASCII text
            if char in text:
                return True
        for marker in "*_~":
            # markdown-it-py counts symbols (Unicode S*) as punctuation in emphasis flanking
            # rules (CommonMark 0.31), markdown-it.rs does not.
            at = text.find(marker)
            while at >= 0:
                for near in text[at - 1 : at] + text[at + 1 : at + 2]:
                    if near > "\x7f" and _category(near)[0] in "SZC":
                        return True
                at = text.find(marker, at + 1)
    if "~~~" in text:
        # A run of three or more tildes inside text: the parsers split it differently.
        for line in text.split("\n"):
            if "~~~" in line:
                fence = _FENCE_START.match(line)
                if fence is None or "~~~" in line[fence.end() :].lstrip("~"):
                    return True
    tail = text[text.rfind("\n") + 1 :]
    if tail and not tail.strip(" "):
        return True  # markdown-it-py has no last line of spaces without a newline, pyrs has
    if "`" in text and "[" in text:
        # markdown-it.rs panics on a link label holding a backtick run that is never closed;
        # a line where a run length occurs an odd number of times may have one.
        for line in text.split("\n"):
            if "`" in line:
                runs = _BACKTICKS.findall(line)
                if any(runs.count(run) % 2 for run in set(runs)):
                    return True
    return False


def _attempt(text: str) -> tuple[list[Token], set[str]] | None:
    if _PYRS is None or not _TOKEN_LAYOUT_KNOWN or _risky(text):
        return None
    try:
        root = _PYRS.tree(text)
    except BaseException as error:  # a pyo3 PanicException derives from BaseException
        if type(error).__module__ != "pyo3_runtime":
            raise
        return None
    try:
        return _convert(text, root)
    except _Fallback:
        return None
    except (LookupError, ValueError, TypeError, AttributeError):
        # A tree shaped unlike any the converter knows (a slice off a UTF-8 boundary, a missing
        # meta key): markdown-it-py decides. The tests make sure real input never gets here.
        return None


# -- tokens ---------------------------------------------------------------------------------

_new = object.__new__
_FIELDS = [
    "type", "tag", "nesting", "attrs", "map", "level", "children", "content", "markup", "info",
    "meta", "block", "hidden",
]  # fmt: skip


def _tok(
    type_: str,
    tag: str,
    nesting: Any,
    attrs: dict[str, str | int | float],
    map_: list[int] | None,
    level: int,
    children: list[Token] | None,
    content: str,
    markup: str,
    info: str,
    block: bool,
    hidden: bool,
) -> Token:
    """A Token, made without the dataclass __init__ (which costs half as much again)."""
    tok: Token = _new(Token)
    tok.type = type_
    tok.tag = tag
    tok.nesting = nesting
    tok.attrs = attrs
    tok.map = map_
    tok.level = level
    tok.children = children
    tok.content = content
    tok.markup = markup
    tok.info = info
    tok.meta = {}
    tok.block = block
    tok.hidden = hidden
    return tok


# Tokens are made field by field; a markdown-it-py whose Token has other fields turns the fast
# path off rather than making tokens it does not know.
_TOKEN_LAYOUT_KNOWN = [f.name for f in dataclasses.fields(Token)] == _FIELDS


# -- conversion -----------------------------------------------------------------------------

_BQ, _LI = 0, 1
_BLOCK_START = frozenset(b"#>`~-*+_=0123456789")
_SPACE, _GT, _HASH = 32, 62, 35
Chain = list[tuple[int, int, int, int]]  # (_BQ, 0, 0, 0) or (_LI, indent, first line, content)


def _convert(text: str, root: Any) -> tuple[list[Token], set[str]]:
    """markdown-it-py's tokens for `text` from its pyrs tree, and the node names seen.

    Raises _Fallback where it cannot reproduce them exactly.
    """
    data = text.encode()
    ascii_only = len(data) == len(text)
    starts = [0]
    at = data.find(b"\n")
    while at >= 0:
        starts.append(at + 1)
        at = data.find(b"\n", at + 1)
    size = len(data)
    nlines = len(starts)

    def end_of(line: int) -> int:
        return starts[line + 1] - 1 if line + 1 < nlines else size

    def base(line: int, chain: Chain) -> tuple[int, int, bool]:
        """Where `line` starts once its blockquote markers are stripped (markdown-it's bMarks).

        Returns (position, end of the list marker counted as indentation, lazy). On a list
        item's first line the marker counts as indentation (markdown-it patches tShift).
        """
        pos = mask = starts[line]
        end = end_of(line)
        blk = 0
        for kind, indent, first, content in chain:
            if kind == _LI:
                blk = indent
                if first == line:
                    mask = content
                continue
            p = pos
            while p < end and (p < mask or data[p] == _SPACE):
                p += 1
            if p >= end or data[p] != _GT or p - pos < blk:
                return pos, mask, True  # a lazy continuation line
            pos = p + 1
            if pos < end and data[pos] == _SPACE:
                pos += 1
            blk = 0
        return pos, mask, False

    def lines_content(first: int, stop: int, chain: Chain, check: int = -1) -> str:
        """`mdTrim(getLines(first, stop, blkIndent))`; `check`: where pyrs starts line 1."""
        if stop <= first:
            raise _Fallback
        begin = -1
        if not chain:  # top level: the lines as they are
            begin, end = starts[first], end_of(stop - 1)
        else:
            indent = chain[-1][1]  # blockquotes set blkIndent to 0
            parts = []
            for line in range(first, stop):
                pos, mask, lazy = base(line, chain)
                if lazy:  # the two parsers disagree on which lazy lines end a blockquote
                    raise _Fallback
                end = end_of(line)
                col = 0
                while pos < end and col < indent and (pos < mask or data[pos] == _SPACE):
                    pos += 1
                    col += 1
                if line == first:
                    begin = pos
                parts.append(data[pos:end])
        if check >= 0 and (begin > check or data[begin:check].strip(b" ")):
            raise _Fallback  # the emulation disagrees with pyrs on where the block starts
        if not chain:
            if ascii_only:
                return text[begin:end].strip(" \n")
            return data[begin:end].decode().strip(" \n")
        return b"\n".join(parts).decode().strip(" \n")

    def hidden_lines(start: int, cap: int, chain: Chain) -> list[int]:
        """A tight list paragraph's lines: from `start` to a blank line or the next block."""
        stop = start + 1
        while stop < cap and data[base(stop, chain)[0] : end_of(stop)].strip(b" "):
            stop += 1
        return [start, stop]

    def row_cells(line: int, chain: Chain) -> list[str]:
        """A table row's cells as markdown-it-py splits them (escaped pipes fall back)."""
        pos, mask, _ = base(line, chain)
        end = end_of(line)
        while pos < end and (pos < mask or data[pos] == _SPACE):
            pos += 1
        row = data[pos:end]
        if b"\\|" in row:
            raise _Fallback
        cells = row.decode().strip(" \n").split("|")
        if cells and cells[0] == "":
            cells.pop(0)
        if cells and cells[-1] == "":
            cells.pop()
        return [c.strip(" \n") for c in cells]

    def first_nonspace(line: int, chain: Chain) -> tuple[int, int]:
        """A line's first non-space position and its column (markdown-it's sCount)."""
        pos, mask, lazy = base(line, chain)
        if lazy:
            raise _Fallback
        p = pos
        end = end_of(line)
        while p < end and (p < mask or data[p] == _SPACE):
            p += 1
        return p, p - pos

    def check_table(first: int, stop: int, chain: Chain, aligns: list[str]) -> None:
        """Fall back unless markdown-it-py's table rule accepts the same lines."""
        if first > 0 and data[starts[first - 1] : end_of(first - 1)].strip(b" >"):
            raise _Fallback  # right after other lines, it may be a lazy continuation
        blk = chain[-1][1] if chain else 0
        pos, col = first_nonspace(first, chain)
        if col - blk >= 4 or b"|" not in data[pos : end_of(first)]:
            raise _Fallback
        pos, col = first_nonspace(first + 1, chain)
        row = data[pos : end_of(first + 1)]
        if col < blk or col - blk >= 4 or len(row) < 2 or row.strip(b"|-: "):
            raise _Fallback
        if row[:1] not in b"|-:" or (row[:1] == b"-" and row[1:2] == b" "):
            raise _Fallback
        found = []
        cells = row.split(b"|")
        for i, cell in enumerate(cells):
            cell = cell.strip(b" ")
            if not cell:
                if i == 0 or i == len(cells) - 1:
                    continue
                raise _Fallback
            if cell.strip(b":") != b"-" * len(cell.strip(b":")) or b"::" in cell[1:-1]:
                raise _Fallback
            left, right = cell[:1] == b":", cell[-1:] == b":"
            found.append(
                "center" if left and right else "right" if right else "left" if left else "none"
            )
        if found != aligns:
            raise _Fallback
        for line in range(first + 2, stop + 1):
            if line >= nlines:
                break
            pos, col = first_nonspace(line, chain)
            end = end_of(line)
            if line == stop and (pos >= end or col < blk):
                break  # a blank or outdented line ends the table in both parsers
            # Rows starting like another block may end the table in one parser only.
            if col < blk or col - blk >= 4 or pos >= end or data[pos] in _BLOCK_START:
                raise _Fallback
            if line == stop:
                raise _Fallback  # pyrs ended the table where markdown-it-py may not

    tok = _tok
    table_lines: set[int] = set()
    names: set[str] = set()
    tokens: list[Token] = []
    chain: Chain = []
    # Stack entries: (0, node, extra) converts a node, (1, token, None) emits a closing token,
    # (2, inline nodes, lines) makes a tight list's hidden paragraph.
    stack: list[tuple[int, Any, Any]] = [(0, n, None) for n in reversed(root.children)]
    level = 0
    while stack:
        what, node, extra = stack.pop()
        if what == 1:
            level -= 1
            node.level = level
            tokens.append(node)
            if node.type == "blockquote_close" or node.type == "list_item_close":
                chain.pop()
            continue
        if what == 2:
            content = lines_content(extra[0], extra[1], chain)
            _paragraph(tokens, level, extra, content, node, names, True)
            continue
        name = node.name
        start, end = node.srcmap
        first = bisect_right(starts, start) - 1
        stop = bisect_right(starts, end)
        if name == "paragraph":
            content = lines_content(first, stop, chain, start)
            _paragraph(tokens, level, [first, stop], content, node.children, names, False)
        elif name == "heading":
            hlevel = node.meta["level"]
            pos = start + hlevel
            if data[start:pos] != b"#" * hlevel or stop != first + 1:
                raise _Fallback
            cut = end  # cut a closing sequence of '#' as markdown-it-py does
            while cut > pos and data[cut - 1] == _SPACE:
                cut -= 1
            back = cut
            while back > pos and data[back - 1] == _HASH:
                back -= 1
            if back > pos and data[back - 1] == _SPACE:
                cut = back
            content = data[pos:cut].decode().strip(" \n")
            lines = [first, stop]
            _heading(tokens, level, hlevel, "#" * hlevel, lines, list(lines), content, node, names)
        elif name == "lheading":
            meta = node.meta
            content = lines_content(first, stop - 1, chain, start)
            lines = [first, stop]
            _heading(
                tokens, level, meta["level"], meta["marker"], lines, [first, stop - 1], content,
                node, names,
            )  # fmt: skip
        elif name == "bullet_list" or name == "ordered_list":
            if level >= _MAX_DEPTH:
                raise _Fallback
            meta = node.meta
            marker = meta["marker"]
            lines = [first, stop]
            if name == "ordered_list":
                value = meta["start"]
                attrs: dict[str, str | int | float] = {} if value == 1 else {"start": value}
                tokens.append(
                    tok("ordered_list_open", "ol", 1, attrs, lines, level, None, "", marker, "",
                        True, False)
                )  # fmt: skip
                close = tok("ordered_list_close", "ol", -1, {}, None, 0, None, "", marker, "",
                            True, False)  # fmt: skip
            else:
                tokens.append(
                    tok("bullet_list_open", "ul", 1, {}, lines, level, None, "", marker, "",
                        True, False)
                )  # fmt: skip
                close = tok("bullet_list_close", "ul", -1, {}, None, 0, None, "", marker, "",
                            True, False)  # fmt: skip
            level += 1
            stack.append((1, close, None))
            item_extra = (name == "ordered_list", marker.encode(), marker)
            for item in reversed(node.children):
                stack.append((0, item, item_extra))
        elif name == "list_item":
            ordered, marker_byte, marker = extra
            mpos = start  # pyrs maps an item from its marker
            info = ""
            if ordered:
                while mpos < end and 48 <= data[mpos] <= 57:
                    mpos += 1
                info = data[start:mpos].decode()
                if not info:
                    raise _Fallback
            if data[mpos : mpos + 1] != marker_byte:
                raise _Fallback
            mpos += 1
            line_end = end_of(first)
            after = mpos
            while after < line_end and data[after] == _SPACE:
                after += 1
            pos0, _, lazy = base(first, chain)
            if lazy or pos0 > start:
                raise _Fallback
            empty_first = after >= line_end
            # markdown-it's item indent: marker column + its width + spaces (1 if more than 4)
            indent = mpos - pos0 + 1 if empty_first or after - mpos > 4 else after - pos0
            tokens.append(
                tok("list_item_open", "li", 1, {}, [first, stop], level, None, "", marker, info,
                    True, False)
            )  # fmt: skip
            level += 1
            chain.append((_LI, indent, first, after))
            close = tok("list_item_close", "li", -1, {}, None, 0, None, "", marker, "", True, False)
            stack.append((1, close, None))
            children = node.children
            if not children:
                names.add("empty")
            entries: list[tuple[int, Any, Any]] = []
            run: list[Any] = []
            prev_end = first + 1 if empty_first else first
            for child in children:
                if child.name in _INLINE:  # a tight list: pyrs dropped the paragraph
                    run.append(child)
                    continue
                child_start, child_end = child.srcmap
                if run:
                    cap = bisect_right(starts, child_start) - 1
                    entries.append((2, run, hidden_lines(prev_end, cap, chain)))
                    run = []
                entries.append((0, child, None))
                prev_end = bisect_right(starts, child_end)
            if run:
                entries.append((2, run, hidden_lines(prev_end, stop, chain)))
            if len(entries) > 1 and any(e[0] == 2 for e in entries):
                names.add("mixed")
            entries.reverse()
            stack.extend(entries)
        elif name == "blockquote":
            if level >= _MAX_DEPTH:
                raise _Fallback
            tokens.append(
                tok("blockquote_open", "blockquote", 1, {}, [first, stop], level, None, "", ">",
                    "", True, False)
            )  # fmt: skip
            level += 1
            chain.append((_BQ, 0, 0, 0))
            close = tok("blockquote_close", "blockquote", -1, {}, None, 0, None, "", ">", "",
                        True, False)  # fmt: skip
            stack.append((1, close, None))
            children = node.children
            last = stop - 1
            if not children or not data[base(last, chain)[0] : end_of(last)].strip(b" "):
                # markdown-it-py's map of a blockquote ending in blank lines runs on past them
                raise _Fallback
            for child in reversed(children):
                stack.append((0, child, None))
        elif name == "fence":
            meta = node.meta
            count = meta["marker_len"]
            markup = meta["marker"] * count
            if data[start : start + count] != markup.encode():
                raise _Fallback
            if end == size and stop > first + 1 and not data.endswith(b"\n"):
                pos = first_nonspace(stop - 1, chain)[0]
                closing = data[pos : end_of(stop - 1)].rstrip(b" ")
                if len(closing) < count or closing.strip(markup[:1].encode()):
                    raise _Fallback  # unclosed at the end: markdown-it-py drops the last newline
            info = data[start + count : end_of(first)].decode()
            tokens.append(
                tok("fence", "code", 0, {}, [first, stop], level, None, meta["content"], markup,
                    info, True, False)
            )  # fmt: skip
        elif name == "code_block":
            tokens.append(
                tok("code_block", "code", 0, {}, [first, stop], level, None, node.meta["content"],
                    "", "", True, False)
            )  # fmt: skip
        elif name == "hr":
            meta = node.meta
            markup = meta["marker"] * (meta["marker_len"] + 1)  # as markdown-it-py counts
            tokens.append(
                tok("hr", "hr", 0, {}, [first, stop], level, None, "", markup, "", True, False)
            )
        elif name == "table":
            check_table(first, stop, chain, node.meta["alignments"])
            table_lines.update(range(first, stop))
            _table(
                tokens, level, node, first, stop, row_cells(first, chain), chain, row_cells, names
            )
        elif name == "definition":
            names.add(name)  # reference definitions make no token
        else:
            raise _Fallback
    if "|" in text:
        # markdown-it-py tries tables first: it may see one where pyrs saw a heading or text.
        for match in _TABLE_LIKE.finditer(text):
            if text.count("\n", 0, match.start()) not in table_lines:
                raise _Fallback
    return tokens, names


def _paragraph(
    tokens: list[Token],
    level: int,
    lines: list[int],
    content: str,
    nodes: Any,
    names: set[str],
    hidden: bool,
) -> None:
    tok = _tok
    tokens.append(tok("paragraph_open", "p", 1, {}, lines, level, None, "", "", "", True, hidden))
    children = _inline(nodes, names, False, "\n " in content)
    tokens.append(
        tok("inline", "", 0, {}, list(lines), level + 1, children, content, "", "", True, False)
    )
    tokens.append(tok("paragraph_close", "p", -1, {}, None, level, None, "", "", "", True, hidden))


def _heading(
    tokens: list[Token],
    level: int,
    hlevel: int,
    markup: str,
    lines: list[int],
    inline_lines: list[int],
    content: str,
    node: Any,
    names: set[str],
) -> None:
    tok = _tok
    tag = f"h{hlevel}"
    tokens.append(tok("heading_open", tag, 1, {}, lines, level, None, "", markup, "", True, False))
    children = _inline(node.children, names, False, "\n " in content)
    tokens.append(
        tok("inline", "", 0, {}, inline_lines, level + 1, children, content, "", "", True, False)
    )
    tokens.append(tok("heading_close", tag, -1, {}, None, level, None, "", markup, "", True, False))


def _table(
    tokens: list[Token],
    level: int,
    node: Any,
    first: int,
    stop: int,
    header: list[str],
    chain: Chain,
    row_cells: Any,
    names: set[str],
) -> None:
    tok = _tok
    aligns = node.meta["alignments"]
    columns = len(aligns)
    parts = node.children
    if not parts or parts[0].name != "thead" or len(parts) > 2 or len(header) != columns:
        raise _Fallback
    if len(parts) == 2 and parts[1].name != "tbody":
        raise _Fallback
    head_rows = parts[0].children
    body_rows = parts[1].children if len(parts) == 2 else []
    if len(head_rows) != 1 or stop != first + 2 + len(body_rows):
        raise _Fallback
    styles = ["" if a == "none" else "text-align:" + a for a in aligns]

    def block(type_: str, tag: str, nesting: int, depth: int, lines: list[int] | None) -> None:
        tokens.append(tok(type_, tag, nesting, {}, lines, depth, None, "", "", "", True, False))

    def row(row_node: Any, line: int, texts: list[str], cell: str) -> None:
        block("tr_open", "tr", 1, level + 2, [line, line + 1])
        cells = row_node.children
        if row_node.name != "trow" or len(cells) != columns:
            raise _Fallback
        for i, cell_node in enumerate(cells):
            if cell_node.name != "tcell":
                raise _Fallback
            attrs: dict[str, str | int | float] = {"style": styles[i]} if styles[i] else {}
            tokens.append(
                tok(cell + "_open", cell, 1, attrs, None, level + 3, None, "", "", "", True, False)
            )
            content = texts[i] if i < len(texts) else ""
            children = _inline(cell_node.children, names, False, False)
            tokens.append(
                tok("inline", "", 0, {}, [line, line + 1], level + 4, children, content, "", "",
                    True, False)
            )  # fmt: skip
            block(cell + "_close", cell, -1, level + 3, None)
        block("tr_close", "tr", -1, level + 2, None)

    block("table_open", "table", 1, level, [first, stop])
    block("thead_open", "thead", 1, level + 1, [first, first + 1])
    row(head_rows[0], first, header, "th")
    block("thead_close", "thead", -1, level + 1, None)
    if body_rows:
        block("tbody_open", "tbody", 1, level + 1, [first + 2, stop])
        for i, body_row in enumerate(body_rows):
            row(body_row, first + 2 + i, row_cells(first + 2 + i, chain), "td")
        block("tbody_close", "tbody", -1, level + 1, None)
    block("table_close", "table", -1, level, None)


def _alt_source(nodes: Any) -> str:
    """An image description's source, rebuilt from its nodes (markdown-it-py keeps it)."""
    parts = []
    for node in nodes:
        name = node.name
        if name == "text":
            parts.append(node.meta["content"])
        elif name == "text_special":
            parts.append(node.meta["markup"])
        elif name == "em" or name == "strong" or name == "strikethrough":
            marker = node.meta["marker"]
            markup = marker if name == "em" else marker * 2
            parts.append(markup + _alt_source(node.children) + markup)
        else:
            raise _Fallback
    return "".join(parts)


def _inline(nodes: Any, names: set[str], in_image: bool, multiline: bool) -> list[Token]:
    """Inline tokens for pyrs inline nodes, text joined as markdown-it-py's text_join does."""
    tok = _tok
    out: list[Token] = []
    append = out.append
    level = 0
    joined: Token | None = None  # the text token that following text joins
    parents: list[tuple[Any, Token]] = []  # the open containers: (their parent's iterator, close)
    siblings = iter(nodes)
    while True:
        for node in siblings:
            name = node.name
            if name == "text":
                content = node.meta["content"]
                if "*" in content or "_" in content:
                    # An unmatched emphasis marker: the parsers resolve some runs differently.
                    raise _Fallback
                if joined is not None:
                    joined.content += content
                    continue
                if out and content[:1] == "(" and out[-1].type == "link_close":
                    # `[ref](` without a destination: markdown-it-py does not link the label
                    raise _Fallback
                joined = tok("text", "", 0, {}, None, level, None, content, "", "", False, False)
                append(joined)
                continue
            if name == "text_special":
                meta = node.meta
                if joined is not None:
                    joined.content += meta["content"]
                else:
                    joined = tok("text", "", 0, {}, None, level, None, meta["content"],
                                 meta["markup"], meta["info"], False, False)  # fmt: skip
                    append(joined)
                continue
            after_text = joined is not None
            joined = None
            if name == "softbreak" or name == "hardbreak":
                append(tok(name, "br", 0, {}, None, level, None, "", "", "", False, False))
                continue
            if name == "em" or name == "strong" or name == "strikethrough" or name == "link":
                if level >= _MAX_DEPTH:
                    raise _Fallback
                meta = node.meta
                if name == "link":
                    names.add(name)
                    url = meta["url"]
                    if "%" in url and _HOST_ENCODED.search(url):
                        raise _Fallback
                    title = meta.get("title")
                    attrs: dict[str, str | int | float] = (
                        {"href": url, "title": title} if title else {"href": url}
                    )
                    append(tok("link_open", "a", 1, attrs, None, level, None, "", "", "", False,
                               False))  # fmt: skip
                    close = tok("link_close", "a", -1, {}, None, 0, None, "", "", "", False, False)
                else:
                    if name == "em":
                        tag, markup = "em", meta["marker"]
                    elif name == "strong":
                        tag, markup = "strong", meta["marker"] * 2
                        if not after_text:
                            # markdown-it-py leaves the first `*` of `**` as an empty text token
                            append(tok("text", "", 0, {}, None, level, None, "", "", "", False,
                                       False))  # fmt: skip
                    else:
                        tag, markup = "s", "~~"
                    append(tok(tag + "_open", tag, 1, {}, None, level, None, "", markup, "", False,
                               False))  # fmt: skip
                    close = tok(tag + "_close", tag, -1, {}, None, 0, None, "", markup, "", False,
                                False)  # fmt: skip
                parents.append((siblings, close))
                siblings = iter(node.children)
                level += 1
                break  # descend: the outer loop goes on with the children
            if name == "image":
                if in_image:
                    raise _Fallback
                names.add(name)
                meta = node.meta
                url = meta["url"]
                if "%" in url and _HOST_ENCODED.search(url):
                    raise _Fallback
                title = meta.get("title")
                attrs = (
                    {"src": url, "alt": "", "title": title} if title else {"src": url, "alt": ""}
                )
                children = node.children
                alt = _inline(children, names, True, multiline) or None
                append(tok("image", "img", 0, attrs, None, level, alt, _alt_source(children), "",
                           "", False, False))  # fmt: skip
            elif name == "autolink":
                names.add(name)
                url = node.meta["url"]
                children = node.children
                if len(children) != 1 or children[0].name != "text_special":
                    raise _Fallback
                label = children[0].meta["content"]
                # markdown-it-py shows the label percent-decoded and punycode hosts decoded
                if "%" in url or "%" in label or "xn--" in label.lower():
                    raise _Fallback
                append(tok("link_open", "a", 1, {"href": url}, None, level, None, "", "autolink",
                           "auto", False, False))  # fmt: skip
                append(tok("text", "", 0, {}, None, level + 1, None, label, "", "", False, False))
                append(tok("link_close", "a", -1, {}, None, level, None, "", "autolink", "auto",
                           False, False))  # fmt: skip
            elif name == "code_inline":
                if multiline:
                    # pyrs drops the indentation of a code span's continuation lines
                    raise _Fallback
                meta = node.meta
                children = node.children
                if len(children) > 1 or (children and children[0].name != "text"):
                    raise _Fallback
                content = children[0].meta["content"] if children else ""
                markup = meta["marker"] * meta["marker_len"]
                append(tok("code_inline", "code", 0, {}, None, level, None, content, markup, "",
                           False, False))  # fmt: skip
            else:
                raise _Fallback
        else:  # the children are done: close their container
            if not parents:
                return out
            siblings, close = parents.pop()
            level -= 1
            close.level = level
            append(close)
            joined = None
            if close.tag == "strong":
                # markdown-it-py leaves the second `*` of `**` as an empty text token
                joined = tok("text", "", 0, {}, None, level, None, "", "", "", False, False)
                append(joined)

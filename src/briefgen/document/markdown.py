"""Stage 3: render a briefing's Markdown with its annotations highlighted.

Works on markdown-it-py's token stream: quotes are anchored in the text tokens (textmap,
anchor), `<mark>` tokens are spliced around the covered text, and the body is cut after each
block that starts an annotation so the theme can place that block's notes there.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from slugify import slugify

from briefgen.content.model import AnnotationSpec
from briefgen.content.schema import reserved_fragment
from briefgen.document.anchor import Anchor, AnchorError, anchor_all
from briefgen.document.textmap import TextMap, build_text_map, child_text


def make_parser() -> MarkdownIt:
    # commonmark enables raw HTML; authors' HTML is never passed through.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


@dataclass(frozen=True)
class Heading:
    id: str
    level: int
    text: str


@dataclass(frozen=True)
class LinkRef:
    """An internal link written in Markdown, checked once every page is known."""

    href: str
    path: str | None  # site-relative page path ("briefings/x/"), None for this page
    fragment: str
    line: int  # 1-based, in the briefing's file
    col: int


@dataclass(frozen=True)
class HtmlChunk:
    html: str


@dataclass(frozen=True)
class NotesChunk:
    annotation_ids: tuple[str, ...]


Chunk = HtmlChunk | NotesChunk


@dataclass(frozen=True)
class RenderedDocument:
    chunks: tuple[Chunk, ...]
    plain_text: str
    anchors: tuple[Anchor, ...]  # in document order; position i has note number i + 1
    errors: tuple[AnchorError, ...]
    headings: tuple[Heading, ...]
    links: tuple[LinkRef, ...]


def render_document(
    md: MarkdownIt,
    body: str,
    specs: tuple[AnnotationSpec, ...],
    *,
    body_line: int,
    page_path: str,
    base_path: str,
) -> RenderedDocument:
    tokens = md.parse(body)
    textmap = build_text_map(tokens)
    anchors, errors = anchor_all(specs, textmap, body_line)
    anchors.sort(key=lambda a: (a.start, -a.end))
    headings = _add_heading_ids(tokens, textmap, {a.id for a in specs})
    links = _rewrite_links(tokens, body, body_line, page_path, base_path)
    _splice_marks(tokens, textmap, anchors)
    chunks = _cut_chunks(md, tokens, textmap, anchors)
    return RenderedDocument(
        tuple(chunks), textmap.plain, tuple(anchors), tuple(errors), headings, links
    )


# A note with none of these characters, on one line, is a single plain paragraph: it renders
# without a parse (most notes are plain prose; a parse costs as much as a short document).
_MARKDOWN_SIGNIFICANT = re.compile(r"[\\`*_\[\]<>&!#|~\n]|^[-+=]|^\d+[.)]|^\s|\s$")
# Links markdown-it refuses to make (it leaves them as text); a note that tries one is an error.
UNSAFE_LINK = re.compile(r"\]\(\s*<?\s*(?:javascript|vbscript|file|data):", re.IGNORECASE)


@dataclass(frozen=True)
class RenderedNote:
    html: str
    links: tuple[LinkRef, ...]  # every one placed at the note's own line and column


def render_note(
    md: MarkdownIt,
    text: str,
    *,
    page_path: str = "",
    base_path: str = "/",
    line: int = 0,
    col: int = 0,
) -> RenderedNote:
    """A note is Markdown like the body, and its links are treated the same way, except that
    every internal link is made absolute (notes are shown on other pages too: "#x" means the
    briefing's own passage x, wherever the note appears)."""
    if not text:
        return RenderedNote("", ())
    if not _MARKDOWN_SIGNIFICANT.search(text):
        return RenderedNote(f"<p>{escapeHtml(text)}</p>\n", ())
    tokens = md.parse(text)
    refs = []
    for child in (c for t in tokens if t.type == "inline" for c in t.children or []):
        link = _internal_link(child, page_path)
        if link is None:
            continue
        href, path, fragment = link
        query = urlsplit(href).query
        page = (page_path if path is None else path) + (f"?{query}" if query else "")
        child.attrSet("href", base_path + page + (f"#{fragment}" if fragment else ""))
        refs.append(LinkRef(href, path, fragment, line, col))
    return RenderedNote(str(md.renderer.render(tokens, md.options, {})), tuple(refs))


def _internal_link(child: Token, page_path: str) -> tuple[str, str | None, str] | None:
    """(href, site-relative page path or None for this page, fragment) when `child` opens a
    link to this site; None for any other token or an external link."""
    if child.type != "link_open":
        return None
    href = str(child.attrGet("href") or "")
    target = _internal_target(href, page_path)
    return None if target is None else (href, *target)


def _internal_target(href: str, page_path: str) -> tuple[str | None, str] | None:
    """(site-relative page path or None for this page, fragment), or None when external."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        return None, parts.fragment
    if parts.path.startswith("/"):
        return parts.path.lstrip("/"), parts.fragment
    path = posixpath.normpath(posixpath.join(page_path, parts.path))
    path = "" if path == "." else path + ("/" if parts.path.endswith("/") else "")
    return path, parts.fragment


def _add_heading_ids(tokens: list[Token], textmap: TextMap, taken: set[str]) -> tuple[Heading, ...]:
    headings = []
    used = set(taken)
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        text = "".join(child_text(c) for c in tokens[index + 1].children or [])
        base = slugify(text, max_length=60, word_boundary=True) or "section"
        if base.startswith("note-"):  # reserved for notes, whatever the suffix
            base = "section-" + base
        ident, n = base, 2
        while ident in used or reserved_fragment(ident):
            ident, n = f"{base}-{n}", n + 1
        used.add(ident)
        token.attrSet("id", ident)
        headings.append(Heading(ident, int(token.tag[1]), text))
    return tuple(headings)


def _rewrite_links(
    tokens: list[Token], body: str, body_line: int, page_path: str, base_path: str
) -> tuple[LinkRef, ...]:
    """Site-absolute links ("/topics/x/") get the base path; internal links are recorded."""
    lines = body.splitlines()
    refs = []
    for token in tokens:
        if token.type != "inline" or not token.map:
            continue
        line = token.map[0]
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            link = _internal_link(child, page_path)
            if link is None:
                continue
            href, path, fragment = link
            if href.startswith("/"):
                child.attrSet("href", base_path + href.lstrip("/"))
            source_line = lines[line] if line < len(lines) else ""
            col = source_line.find("](" + href) + 3 if "](" + href in source_line else 1
            refs.append(LinkRef(href, path, fragment, body_line + line, col))
    return tuple(refs)


def _splice_marks(tokens: list[Token], textmap: TextMap, anchors: list[Anchor]) -> None:
    """Wrap the text each anchor covers in `<mark>` tokens, nesting where they overlap."""
    if not anchors:
        return
    order = {a.id: i for i, a in enumerate(anchors)}
    firsts: set[str] = set()
    last_open: dict[str, Token] = {}
    by_token: dict[int, list[int]] = {}
    for n, piece in enumerate(textmap.pieces):
        by_token.setdefault(piece.token, []).append(n)
    for block in textmap.blocks:
        inside = [a for a in anchors if a.start < block.end and a.end > block.start]
        if not inside:
            continue
        token = tokens[block.token]
        pieces = {textmap.pieces[n].child: textmap.pieces[n] for n in by_token[block.token]}
        out: list[Token] = []
        stack: list[Anchor] = []
        for child_index, child in enumerate(token.children or []):
            found = pieces.get(child_index)
            if found is None:
                _close(out, stack, 0)
                out.append(child)
                continue
            piece = found
            cuts = sorted(
                {piece.start, piece.end}
                | {x for a in inside for x in (a.start, a.end) if piece.start < x < piece.end}
            )
            for start, end in pairwise(cuts):
                active = sorted(
                    (a for a in inside if a.start <= start and end <= a.end),
                    key=lambda a: order[a.id],
                )
                keep = 0
                while keep < min(len(stack), len(active)) and stack[keep] is active[keep]:
                    keep += 1
                _close(out, stack, keep)
                for anchor in active[keep:]:
                    out.append(_mark_open(anchor, anchor.id not in firsts))
                    firsts.add(anchor.id)
                    last_open[anchor.id] = out[-1]
                    stack.append(anchor)
                out.append(_slice(child, start - piece.start, end - piece.start))
        _close(out, stack, 0)
        token.children = out
    for number, anchor in enumerate(anchors, start=1):
        mark = last_open[anchor.id]
        mark.attrJoin("class", "hl-end")
        mark.attrSet("data-n", str(number))


def _mark_open(anchor: Anchor, first: bool) -> Token:
    spec = anchor.spec
    token = Token("mark_open", "mark", 1)
    token.attrSet("class", f"hl hl-{spec.actor}" if spec.actor else "hl hl-context")
    if first:
        token.attrSet("id", spec.id)
    token.attrSet("data-anno", spec.id)
    if spec.actor:
        token.attrSet("data-actor", spec.actor)
    token.attrSet("data-kind", spec.kind)
    return token


def _close(out: list[Token], stack: list[Anchor], keep: int) -> None:
    while len(stack) > keep:
        stack.pop()
        out.append(Token("mark_close", "mark", -1))


def _slice(child: Token, start: int, end: int) -> Token:
    if child.type in ("softbreak", "hardbreak") or (start == 0 and end == len(child.content)):
        return child
    piece = child.copy()
    piece.content = child.content[start:end]
    return piece


def _cut_chunks(
    md: MarkdownIt, tokens: list[Token], textmap: TextMap, anchors: list[Anchor]
) -> list[Chunk]:
    """HTML up to the end of each top-level block that starts annotations, then its notes."""
    block_end = _top_level_ends(tokens)
    notes_after: dict[int, list[str]] = {}
    for anchor in anchors:
        block = textmap.block_at(anchor.start)
        assert block is not None
        notes_after.setdefault(block_end[block.token], []).append(anchor.id)
    chunks: list[Chunk] = []
    start = 0
    for end in sorted(notes_after):
        chunks.append(HtmlChunk(md.renderer.render(tokens[start : end + 1], md.options, {})))
        chunks.append(NotesChunk(tuple(notes_after[end])))
        start = end + 1
    if start < len(tokens):
        chunks.append(HtmlChunk(md.renderer.render(tokens[start:], md.options, {})))
    return chunks


def _top_level_ends(tokens: list[Token]) -> list[int]:
    """For each token, the index of the token that closes its top-level block."""
    ends = [0] * len(tokens)
    depth, group_start = 0, 0
    for index, token in enumerate(tokens):
        if depth == 0:
            group_start = index
        depth += token.nesting
        if depth == 0:
            for i in range(group_start, index + 1):
                ends[i] = index
    return ends

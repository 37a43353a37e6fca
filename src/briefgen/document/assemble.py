"""Stage 3, per briefing: anchor and render its body, then assemble its annotations."""

from __future__ import annotations

from markdown_it import MarkdownIt

from briefgen import urls
from briefgen.content.model import AnnotationSpec, BriefingSource, Content
from briefgen.diagnostics import Diagnostics
from briefgen.document.fragments import fragment_link
from briefgen.document.markdown import (
    UNSAFE_LINK,
    RenderedDocument,
    RenderedNote,
    render_document,
    render_note,
)
from briefgen.document.model import CONTEXT_CHARS, Annotation, Briefing


def build_briefing(
    md: MarkdownIt, content: Content, source: BriefingSource, diags: Diagnostics
) -> Briefing:
    base = content.config.base_path
    link = content.config.urls.internal
    path = urls.briefing(source.slug)
    doc = render_document(
        md,
        source.body,
        source.annotations,
        body_line=source.body_line,
        page_path=path,
        base_path=base,
    )
    for error in doc.errors:
        pos = error.spec.quote_pos or error.spec.pos
        diags.error(source.rel_path, pos.line, pos.col, error.message, error.hint, code="anchor")
    if not source.annotations:
        diags.warning(
            source.rel_path, 1, 1, "briefing has no annotations", "add an 'annotations:' list"
        )
    notes = {spec.id: _note(md, source, spec, path, base, diags) for spec in source.annotations}
    annotations = tuple(
        _annotation(content, source, doc, index, notes[doc.anchors[index].spec.id])
        for index in range(len(doc.anchors))
    )
    note_links = tuple(ref for note in notes.values() for ref in note.links)
    return Briefing(
        slug=source.slug,
        url=link(path),
        path=path,
        title=source.title,
        date=source.date,
        summary=source.summary,
        source=source.source,
        source_path=source.rel_path,
        chunks=doc.chunks,
        plain_text=doc.plain_text,
        headings=doc.headings,
        annotations=annotations,
        links=doc.links + note_links,
        by_id={a.id: a for a in annotations},
        draft=source.draft,
    )


def _note(
    md: MarkdownIt,
    source: BriefingSource,
    spec: AnnotationSpec,
    page_path: str,
    base_path: str,
    diags: Diagnostics,
) -> RenderedNote:
    """The note's HTML and its internal links, placed at its `note:` key for the link check."""
    pos = spec.note_pos or spec.pos
    if UNSAFE_LINK.search(spec.note):
        diags.warning(  # refused like the body's: shown as text, never a link
            source.rel_path,
            pos.line,
            pos.col,
            "unsafe link in a note (javascript:, vbscript:, file: or data:), shown as text",
            "link to http(s) pages or to pages of this site only",
            code="link",
        )
    return render_note(
        md, spec.note, page_path=page_path, base_path=base_path, line=pos.line, col=pos.col
    )


def _annotation(
    content: Content,
    source: BriefingSource,
    doc: RenderedDocument,
    index: int,
    note: RenderedNote,
) -> Annotation:
    anchor = doc.anchors[index]
    spec = anchor.spec
    text = doc.plain_text
    quote = text[anchor.start : anchor.end]
    prefix = text[max(0, anchor.start - CONTEXT_CHARS) : anchor.start]
    suffix = text[anchor.end : anchor.end + CONTEXT_CHARS]
    url = content.config.urls.internal(urls.passage(source.slug, spec.id))
    single_block = "\n\n" not in quote
    return Annotation(
        id=spec.id,
        kind=spec.kind,
        number=index + 1,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        start=anchor.start,
        end=anchor.end,
        actor=content.actors[spec.actor] if spec.actor else None,
        topic=content.topics[spec.topic] if spec.topic else None,
        stance=content.config.stances[spec.stance] if spec.stance else None,
        summary=spec.summary,
        note_html=note.html,
        briefing_slug=source.slug,
        briefing_title=source.title,
        date=source.date,
        url=url,
        single_block=single_block,
        fragment_url=fragment_link(url, quote, prefix, suffix, single_block),
        reporting=spec.reporting,
    )

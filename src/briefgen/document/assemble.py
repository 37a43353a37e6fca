"""Stage 3, per briefing: anchor and render its body, then assemble its annotations."""

from __future__ import annotations

from markdown_it import MarkdownIt

from briefgen.content.model import BriefingSource, Content
from briefgen.diagnostics import Diagnostics
from briefgen.document.fragments import fragment_link
from briefgen.document.markdown import RenderedDocument, render_document, render_note
from briefgen.document.model import CONTEXT_CHARS, Annotation, Briefing


def build_briefing(
    md: MarkdownIt, content: Content, source: BriefingSource, diags: Diagnostics
) -> Briefing:
    base = content.config.base_path
    path = f"briefings/{source.slug}/"
    doc = render_document(
        md,
        source.body,
        source.annotations,
        body_line=source.body_line,
        page_path=path,
        base_path=base,
    )
    for error in doc.errors:
        pos = error.spec.pos
        diags.error(source.rel_path, pos.line, pos.col, error.message, error.hint, code="anchor")
    if not source.annotations:
        diags.warning(
            source.rel_path, 1, 1, "briefing has no annotations", "add an 'annotations:' list"
        )
    annotations = tuple(
        _annotation(md, content, source, doc, index, url_base=base + path)
        for index in range(len(doc.anchors))
    )
    return Briefing(
        slug=source.slug,
        url=base + path,
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
        links=doc.links,
        by_id={a.id: a for a in annotations},
    )


def _annotation(
    md: MarkdownIt,
    content: Content,
    source: BriefingSource,
    doc: RenderedDocument,
    index: int,
    url_base: str,
) -> Annotation:
    anchor = doc.anchors[index]
    spec = anchor.spec
    text = doc.plain_text
    quote = text[anchor.start : anchor.end]
    prefix = text[max(0, anchor.start - CONTEXT_CHARS) : anchor.start]
    suffix = text[anchor.end : anchor.end + CONTEXT_CHARS]
    url = f"{url_base}#{spec.id}"
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
        note_html=render_note(md, spec.note),
        briefing_slug=source.slug,
        briefing_title=source.title,
        date=source.date,
        url=url,
        single_block=single_block,
        fragment_url=fragment_link(url, quote, prefix, suffix, single_block),
        reporting=spec.reporting,
    )

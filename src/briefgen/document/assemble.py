"""Stage 3, per briefing: anchor and render its body, then assemble its annotations."""

from __future__ import annotations

import dataclasses

from markdown_it import MarkdownIt

from briefgen import urls
from briefgen.content.model import AnnotationSpec, BriefingSource, Content
from briefgen.diagnostics import Diagnostics
from briefgen.document.fragments import PageText, find_directive
from briefgen.document.markdown import (
    UNSAFE_LINK,
    HtmlChunk,
    RenderedDocument,
    RenderedNote,
    render_document,
    render_note,
)
from briefgen.document.model import Annotation, Briefing
from briefgen.document.scope import Scope, quote_context, scope_of


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
    scope = scope_of("".join(c.html for c in doc.chunks if isinstance(c, HtmlChunk)))
    page = PageText(_preamble(content, source), scope)
    notes = {spec.id: _note(md, source, spec, path, base, diags) for spec in source.annotations}
    annotations = tuple(
        _annotation(content, source, doc, index, scope, page, notes)
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
        plain_text=scope.text,
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
    scope: Scope,
    page: PageText,
    notes: dict[str, RenderedNote],
) -> Annotation:
    anchor = doc.anchors[index]
    spec = anchor.spec
    start, end = scope.spans[spec.id]
    prefix, suffix = quote_context(scope.text, start, end)
    fragment = find_directive(page, start, end)
    url = content.config.urls.internal(urls.passage(source.slug, spec.id))
    return Annotation(
        id=spec.id,
        kind=spec.kind,
        number=index + 1,
        quote=doc.plain_text[anchor.start : anchor.end],
        exact=scope.text[start:end],
        prefix=prefix,
        suffix=suffix,
        start=start,
        end=end,
        actor=content.actors[spec.actor] if spec.actor else None,
        topic=content.topics[spec.topic] if spec.topic else None,
        stance=content.config.stances[spec.stance] if spec.stance else None,
        summary=spec.summary,
        note_html=notes[spec.id].html,
        briefing_slug=source.slug,
        briefing_title=source.title,
        date=source.date,
        url=url,
        fragment_url=f"{url}:~:{fragment.directive}" if fragment.directive else None,
        fragment_problem=fragment.problem,
        reporting=spec.reporting,
    )


def _preamble(content: Content, source: BriefingSource) -> str:
    """Text a briefing page may show before its body (title, lede, source, legend), which a
    Text Fragment could match first. Generous on purpose: an extra candidate only makes a
    directive longer."""
    fields = dataclasses.fields(source.source)
    parts = [source.title, source.summary]
    parts += [str(v) for f in fields if (v := getattr(source.source, f.name))]
    for actor in content.actors.values():
        parts += [actor.name, actor.short, actor.role]
    return "\n".join(str(p) for p in parts if p)

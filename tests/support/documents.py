from __future__ import annotations

from briefgen.content.model import AnnotationSpec
from briefgen.content.yamlsrc import Pos
from briefgen.document.markdown import RenderedDocument, make_parser, render_document


def spec(
    quote: str, ident: str = "a1", prefix: str = "", suffix: str = "", line: int = 5
) -> AnnotationSpec:
    return AnnotationSpec(
        id=ident,
        kind="position",
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        actor="actor-a",
        topic="topic-one",
        stance="supports",
        summary="synthetic",
        note="",
        pos=Pos(line, 5),
    )


def render(body: str, *specs: AnnotationSpec, body_line: int = 10) -> RenderedDocument:
    return render_document(
        make_parser(), body, specs, body_line=body_line, page_path="briefings/x/", base_path="/b/"
    )


def html(doc: RenderedDocument) -> str:
    return "".join(getattr(chunk, "html", "") for chunk in doc.chunks)

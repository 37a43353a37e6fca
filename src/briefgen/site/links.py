"""Cross-checks that need every page: internal links written in Markdown must resolve."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping

from briefgen.content.model import Content
from briefgen.diagnostics import Diagnostics
from briefgen.document.model import Annotation, Briefing
from briefgen.site.model import Site, build_site
from briefgen.site.pages import pages


def page_ids(
    site: Site, more: Mapping[str, set[str]] | None = None
) -> dict[str, set[str] | None]:
    """Site-relative page path -> ids known on it (None: not known, fragments unchecked).
    `more`: slug -> further annotation ids (those written but not anchored, after errors)."""
    known: dict[str, set[str] | None] = {page.path: None for page in pages(site)}
    for b in site.briefings:
        ids = {a.id for a in b.annotations} | {h.id for h in b.headings}
        ids |= more.get(b.slug, set()) if more else set()
        known[b.path] = ids | {f"note-{a.id}" for a in b.annotations} | {"main"}
    return known


def check_links(
    site: Site, diags: Diagnostics, more: Mapping[str, set[str]] | None = None
) -> None:
    known = page_ids(site, more)
    for b in site.briefings:
        for link in b.links:
            path = b.path if link.path is None else link.path
            candidates = [path, path + "/", path + "index.html"] if path else [""]
            target = next((c for c in candidates if c in known), None)
            if target is None:
                diags.error(
                    b.source_path,
                    link.line,
                    link.col,
                    f"broken internal link '{link.href}': no page at /{path}",
                    _page_hint(path, known),
                    code="link",
                )
                continue
            ids = known[target]
            if link.fragment and ids is not None and link.fragment not in ids:
                diags.error(
                    b.source_path,
                    link.line,
                    link.col,
                    f"broken link '{link.href}': no annotation or heading '#{link.fragment}'",
                    _fragment_hint(link.fragment, ids),
                    code="link",
                )


def _fragment_hint(fragment: str, ids: set[str]) -> str:
    close = difflib.get_close_matches(fragment, sorted(i for i in ids if i != "main"), n=1)
    if close:
        return f"did you mean '#{close[0]}'?"
    return "use an annotation id or a heading's id"


def _page_hint(path: str, known: Mapping[str, object]) -> str:
    close = difflib.get_close_matches(path, sorted(p for p in known if p.endswith("/")), n=1)
    if close:
        return f"did you mean '/{close[0]}'?"
    return "link to a page of this site, e.g. /topics/<id>/ or #<annotation-id>"


def check_links_despite_errors(
    content: Content, briefings: list[Briefing], search: bool, diags: Diagnostics
) -> None:
    """Link checks when other errors stop the build: they are independent mistakes, and one
    run reports every one. The site is made of the annotations those errors left complete, but
    every annotation the author wrote counts as a link target (no error follows from another)."""

    def complete(a: Annotation) -> bool:
        return a.kind == "context" or None not in (a.actor, a.topic, a.stance)

    usable = []
    for b in briefings:
        annotations = tuple(a for a in b.annotations if complete(a))
        by_id = {a.id: a for a in annotations}
        usable.append(dataclasses.replace(b, annotations=annotations, by_id=by_id))
    site = dataclasses.replace(build_site(content, usable, search), briefings=tuple(briefings))
    written = {s.slug: {a.id for a in s.annotations} for s in content.briefings}
    check_links(site, diags, written)

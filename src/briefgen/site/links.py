"""Cross-checks that need every page: internal links written in Markdown must resolve."""

from __future__ import annotations

from briefgen.diagnostics import Diagnostics
from briefgen.site.model import Site
from briefgen.site.pages import pages


def page_ids(site: Site) -> dict[str, set[str] | None]:
    """Site-relative page path -> ids known on it (None: not known, fragments unchecked)."""
    known: dict[str, set[str] | None] = {page.path: None for page in pages(site)}
    for b in site.briefings:
        ids = {a.id for a in b.annotations} | {h.id for h in b.headings}
        known[b.path] = ids | {f"note-{a.id}" for a in b.annotations} | {"main"}
    return known


def check_links(site: Site, diags: Diagnostics) -> None:
    known = page_ids(site)
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
                    "link to a page of this site, e.g. /topics/<id>/ or #<annotation-id>",
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
                    "use an annotation id or a heading's id",
                    code="link",
                )

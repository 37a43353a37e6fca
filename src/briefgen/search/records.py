"""What the search index holds: one record per briefing and one per annotation.

Each briefing is indexed from a small HTML document made for the purpose (title, summary and
body; no notes, navigation or chrome), and each annotation becomes a result of its own whose
URL is the passage's permalink, so a hit lands on the highlighted quote.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from briefgen import urls
from briefgen.document.markdown import HtmlChunk
from briefgen.document.model import Annotation, Briefing
from briefgen.site.model import Site
from briefgen.theme.render import longdate

KIND_LABELS = {"briefing": "Briefing", "position": "Position", "context": "Context note"}
REPORTING_LABELS = {"direct": "Direct quote", "paraphrase": "Paraphrase by the outlet"}


@dataclass(frozen=True)
class HtmlRecord:
    url: str
    html: str


@dataclass(frozen=True)
class CustomRecord:
    url: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]] = field(default_factory=dict)


Records = tuple[list[HtmlRecord], list[CustomRecord]]


def records(site: Site, briefings: Iterable[Briefing] | None = None) -> Records:
    """What the index holds, for `briefings` (complete, with bodies) or the site's, in the
    order Pagefind numbers them: every briefing page, then every annotation."""
    return records_of(
        site.content.config.language, site.briefings if briefings is None else briefings
    )


def records_of(language: str, briefings: Iterable[Briefing]) -> Records:
    pages, notes = [], []
    for b in briefings:
        pages.append(briefing_record(language, b))
        notes += [annotation_record(a) for a in b.annotations]
    return pages, notes


def briefing_digest(language: str, briefing: Briefing) -> str:
    """Changes exactly when what the index holds of this briefing changes."""
    page = briefing_record(language, briefing)
    notes = [annotation_record(a) for a in briefing.annotations]
    return hashlib.sha256(repr((language, page, notes)).encode()).hexdigest()


# The way the merge writes the bundle (merge.py): another makes an output's index again even
# when its records are the same. 2: fragments named by runs, filter files for deflate.
INDEX_FORMAT = 2


def index_digest(language: str, briefing_digests: list[str]) -> str:
    """Changes exactly when what the index would hold, or how it is written, changes."""
    return hashlib.sha256(repr((INDEX_FORMAT, language, briefing_digests)).encode()).hexdigest()


# Record URLs are site-relative ("/briefings/x/"): Pagefind's script prefixes the base path it
# finds in its own bundle path, so the same index works under any sub-path.


def briefing_record(language: str, briefing: Briefing) -> HtmlRecord:
    language = escape(language)
    body = "".join(c.html for c in briefing.chunks if isinstance(c, HtmlChunk))
    actors = "".join(
        f'<span data-pagefind-filter="actor">{escape(a.name)}</span>' for a in briefing.actors
    )
    topics = sorted({a.topic.title for a in briefing.positions if a.topic})
    topic_tags = "".join(f'<span data-pagefind-filter="topic">{escape(t)}</span>' for t in topics)
    html = (
        f'<!doctype html><html lang="{language}"><head><title>{escape(briefing.title)}</title>'
        "</head><body>"
        f'<h1 data-pagefind-meta="title">{escape(briefing.title)}</h1>'
        f"<p>{escape(briefing.summary)}</p>{body}"
        f'<div hidden data-pagefind-ignore="index">{actors}{topic_tags}</div>'
        f'<span hidden data-pagefind-filter="kind">{KIND_LABELS["briefing"]}</span>'
        f'<span hidden data-pagefind-meta="kind">{KIND_LABELS["briefing"]}</span>'
        f'<span hidden data-pagefind-meta="date">{briefing.date.isoformat()}</span>'
        f'<span hidden data-pagefind-meta="date_label">{longdate(briefing.date)}</span>'
        "</body></html>"
    )
    return HtmlRecord(urls.rooted(briefing.path), html)


def annotation_record(a: Annotation) -> CustomRecord:
    note = html_text(a.note_html)
    meta, filters = annotation_meta(a)
    content = "\n".join(part for part in (a.quote, a.summary, note) if part)
    url = urls.rooted(urls.passage(a.briefing_slug, a.id))
    return CustomRecord(url, content, meta, filters)


def annotation_fields(a: Annotation) -> list[str]:
    """The meta fields of an annotation's record (those with a value: Pagefind may leave
    out an empty one), without reading its note."""
    return [name for name, value in annotation_meta(a)[0].items() if value.strip()]


# The meta fields of every briefing's record (briefing_record's data-pagefind-meta)
PAGE_FIELDS = ("title", "kind", "date", "date_label")


def annotation_meta(a: Annotation) -> tuple[dict[str, str], dict[str, list[str]]]:
    """An annotation record's meta and filters."""
    if a.kind == "position" and a.actor and a.topic and a.stance:
        answer = a.topic.answer(a.stance)  # the stance as the answer to the topic's question
        title = f"{a.actor.name} — {a.topic.question} {answer}"
        filters = {
            "actor": [a.actor.name],
            "topic": [a.topic.title],
            "stance": [a.stance.label],
        }
        meta = {
            "actor": a.actor.name,
            "topic": a.topic.title,
            "question": a.topic.question,
            "stance": a.stance.label,
            "answer": answer,
            "stance_id": a.stance.id,
        }
    else:
        title, filters, meta = f"Context note: {a.briefing_title}", {}, {}
    filters["kind"] = [KIND_LABELS[a.kind]]
    meta |= {
        "title": title,
        "quote": a.quote,
        "briefing": a.briefing_title,
        "date": a.date.isoformat(),
        "date_label": longdate(a.date),
        "kind": KIND_LABELS[a.kind],
    }
    if a.reporting:
        meta["reporting"] = REPORTING_LABELS[a.reporting]
    return meta, filters


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())

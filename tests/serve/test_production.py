"""`briefgen serve --production`: what `build` would publish, served locally under its sub-path.

The demo's base_url is https://example.org/briefings/; the preview serves that build at
http://127.0.0.1:PORT/briefings/, drafts hidden, no live-reload script, and every internal link
of its pages resolves on the local server."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.support.served import BASE_PATH, BRIEFING_PATH, Served, start_serve

DRAFT = "content/briefings/2024-07-06-synthetic-draft.md"
DRAFT_PATH = "briefings/2024-07-06-synthetic-draft/"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("href", "src") and v]


@pytest.fixture
def preview(demo_site: Path, tmp_path: Path) -> Iterator[Served]:
    (demo_site / DRAFT).write_text(
        "---\ntitle: Synthetic Draft Briefing\ndate: 2024-07-06\ndraft: true\n---\n\n"
        "Synthetic draft text, marker 8a1c.\n",
        encoding="utf-8",
    )
    served = start_serve(demo_site, tmp_path, "--production")
    try:
        yield served
    finally:
        assert served.stop() == 0


def internal_links(served: Served, page_path: str, body: str) -> set[str]:
    """Paths (with query, no fragment) of the page's links that stay on the local server."""
    parser = Links()
    parser.feed(body)
    page_url = served.url(page_path)
    found = set()
    for url in parser.urls:
        absolute = urlsplit(urljoin(page_url, url))
        if absolute.scheme == "http" and absolute.netloc == f"127.0.0.1:{served.port}":
            found.add(absolute.path + (f"?{absolute.query}" if absolute.query else ""))
    return found


def test_the_production_build_is_served_under_its_sub_path(preview: Served) -> None:
    assert f"serving http://127.0.0.1:{preview.port}{BASE_PATH}" in preview.output()
    for page_path in ("", BRIEFING_PATH):
        page = preview.get(page_path)
        assert page.status == 200
        assert "__briefgen" not in page.body  # no live-reload script
        # The build's own base_url: canonical links name the production address.
        assert 'href="https://example.org/briefings/' in page.body
        links = internal_links(preview, page_path, page.body)
        assert any(link.startswith(BASE_PATH + "briefings/") for link in links), links
        assert any(link.startswith(BASE_PATH + "topics/") for link in links), links
        for link in sorted(links):
            resp = preview.request(link)
            assert resp.status == 200, (page_path, link, resp.status)


def test_drafts_are_hidden_and_nothing_live_is_served(preview: Served) -> None:
    assert preview.get(DRAFT_PATH).status == 404
    assert "marker 8a1c" not in preview.get("").body
    assert preview.get("__briefgen/live.js").status == 404
    assert preview.get("__briefgen/events").status == 404
    assert "__briefgen" not in preview.get("no/such/page/").body


def test_a_save_rebuilds_the_production_preview(preview: Served, demo_site: Path) -> None:
    draft = demo_site / DRAFT
    draft.write_text(draft.read_text(encoding="utf-8").replace("draft: true", "draft: false"))
    page = preview.wait_for_page(DRAFT_PATH, "marker 8a1c")
    assert "__briefgen" not in page.body

"""Check every internal link of a built site: files exist, fragments name real ids.

A URL is *internal* when it is relative (``../x/``, ``#frag``), root-relative (``/sub/x/``), or
absolute on the base URL's scheme and host. Internal URLs must stay under the base path (a
root-relative ``/static/x.css`` on a site living at ``/sub/path/`` is broken) and resolve to a
file of the output: ``dir/`` means ``dir/index.html``. A ``#fragment`` must be the ``id`` of an
element (or the ``name`` of an ``<a>``) in the target page. ``404.html`` is served at arbitrary
URLs, so a document-relative URL there is reported too.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

# (tag, attribute) pairs that hold one URL; None as tag means any element.
URL_ATTRIBUTES: tuple[tuple[str | None, str], ...] = (
    (None, "href"),
    (None, "src"),
    ("video", "poster"),
    ("form", "action"),
    ("object", "data"),
    ("blockquote", "cite"),
    ("q", "cite"),
    ("del", "cite"),
    ("ins", "cite"),
)
SRCSET_ATTRIBUTES = ("srcset", "imagesrcset")
# <meta> whose content is a URL of the page or of an image (Open Graph, Twitter cards).
URL_METAS = ("og:url", "og:image", "og:image:url", "og:image:secure_url", "twitter:image")
# Fragments every browser resolves without a matching id.
IMPLICIT_FRAGMENTS = ("", "top")


@dataclass(frozen=True)
class LinkProblem:
    page: str  # path of the page in the output, e.g. "briefings/x/index.html"
    line: int | None
    element: str  # e.g. '<a href="/sub/x/#y">'
    url: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.page}:{self.line}" if self.line else self.page
        return f"{where}: {self.element}: {self.reason}"


@dataclass(frozen=True)
class _Link:
    line: int | None
    element: str
    url: str


@dataclass
class ParsedPage:
    links: list[_Link] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    base_href: str | None = None


def parse_srcset(value: str) -> list[str]:
    """The URLs of a ``srcset``: comma-separated candidates ``URL [descriptor]`` (HTML spec)."""
    urls: list[str] = []
    pos, n = 0, len(value)
    while pos < n:
        while pos < n and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        start = pos
        while pos < n and not value[pos].isspace():
            pos += 1
        url = value[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # skip the descriptors, up to the next comma outside parentheses
            depth = 0
            while pos < n and (value[pos] != "," or depth):
                depth += {"(": 1, ")": -1}.get(value[pos], 0)
                pos += 1
        if url:
            urls.append(url)
    return urls


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        a = {k: (v or "") for k, v in attrs}
        if "id" in a:
            self.page.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.page.ids.add(a["name"])
        if tag == "base" and "href" in a and self.page.base_href is None:
            self.page.base_href = a["href"].strip()
        links = self.page.links
        for only, attr in URL_ATTRIBUTES:
            if (only is None or only == tag) and attr in a:
                value = a[attr].strip()
                links.append(_Link(line, f'<{tag} {attr}="{value}">', value))
        for attr in SRCSET_ATTRIBUTES:
            if attr in a:
                for url in parse_srcset(a[attr]):
                    links.append(_Link(line, f'<{tag} {attr}="{a[attr]}">', url))
        if tag == "meta":
            key = a.get("property") or a.get("name") or ""
            if key in URL_METAS and a.get("content"):
                value = a["content"].strip()
                links.append(_Link(line, f'<meta property="{key}" content="{value}">', value))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def parse_page(path: Path) -> ParsedPage:
    """Links, ids and ``<base href>`` of an HTML file (UTF-8, as briefgen writes it)."""
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser.page


def _page_url_path(base_path: str, rel: str) -> str:
    """The URL path under which the output file ``rel`` is served."""
    if rel == "index.html":
        return base_path
    if rel.endswith("/index.html"):
        return base_path + rel[: -len("index.html")]
    return base_path + rel


class LinkChecker:
    """Check the whole output directory ``site_dir`` published at ``base_url``."""

    def __init__(self, site_dir: Path, base_url: str) -> None:
        if not base_url.endswith("/"):
            raise ValueError(f"base_url must end with '/': {base_url!r}")
        self.site_dir = Path(site_dir)
        self.base_url = base_url
        parts = urlsplit(base_url)
        self.scheme = parts.scheme
        self.netloc = parts.netloc
        self.base_path = parts.path or "/"
        self._ids: dict[Path, set[str] | None] = {}
        self.checked_internal = 0  # internal URLs looked at, to tell "no problems" from "blind"

    def html_files(self) -> list[Path]:
        return sorted(p for p in self.site_dir.rglob("*.html") if p.is_file())

    def _ids_of(self, target: Path) -> set[str] | None:
        """Ids in ``target``; None when it is not an HTML document (fragments not checked)."""
        if target not in self._ids:
            if target.suffix.lower() in (".html", ".htm"):
                self._ids[target] = parse_page(target).ids
            else:
                self._ids[target] = None
        return self._ids[target]

    def check(self) -> list[LinkProblem]:
        problems: list[LinkProblem] = []
        for path in self.html_files():
            problems.extend(self.check_page(path))
        return problems

    def check_page(self, path: Path) -> list[LinkProblem]:
        rel = path.relative_to(self.site_dir).as_posix()
        parsed = parse_page(path)
        self._ids.setdefault(path, parsed.ids)
        page_url = f"{self.scheme}://{self.netloc}{_page_url_path(self.base_path, rel)}"
        doc_base = urljoin(page_url, parsed.base_href) if parsed.base_href else page_url
        problems = []
        for link in parsed.links:
            reason = self._check_url(rel, path, doc_base, link.url)
            if reason:
                problems.append(LinkProblem(rel, link.line, link.element, link.url, reason))
        return problems

    def _check_url(self, rel: str, path: Path, doc_base: str, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme and parts.scheme not in ("http", "https"):
            return None  # mailto:, tel:, data:, ... are not pages of the site
        if parts.scheme and parts.netloc != self.netloc:
            return None  # another host: external
        if not parts.scheme and parts.netloc and parts.netloc != self.netloc:
            return None  # protocol-relative, another host
        if parts.scheme and parts.scheme != self.scheme:
            return f"internal URL uses {parts.scheme}: but the site is served over {self.scheme}:"
        self.checked_internal += 1
        relative = not parts.scheme and not parts.netloc and not url.startswith("/")
        if relative and rel == "404.html" and not url.startswith("#"):
            return (
                "document-relative URL on the not-found page, which is served at any URL: "
                "make it root-relative (start it with the base path)"
            )
        absolute = urlsplit(urljoin(doc_base, url))
        url_path = absolute.path
        if not url_path.startswith(self.base_path):
            return f"resolves to {url_path!r}, outside the site's base path {self.base_path!r}"
        inner = unquote(url_path[len(self.base_path) :])
        # A bare fragment, or a URL that resolves to this very page, targets this document.
        target = self._resolve(inner)
        if target is None:
            return f"no file for {url_path!r} in the output"
        fragment = unquote(absolute.fragment).split(":~:", 1)[0]
        if absolute.fragment and fragment not in IMPLICIT_FRAGMENTS:
            ids = self._ids_of(target)
            if ids is not None and fragment not in ids:
                shown = target.relative_to(self.site_dir).as_posix()
                return f"no element with id {fragment!r} in {shown}"
        return None

    def _resolve(self, inner: str) -> Path | None:
        """The output file a URL path (relative to the base path) is served from."""
        norm = posixpath.normpath("/" + inner).lstrip("/") if inner else ""
        if norm.startswith("..") or "\x00" in norm:
            return None
        if inner == "" or inner.endswith("/"):
            candidate = self.site_dir / norm / "index.html"
        else:
            candidate = self.site_dir / norm
            if candidate.is_dir():  # static hosts redirect dir -> dir/
                candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None


def check_links(site_dir: Path, base_url: str) -> list[LinkProblem]:
    """All link problems of the site in ``site_dir`` published at ``base_url``."""
    return LinkChecker(site_dir, base_url).check()


def format_problems(problems: Iterable[LinkProblem]) -> str:
    return "\n".join(str(p) for p in problems)

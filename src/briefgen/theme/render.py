"""Stage 5: render the site model through the theme's Jinja templates.

A site's theme overrides the default theme file by file (templates and static assets alike).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.bccache import Bucket
from markupsafe import Markup

from briefgen import urls
from briefgen.diagnostics import Diagnostic
from briefgen.document.fragments import text_fragment_url
from briefgen.exports.jsonld import quotation_jsonld
from briefgen.site.model import Site
from briefgen.theme.files import static_files, theme_dirs, theme_files

GLOBAL_PARTIALS = ("_actor_style.html",)  # rendered once per build, shown on every page


@dataclass(frozen=True)
class ThemeDigests:
    """What a page's look depends on: the static assets (their versions are in every page's
    links) and its template with every template that one extends, imports or includes."""

    assets: str
    templates: dict[str, str]  # template name -> digest of it and all it uses

    def of(self, template: str) -> str:
        return hashlib.sha256((self.assets + self.templates.get(template, "")).encode()).hexdigest()


def theme_digests(site_dir: Path, theme: str) -> ThemeDigests:
    """Editing briefing.html then re-renders briefing pages only, base.html every page."""
    sources: dict[str, bytes] = {}
    for theme_dir in reversed(theme_dirs(site_dir, theme)):
        for name, source in theme_files(theme_dir / "templates"):
            with open(source, "rb") as file:
                sources[name] = file.read()
    uses = {name: _referenced(source) for name, source in sources.items()}

    def closure(name: str) -> set[str]:
        seen, todo = {name, *GLOBAL_PARTIALS}, [name, *GLOBAL_PARTIALS]
        while todo:
            used = uses.get(todo.pop(), frozenset())
            if used is None:  # a name only known at render time: it may use any template
                return set(sources)
            todo += [n for n in used if n not in seen]
            seen |= used
        return seen

    def digest_of(names: set[str]) -> str:
        h = hashlib.sha256()
        for n in sorted(names & sources.keys()):
            h.update(f"{n}\0{len(sources[n])}\0".encode() + sources[n])
        return h.hexdigest()

    assets = hashlib.sha256()
    for name, path in static_files(site_dir, theme).items():
        assets.update(f"{name}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    return ThemeDigests(assets.hexdigest(), {n: digest_of(closure(n)) for n in sources})


# A statement that names a template, and a constant name with what may follow it. Read with
# patterns, not Jinja's parser (40 ms for the default theme, a tenth of a one-edit build's
# page keys): a statement the patterns cannot read as a constant name counts as dynamic.
_NAMING = re.compile(r"\{%[-+]?\s*(?:extends|include|import|from)\b(.*?)[-+]?%\}", re.S)
_NAME = re.compile(
    r"""\s*(?:"([^"\\{}%]*)"|'([^'\\{}%]*)')"""
    r"(?:\s+(?:ignore\s+missing|with\s+context|without\s+context|as\s+\w+|import\b[^'\"]*))*\s*",
    re.S,
)


@lru_cache(maxsize=256)  # serve asks again on every save; templates rarely change
def _referenced(source: bytes) -> frozenset[str] | None:
    """Templates a template names ({% extends/import/include/from %}); None when one is
    dynamic (or the text is not UTF-8). A statement inside a comment or a raw block counts
    too: a page is then rendered again when it need not be, never the other way round."""
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError:
        return None  # the build reports it; meanwhile assume it uses everything
    names = set()
    for statement in _NAMING.finditer(text):
        constant = _NAME.fullmatch(statement.group(1))
        if constant is None:
            return None
        names.add(constant.group(1) if constant.group(1) is not None else constant.group(2))
    return frozenset(names)


class _MemoryBytecode(BytecodeCache):
    """Compiled templates kept in this process only (serve builds again and again, and forked
    workers inherit it). Never on disk: Jinja's FileSystemBytecodeCache unmarshals code from
    the cache folder, which is untrusted. Jinja checks each entry against its source."""

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self.entries.get(bucket.key)
        if found is not None:
            bucket.bytecode_from_string(found)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.entries[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _MemoryBytecode()


def make_environment(
    site_dir: Path, theme: str, site: Site, assets: dict[str, bytes]
) -> Environment:
    """The theme's environment. Compiled templates are kept in memory (see _MemoryBytecode)."""
    loaders = [FileSystemLoader(d / "templates") for d in theme_dirs(site_dir, theme)]
    env = Environment(
        loader=ChoiceLoader(loaders),
        bytecode_cache=_BYTECODE,
        # One environment per build: each template is read once, not checked on disk again
        # at every page (and at every page's extends and import).
        auto_reload=False,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    versions = {name: hashlib.sha256(data).hexdigest()[:10] for name, data in assets.items()}

    def asset(name: str) -> str:
        return site.url(urls.asset(name, versions.get(urls.static(name))))

    env.globals.update(site=site, config=site.content.config, url=site.url, asset=asset)
    env.globals["absolute"] = site.absolute
    # Every URL a template makes: url_for("topic", id), absolute_url_for("feed"); see urls.py.
    env.globals["url_for"] = site.urls.for_kind
    env.globals["absolute_url_for"] = site.urls.absolute_for_kind
    env.globals["search_enabled"] = site.search
    env.globals["text_fragment_url"] = text_fragment_url
    env.globals["quotation_jsonld"] = quotation_jsonld
    # Partials that are the same on every page are rendered once, here.
    env.globals["actor_style"] = Markup(env.get_template("_actor_style.html").render())
    env.filters["longdate"] = longdate
    env.filters["isodate"] = lambda d: d.isoformat()
    env.filters["html"] = Markup  # for HTML the pipeline produced itself (already safe)
    return env


def longdate(value: dt.date) -> str:
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    return f"{value.day} {months[value.month - 1]} {value.year}"


def exception_problems(exc: BaseException, site_dir: Path) -> list[Diagnostic]:
    """An unexpected build failure (a template error, say) as a diagnostic at the deepest
    template line of its traceback, in this process or a worker's (see failures.py)."""
    from briefgen.failures import template_place

    message = f"{type(exc).__name__}: {exc}"
    place = template_place(exc, site_dir)
    if place is None:
        return [Diagnostic("", 0, 0, "error", message, "see the terminal", "build")]
    return [
        Diagnostic(place[0], place[1], 1, "error", message, "fix the template and save", "build")
    ]

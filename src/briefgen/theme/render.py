"""Stage 5: render the site model through the theme's Jinja templates.

A site's theme overrides the default theme file by file (templates and static assets alike).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateSyntaxError,
    meta,
    select_autoescape,
)
from markupsafe import Markup

from briefgen.diagnostics import Diagnostic
from briefgen.document.fragments import text_fragment_url
from briefgen.exports.jsonld import quotation_jsonld
from briefgen.site.model import Site
from briefgen.theme.files import static_files, theme_dirs

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
        folder = theme_dir / "templates"
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file():
                sources[path.relative_to(folder).as_posix()] = path.read_bytes()
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


@lru_cache(maxsize=256)  # serve asks again on every save; templates rarely change
def _referenced(source: bytes) -> frozenset[str] | None:
    """Templates a template names ({% extends/import/include %}); None when one is dynamic."""
    try:
        ast = Environment().parse(source.decode("utf-8"))
    except (UnicodeDecodeError, TemplateSyntaxError):
        return None  # the build reports it; meanwhile assume it uses everything
    names = set(meta.find_referenced_templates(ast))
    return None if None in names else frozenset(n for n in names if n is not None)


def make_environment(
    site_dir: Path,
    theme: str,
    site: Site,
    assets: dict[str, bytes],
    bytecode_dir: Path | None = None,
) -> Environment:
    """The theme's environment. With `bytecode_dir`, compiled templates are kept there (Jinja
    checks each against its source), which spares a warm build compiling them again."""
    loaders = [FileSystemLoader(d / "templates") for d in theme_dirs(site_dir, theme)]
    bytecode = None
    if bytecode_dir is not None:
        bytecode_dir.mkdir(parents=True, exist_ok=True)
        bytecode = FileSystemBytecodeCache(str(bytecode_dir))
    env = Environment(
        loader=ChoiceLoader(loaders),
        bytecode_cache=bytecode,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    versions = {name: hashlib.sha256(data).hexdigest()[:10] for name, data in assets.items()}

    def asset(name: str) -> str:
        key = "static/" + name
        return f"{site.base_path}{key}?v={versions[key]}" if key in versions else site.url(key)

    env.globals.update(site=site, config=site.content.config, url=site.url, asset=asset)
    env.globals["absolute"] = site.absolute
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

"""The pipeline: load -> anchor and render documents -> site model -> templates -> output.

Phase one reads and checks everything; phase two writes, and only if phase one found no error.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path

from briefgen import output
from briefgen.content import Content
from briefgen.diagnostics import ContentError, Diagnostics, UsageError
from briefgen.documents import build_briefing
from briefgen.links import check_links
from briefgen.load import load_content
from briefgen.markdown import make_parser
from briefgen.model import Site, build_site
from briefgen.render import make_environment, render_pages, static_files


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    out_dir: Path | None = None  # defaults to site_dir/site
    base_url: str | None = None
    drafts: bool = False
    search: bool = True
    strict: bool = False

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_dir / "site"


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    pages: int
    annotations: int
    seconds: float
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


def prepare(options: BuildOptions) -> tuple[Site, Diagnostics]:
    """Phase one: everything read, anchored, rendered in memory and cross-checked."""
    content = load_content(options.site_dir, include_drafts=options.drafts)
    if options.base_url:
        content = _with_base_url(content, options.base_url)
    diags = Diagnostics()
    md = make_parser()
    briefings = [build_briefing(md, content, source, diags) for source in content.briefings]
    site = build_site(content, briefings)
    check_links(site, diags)
    if diags.errors(strict=options.strict):
        raise ContentError(diags)
    return site, diags


def _with_base_url(content: Content, base_url: str) -> Content:
    from urllib.parse import urlsplit

    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
        raise UsageError(f"--base-url must be an absolute http(s) URL, not {base_url!r}")
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    return dataclasses.replace(
        content, config=dataclasses.replace(content.config, base_url=base_url)
    )


def render_site(site: Site) -> dict[str, bytes]:
    """Every output file, as bytes, keyed by its path in the output directory."""
    config = site.content.config
    assets = {
        name: path.read_bytes()
        for name, path in static_files(site.content.site_dir, config.theme).items()
    }
    env = make_environment(site.content.site_dir, config.theme, site, assets)
    files = render_pages(env, site)
    files.update(assets)
    return files


def build(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    output.check_output_dir(options.output, options.site_dir)
    site, diags = prepare(options)
    files = render_site(site)
    staging = output.stage_output(options.output, files)
    try:
        if options.search:
            from briefgen.search import index_site

            index_site(site, staging)
        output.write_manifest(staging)
        output.swap_in(staging, options.output)
    except BaseException:
        output.discard(staging)
        raise
    pages = sum(1 for name in files if name.endswith(".html"))
    annotations = sum(len(b.annotations) for b in site.briefings)
    return BuildResult(options.output, pages, annotations, time.perf_counter() - started, diags)

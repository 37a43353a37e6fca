"""Shared pytest fixtures: the demo site built once under a sub-path and served over HTTP, and
one Chromium (Debian's) with one browser context per mode (light, dark, JavaScript off).

Registered as a plugin by ``tests/conftest.py``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

from tests.support.server import SiteServer, serve
from tests.support.tools import REPO_ROOT, MissingToolError, require_chromium

SUB_PATH = "/sub/path/"
BRIEFING = "briefings/2024-07-04-putin-ceasefire-impossible/"
COMPARE_PAIR = "compare/putin-vs-zelensky/"
NOT_FOUND_URL_PATH = "no/such/page/"  # any missing URL under the base path serves 404.html

CHROMIUM_ARGS = [
    "--disable-gpu",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 360, "height": 740}


@dataclass(frozen=True)
class BuiltSite:
    """The demo site, built with ``base_url`` and served from ``site_dir``."""

    server: SiteServer

    @property
    def site_dir(self) -> Path:
        return self.server.site_dir

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def url(self, path: str = "") -> str:
        return self.server.url(path)

    def file(self, path: str) -> Path:
        """The output file served at ``path`` (relative to the base; ``x/`` -> x/index.html)."""
        f = self.site_dir / path
        return f / "index.html" if path == "" or path.endswith("/") else f

    def require(self, path: str) -> str:
        """The URL of ``path``, failing clearly when the build did not produce it."""
        if not self.file(path).is_file():
            pytest.fail(f"the build produced no {self.file(path)} (for URL {self.url(path)})")
        return self.url(path)

    def first_child_page(self, section: str) -> str:
        """The first ``<section>/<id>/`` page (e.g. a topic), as a path relative to the base."""
        pages = sorted(p.parent.name for p in (self.site_dir / section).glob("*/index.html"))
        if not pages:
            pytest.fail(f"the build produced no {section}/<id>/index.html pages")
        return f"{section}/{pages[0]}/"

    def page_types(self) -> dict[str, str]:
        """One URL path per page type; search only when the build made it."""
        types = {
            "home": "",
            "briefing": BRIEFING,
            "compare-pair": COMPARE_PAIR,
            "compare-index": "compare/",
            "topics-index": "topics/",
            "topic": self.first_child_page("topics"),
            "actors-index": "actors/",
            "actor": self.first_child_page("actors"),
        }
        for path in types.values():
            self.require(path)
        self.require("404.html")
        types["404"] = NOT_FOUND_URL_PATH
        if self.file("search/").is_file():
            types["search"] = "search/"
        return types


def build_demo_site(out_dir: Path, base_url: str) -> None:
    """``python -m briefgen build`` the repository's demo site into ``out_dir``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT / "src"), env.get("PYTHONPATH", "")) if p
    )
    cmd = [
        sys.executable, "-m", "briefgen", "build", str(REPO_ROOT),
        "-o", str(out_dir), "--base-url", base_url,
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0 or not (out_dir / "index.html").is_file():
        pytest.fail(
            f"building the demo site failed (exit {proc.returncode}): {' '.join(cmd)}\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    """Bind the server first (so the port is known), then build with that base URL."""
    root = tmp_path_factory.mktemp("served")
    with serve(root, SUB_PATH) as server:
        server.site_dir.parent.mkdir(parents=True, exist_ok=True)
        build_demo_site(server.site_dir, server.base_url)
        yield BuiltSite(server)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options, pointed at Debian's Chromium (never a download)."""
    try:
        chromium = require_chromium()
    except MissingToolError as exc:
        pytest.fail(str(exc), pytrace=False)
    return {**browser_type_launch_args, "executable_path": str(chromium), "args": CHROMIUM_ARGS}


def _context(browser: Browser, **options: Any) -> BrowserContext:
    # bypass_csp lets axe be injected even when the theme ships a strict Content-Security-Policy.
    return browser.new_context(viewport=DESKTOP, bypass_csp=True, **options)


@pytest.fixture(scope="session")
def light_context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = _context(browser, color_scheme="light")
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def dark_context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = _context(browser, color_scheme="dark")
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def nojs_context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = _context(browser, color_scheme="light", java_script_enabled=False)
    yield ctx
    ctx.close()


def _reused_page(ctx: BrowserContext) -> Page:
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    page.set_viewport_size(DESKTOP)
    page.emulate_media(media="screen")
    return page


@pytest.fixture
def light_page(light_context: BrowserContext) -> Page:
    """The light context's page, reset to a 1280 px screen. Navigate it yourself."""
    return _reused_page(light_context)


@pytest.fixture
def dark_page(dark_context: BrowserContext) -> Page:
    return _reused_page(dark_context)


@pytest.fixture
def nojs_page(nojs_context: BrowserContext) -> Page:
    return _reused_page(nojs_context)

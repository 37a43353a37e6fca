"""The demo site, built in-process under a sub-path base URL and under a root one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefgen.build.pipeline import BuildOptions, prepare
from briefgen.cli import main
from briefgen.content.briefings import split_front_matter
from briefgen.site.model import Site
from tests.support.paths import REPO

BASES = {"subpath": "https://user.example/repo/", "root": "https://user.example/"}


@dataclass(frozen=True)
class Built:
    out: Path
    base: str
    site: Site  # the same content as a model, for what the files should say

    def read(self, path: str) -> bytes:
        return (self.out / path).read_bytes()

    def json(self, path: str) -> Any:
        return json.loads(self.read(path))

    def file_for(self, url: str) -> Path:
        """The output file an absolute URL under the base serves."""
        assert url.startswith(self.base), url
        path = url[len(self.base) :].split("#", 1)[0]
        return self.out / (path + "index.html" if path == "" or path.endswith("/") else path)


def build_demo(out: Path, base: str) -> None:
    args = ["build", str(REPO), "-o", str(out), "--base-url", base, "--no-search", "-q"]
    assert main(args) == 0


def model(base: str) -> Site:
    return prepare(BuildOptions(REPO, base_url=base, cache=False)).site


@pytest.fixture(scope="session", params=sorted(BASES))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = BASES[request.param]
    out = tmp_path_factory.mktemp(f"publish-{request.param}") / "site"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        build_demo(out, base)
    return Built(out, base, model(base))


def published_briefings() -> list[tuple[str, dict[str, Any]]]:
    """(slug, front-matter) of every briefing the demo publishes (drafts left out)."""
    found = []
    for path in sorted((REPO / "content" / "briefings").rglob("*.md")):
        if path.name.startswith("."):
            continue
        parts = split_front_matter(path.read_text(encoding="utf-8"))
        assert parts is not None, path
        meta = yaml.safe_load(parts[0])
        if not meta.get("draft", False):
            found.append((path.stem, meta))
    assert found
    return found

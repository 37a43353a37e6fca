"""Fixtures (a pytest plugin, see tests/conftest.py) of the comparison fixture site
(tests/fixtures/compare-site): three synthetic actors, a verdict
of every relation, a superseded verdict, equal stance labels without a verdict, mixed stances."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefgen.build.inputs import BuildOptions
from briefgen.build.pipeline import build, prepare
from briefgen.site.model import ComparePair, Site
from tests.support.paths import REPO

COMPARE_SITE = REPO / "tests" / "fixtures" / "compare-site"


def copy_compare_site(target: Path) -> Path:
    shutil.copytree(COMPARE_SITE, target, ignore=shutil.ignore_patterns(".briefgen-cache"))
    return target


def pair(site: Site, a: str, b: str) -> ComparePair:
    found = [p for p in site.pairs if (p.a.id, p.b.id) == (a, b)]
    assert found, f"no pair {a}-vs-{b}: {[p.slug for p in site.pairs]}"
    return found[0]


@pytest.fixture(scope="session")
def compare_model(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site_dir = copy_compare_site(tmp_path_factory.mktemp("cmp-model") / "site")
    return prepare(BuildOptions(site_dir, search=False, cache=False, jobs=1)).site


@pytest.fixture(scope="session")
def compare_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site built (with search) into a folder of its own."""
    root = tmp_path_factory.mktemp("cmp-built")
    site_dir = copy_compare_site(root / "site")
    out = root / "out"
    build(BuildOptions(site_dir, out, search=True, cache=False, jobs=1))
    return out

"""The fast parse path (briefgen.fastparse) changes no page: the demo site and a benchmark
corpus built with it and with markdown-it-py alone are byte for byte the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks import corpus
from briefgen import fastparse
from briefgen.build import BuildOptions, build
from tests.diagnostics.test_fixture_sites import snapshot

REPO = Path(__file__).resolve().parents[2]


def built(site: Path, out: Path) -> dict[str, bytes]:
    build(BuildOptions(site, out, search=False, jobs=1, cache=False))
    return snapshot(out)


def demo_copy(tmp_path: Path) -> Path:
    site = tmp_path / "demo"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "seeds", site / "seeds")
    return site


@pytest.mark.parametrize("which", ["demo", "corpus"])
def test_pages_are_identical_with_and_without_the_fast_path(
    which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if which == "demo":
        site = demo_copy(tmp_path)
    else:
        corpus.write(150, tmp_path)
        site = tmp_path / "briefgen"
    taken: list[bool] = []
    real = fastparse.converted

    def counting(text: str) -> object:
        tokens = real(text)
        taken.append(tokens is not None)
        return tokens

    monkeypatch.setattr(fastparse, "converted", counting)
    fast = built(site, tmp_path / "fast")
    assert taken and all(taken)  # every body took the fast path

    monkeypatch.setattr(fastparse, "_PYRS", None)  # markdown-it-py alone, notes included
    reference = built(site, tmp_path / "reference")
    assert fast == reference

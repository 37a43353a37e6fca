"""The benchmark's synthetic corpus is a valid briefgen site and the same on every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from benchmarks import corpus

REPO = Path(__file__).resolve().parents[2]


def generate(n: int, out: Path) -> None:
    cmd = [sys.executable, "-m", "benchmarks.corpus", str(n), str(out)]
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_corpus_passes_briefgen_check(tmp_path: Path) -> None:
    generate(5, tmp_path / "c")
    site = tmp_path / "c" / "briefgen"
    done = subprocess.run(
        [sys.executable, "-m", "briefgen", "check", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    briefings = sorted((site / "content" / "briefings").glob("*.md"))
    assert len(briefings) == 5
    # Hugo gets the very same files (its layouts read the annotations from front-matter).
    hugo = tmp_path / "c" / "hugo" / "content" / "briefings"
    assert all((hugo / b.name).read_bytes() == b.read_bytes() for b in briefings)
    assert (tmp_path / "c" / "hugo" / "hugo.toml").is_file()


def test_corpus_is_deterministic(tmp_path: Path) -> None:
    generate(5, tmp_path / "one")
    generate(5, tmp_path / "two")
    one, two = files(tmp_path / "one"), files(tmp_path / "two")
    assert len(one) > 10
    assert one == two


def test_libyaml_writes_the_same_documents_as_pure_python_yaml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The corpus is emitted through libyaml for speed; a document must not depend on it."""
    numbers = [1, 2, 17, 999, 4000, 15999]
    fast = [corpus.briefing(i) for i in numbers]
    monkeypatch.setattr(corpus, "_DUMPER", yaml.SafeDumper)
    assert [corpus.briefing(i) for i in numbers] == fast
    assert corpus._DUMPER is not getattr(yaml, "CSafeDumper", None)  # really the other emitter


def test_hugo_site_has_a_component_ui_search_page_with_the_filters_it_indexes(
    tmp_path: Path,
) -> None:
    generate(2, tmp_path / "c")
    hugo = tmp_path / "c" / "hugo"
    page = (hugo / "layouts" / "_default" / "search.html").read_text(encoding="utf-8")
    single = (hugo / "layouts" / "_default" / "single.html").read_text(encoding="utf-8")
    for element in ("pagefind-input", "pagefind-results", "pagefind-summary"):
        assert f"<{element}" in page
    for name in ("actor", "topic", "stance"):
        assert f'data-pagefind-filter="{name}"' in single
        assert f'<pagefind-filter-dropdown filter="{name}"' in page
    assert "layout: search" in (hugo / "content" / "search.md").read_text(encoding="utf-8")

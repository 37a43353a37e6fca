"""The output stage: nothing lost, nothing deleted that briefgen did not create, deterministic."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.cli import main
from tests.support.files import snapshot


def build(site: Path, out: Path, *extra: str) -> int:
    return main(["build", str(site), "-o", str(out), "--no-search", "-q", *extra])


def test_two_builds_are_byte_identical(demo_site: Path, tmp_path: Path) -> None:
    assert build(demo_site, tmp_path / "one") == 0
    assert build(demo_site, tmp_path / "two") == 0
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert one == two
    assert len(one) > 15


def test_rebuild_replaces_the_previous_output(fixture_site, tmp_path: Path) -> None:
    site = fixture_site("minimal")
    out = tmp_path / "out"
    assert build(site, out) == 0
    briefing = next(site.glob("content/briefings/*.md"))
    briefing.write_text(briefing.read_text().replace("Synthetic briefing one", "Renamed synthetic"))
    assert build(site, out) == 0
    html = (out / f"briefings/{briefing.stem}/index.html").read_text()
    assert "Renamed synthetic" in html
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")]
    assert leftovers == []


@pytest.mark.parametrize("target", [".", "content", "content/briefings", "themes"])
def test_refuses_output_directories_that_hold_sources(
    fixture_site, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    site = fixture_site("minimal")
    (site / "themes").mkdir()
    before = snapshot(site)
    assert build(site, site / target) == 2
    assert "refusing" in capsys.readouterr().err
    assert snapshot(site) == before


def test_refuses_a_non_empty_directory_it_did_not_build(
    fixture_site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    assert build(fixture_site("minimal"), out) == 2
    assert "did not build it" in capsys.readouterr().err
    assert (out / "precious.txt").read_text() == "keep me"


def test_default_output_is_site_dir_slash_site(fixture_site) -> None:
    site = fixture_site("minimal")
    assert main(["build", str(site), "--no-search", "-q"]) == 0
    assert (site / "site" / "index.html").is_file()


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(tmp_path / "nowhere"), "--no-search"]) == 2
    assert "no content/ directory" in capsys.readouterr().err


def test_bad_base_url_option_is_a_usage_error(fixture_site, tmp_path: Path) -> None:
    assert build(fixture_site("minimal"), tmp_path / "o", "--base-url", "javascript:alert(1)") == 2

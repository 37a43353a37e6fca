"""Validated configuration: language and base_url are checked where they are written."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.diagnostics import Diagnostic, format_diagnostics
from tests.support.sites import SITE, briefgen, write_site


@pytest.mark.parametrize("language", ["../../etc", "en_GB", "e", "en-", "a b", "x" * 9, "''"])
def test_a_language_that_is_not_a_bcp47_tag_is_an_error_at_its_line(
    tmp_path: Path, language: str
) -> None:
    site = write_site(tmp_path / "site")
    (site / "content/site.yaml").write_text(SITE + f"language: {language}\n")
    run = briefgen("build", str(site), "--no-search")
    run.assert_clean_failure(1)
    assert "content/site.yaml:4:" in run.err and "BCP 47" in run.err
    assert not (site / "site").exists()


@pytest.mark.parametrize("language", ["en", "pt-BR", "zh-Hant-TW", "de-CH-1901", "es-419"])
def test_bcp47_tags_are_accepted(tmp_path: Path, language: str) -> None:
    site = write_site(tmp_path / "site")
    (site / "content/site.yaml").write_text(SITE + f"language: {language}\n")
    run = briefgen("build", str(site), "--no-search", "-q")
    assert run.code == 0, run.err
    assert f'lang="{language}"' in (site / "site/index.html").read_text()


BAD_URLS = [
    "https://fixture.example/?q=1",
    "https://fixture.example/#top",
    "ftp://fixture.example/",
    "//fixture.example/",
    "fixture.example",
    "https://user:secret@fixture.example/",
    "https://fixture.example:99999/",
    "https://fixture.example/a b/",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_bad_base_url_in_site_yaml_is_an_error_at_its_line(tmp_path: Path, url: str) -> None:
    site = write_site(tmp_path / "site")
    (site / "content/site.yaml").write_text(SITE.replace("https://fixture.example/", url))
    run = briefgen("check", str(site))
    run.assert_clean_failure(1)
    assert "content/site.yaml:2:" in run.err and "base_url" in run.err


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_bad_base_url_option_is_a_usage_error(tmp_path: Path, url: str) -> None:
    site = write_site(tmp_path / "site")
    run = briefgen("build", str(site), "--no-search", "--base-url", url)
    run.assert_clean_failure(2)
    assert "--base-url" in run.err and len(run.err.strip().splitlines()) == 1
    assert not (site / "site").exists()


def test_a_diagnostic_without_a_file_never_shows_a_made_up_place() -> None:
    bare = Diagnostic("", 0, 0, "error", "synthetic problem", "", "build")
    for fmt in ("text", "github"):
        shown = format_diagnostics([bare], fmt)
        assert ":0:0" not in shown and "line=0" not in shown and "synthetic problem" in shown

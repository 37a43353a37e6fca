"""The one reader of site.yaml: lenient basics before a build, the node for validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.content import siteyaml
from briefgen.content.files import Unreadable
from briefgen.diagnostics import Diagnostics


def _site(tmp_path: Path, text: str | bytes) -> Path:
    (tmp_path / "content").mkdir()
    path = tmp_path / "content" / "site.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return tmp_path


def test_basics_reads_theme_and_base_path(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        "title: Synthetic Site\ntheme: synthetic-theme\nbase_url: https://example.org/sub/path\n",
    )
    assert siteyaml.basics(site) == siteyaml.SiteBasics("synthetic-theme", "/sub/path/")


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"- not a mapping\n",
        b"title: [unclosed\n",
        b"\xff\xfe not utf-8",
        b"theme: ../../etc\nbase_url: 42\n",
        b"base_url: http://[synthetic/\n",
        b"a: &x [*x]\n",
    ],
)
def test_basics_falls_back_to_defaults(tmp_path: Path, text: bytes) -> None:
    assert siteyaml.basics(_site(tmp_path, text)) == siteyaml.SiteBasics()


def test_basics_of_a_missing_file(tmp_path: Path) -> None:
    assert siteyaml.basics(tmp_path) == siteyaml.SiteBasics()


def test_base_path_drops_dot_segments(tmp_path: Path) -> None:
    site = _site(tmp_path, "base_url: https://example.org/a/../b/./c/\n")
    assert siteyaml.basics(site).base_path == "/a/b/c/"


def test_read_reports_where_the_file_is_broken(tmp_path: Path) -> None:
    diags = Diagnostics()
    with pytest.raises(Unreadable):
        siteyaml.read(_site(tmp_path, "title: [unclosed\n"), diags)
    assert [d.path for d in diags.errors()] == [siteyaml.SITE_YAML]

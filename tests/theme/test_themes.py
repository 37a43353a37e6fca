"""A site's theme overrides the default theme file by file."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.cli import main
from tests.support.files import snapshot


def test_site_theme_overrides_templates_and_static_files_one_by_one(
    fixture_site, tmp_path: Path
) -> None:
    site = fixture_site("minimal")
    theme = site / "themes/plain"
    (theme / "templates").mkdir(parents=True)
    (theme / "static").mkdir()
    (theme / "templates/404.html").write_text(
        '{% extends "base.html" %}{% block main %}'
        '<p id="custom-404">Synthetic 404</p>{% endblock %}'
    )
    (theme / "static/extra.txt").write_text("synthetic asset")
    config = site / "content/site.yaml"
    config.write_text(config.read_text() + "theme: plain\n")
    out = tmp_path / "out"
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    assert 'id="custom-404"' in (out / "404.html").read_text()
    assert (out / "static/extra.txt").read_text() == "synthetic asset"
    # Everything not overridden comes from the default theme.
    assert (out / "static/briefgen.css").is_file()
    assert 'id="custom-404"' not in (out / "index.html").read_text()


def test_unknown_theme_is_a_content_error_at_its_line(fixture_site, capsys) -> None:  # type: ignore[no-untyped-def]
    site = fixture_site("minimal")
    config = site / "content/site.yaml"
    config.write_text(config.read_text() + "theme: missing\n")
    assert main(["check", str(site)]) == 1
    assert capsys.readouterr().err.startswith("content/site.yaml:6:1: error: theme 'missing'")


@pytest.mark.parametrize(
    ("template", "line"),
    [
        ('{% extends "base.html" %}\n{% block main %}\n{% if %}\n{% endblock %}', 3),
        (
            '{% extends "base.html" %}\n{% block main %}\n{{ no_such_thing.attr }}\n{% endblock %}',
            3,
        ),
    ],
    ids=["syntax", "undefined"],
)
def test_a_broken_theme_template_is_reported_at_its_line_and_nothing_is_written(
    fixture_site, tmp_path: Path, capsys: pytest.CaptureFixture[str], template: str, line: int
) -> None:
    site = fixture_site("minimal")
    out = tmp_path / "out"
    assert main(["build", str(site), "-o", str(out), "--no-search", "-q"]) == 0
    before = snapshot(out)
    override = site / "themes/default/templates/404.html"
    override.parent.mkdir(parents=True)
    override.write_text(template)
    capsys.readouterr()
    assert main(["build", str(site), "-o", str(out), "--no-search"]) == 1
    err = capsys.readouterr().err
    assert f"themes/default/templates/404.html:{line}:" in err
    assert "Traceback" not in err
    assert snapshot(out) == before

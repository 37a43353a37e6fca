"""Which templates a template uses (render._referenced), read without Jinja's parser: the same
names as Jinja's own meta.find_referenced_templates, or None (dynamic: uses any template)."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment, meta

from briefgen.theme.files import BUILTIN_THEMES
from briefgen.theme.render import _referenced


def _jinja(source: str) -> frozenset[str] | None:
    names = set(meta.find_referenced_templates(Environment().parse(source)))
    return None if None in names else frozenset(n for n in names if n is not None)


@pytest.mark.parametrize(
    "path", sorted((BUILTIN_THEMES / "default/templates").glob("*.html")), ids=lambda p: p.name
)
def test_the_default_themes_references_are_jinjas(path: Path) -> None:
    found = _referenced(path.read_bytes())
    expected = _jinja(path.read_text(encoding="utf-8"))
    assert found is not None and expected is not None
    assert expected <= found  # a name in a comment may count too (more pages, never fewer)
    assert found - expected <= {path.name}  # _macros.html names itself in its comment


@pytest.mark.parametrize(
    "source",
    [
        '{% extends "base.html" %}{% block main %}{% endblock %}',
        "{%- include 'a.html' ignore missing with context -%}",
        '{% import "m.html" as m %}{% from "n.html" import x, y with context %}',
        '{%include"tight.html"%}',
        "{% extends layout %}",  # a variable
        '{% include "a" ~ name ~ ".html" %}',  # made at render time
        '{% include ["a.html", "b.html"] %}',  # one of a list: conservatively, any
        '{% extends "a.html" if wide else "b.html" %}',
        "{% set include_me = 1 %}{{ include_me }} no statement names a template",
    ],
)
def test_constant_names_are_read_and_dynamic_ones_mean_any_template(source: str) -> None:
    found = _referenced(source.encode())
    expected = _jinja(source)
    if source.startswith("{% include ["):
        assert found is None  # not read: any template, which holds Jinja's names
    else:
        assert found == expected


def test_a_template_that_is_not_utf8_may_use_any_template() -> None:
    assert _referenced(b'{% extends "base.html" %}\xff') is None

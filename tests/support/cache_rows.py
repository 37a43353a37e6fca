"""Reading the build cache's rows in tests, as prepare.py reads them."""

from __future__ import annotations

from pathlib import Path

from briefgen.build.codec import Refs
from briefgen.content.config import load_settings
from briefgen.diagnostics import Diagnostics


def site_refs(site_dir: Path) -> Refs:
    """The actors, topics and stances a cache row of this site refers to."""
    content = load_settings(site_dir, Diagnostics()).content()
    assert content is not None
    return Refs(content.actors, content.topics, content.config.stances)

"""Which files below content/briefings/ are briefings: the rule, in one light module (no YAML
or Markdown imports), for content/briefings.py's own walk and for build/inputs.py, which
finds them in the walk it makes of the inputs anyway."""

from __future__ import annotations

BRIEFINGS = "briefings"  # the folder below content/


def hidden(name: str) -> bool:
    """A hidden file or folder (an editor's swap file, .git): not content."""
    return name.startswith(".")


def briefing_name(name: str) -> bool:
    """A file of this name below content/briefings/ (in no hidden folder) is a briefing."""
    return name.endswith(".md") and not hidden(name)

"""Copies of the demo briefing for tests that need more briefings: annotation ids must stay
unique site-wide, and a copy's verdicts (`comparisons:`) must name the copy's own ids."""

from __future__ import annotations

import re


def with_id_prefix(text: str, prefix: str) -> str:
    """The briefing `text` with `prefix` before every annotation id and every evidence id."""
    text = re.sub(r"^(\s*- id: )", rf"\g<1>{prefix}", text, flags=re.M)
    lines = text.split("\n")
    in_evidence = False
    for i, line in enumerate(lines):
        if line.startswith("    evidence: ["):
            lines[i] = line.replace("[", f"[{prefix}").replace(", ", f", {prefix}")
        elif line.startswith("    evidence:"):
            in_evidence = True
            continue
        elif in_evidence and line.startswith("      - "):
            lines[i] = line.replace("- ", f"- {prefix}", 1)
            continue
        in_evidence = False
    return "\n".join(lines)

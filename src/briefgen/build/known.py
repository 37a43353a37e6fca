"""What a long-lived builder keeps of the last build's page keys (keys.py), to hash again
only what changed."""

from __future__ import annotations

from briefgen.build.digest import digest
from briefgen.document.model import Briefing


class Known:
    """What page_keys() made last, for a long-lived caller (serve, the resident builder) to
    keep: a build then hashes only the keys whose inputs changed (4,000 briefing pages, and
    the site-wide digests over every briefing). Each is kept with the very inputs it was
    made of, compared in full (strings, compared exactly) before it is used again."""

    def __init__(self) -> None:
        self.pages: dict[tuple[str, str, str], str] = {}  # (template, chrome, own) -> key
        self._digests: dict[str, tuple[list[str], str]] = {}  # name -> (parts, digest)
        self._summaries: dict[int, tuple[Briefing, str]] = {}  # id -> (briefing, its part)

    def digest(self, name: str, parts: list[str]) -> str:
        """digest(*parts), made again only if the parts are not the last ones of `name`."""
        last = self._digests.get(name)
        if last is not None and last[0] == parts:
            return last[1]
        made = digest(*parts)
        self._digests[name] = (parts, made)
        return made

    def summaries(self, briefings: tuple[Briefing, ...]) -> list[str]:
        """repr((slug, title, date, summary)) of each briefing: made again for briefings that
        are not the very objects (immutable) of the last build."""
        last, made = self._summaries, {}
        found = []
        for b in briefings:
            held = last.get(id(b))
            if held is None or held[0] is not b:
                held = (b, repr((b.slug, b.title, b.date, b.summary)))
            made[id(b)] = held
            found.append(held[1])
        self._summaries = made
        return found

"""serve: the site model and the site-wide checks of the last build, kept while a save changes
nothing they read.

At 4,000 briefings, a save's prepare() spent about a third of its time on work that reads every
briefing: the duplicate-id and stance checks (check_unique, check_stances: every annotation's
id, actor, topic, stance and position), the site model (build_site: topic, actor and comparison
pages over every position) and the link check (every page's ids). An author's usual save
changes a briefing's text and nothing those read, so serve keeps what the last build made of
them (in its Memory) and uses it again when:

- the settings (site.yaml, actors, topics) and whether search is on are the same;
- the same briefings are included, in the same order, and each is the very result of the last
  build or one that changed none of it that these read: its front matter as the checks read it
  (the slim source: ids, actors, topics, stances, dates, positions in the file, comparisons)
  and what other pages show of it (`shown`: metadata, and each annotation as listings show it).

Then the checks' findings are those of the last build (warnings told again), and the site model
is the last one with this build's briefings in place: its listing structures (topic, actor and
comparison pages, the matrix) hold the last build's annotations of a changed briefing, equal in
all that a page other than its own shows (the contract keys.py already relies on to skip those
pages). The link check is skipped as well when no changed briefing's links, headings or
annotation ids changed (the last build found every link good). Anything else: all made again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from briefgen.build.processed import ProcessedBriefing
from briefgen.content.model import Content
from briefgen.diagnostics import Diagnostic
from briefgen.document.model import Briefing
from briefgen.site.model import Site


@dataclass(frozen=True)
class Checked:
    """What prepare() made of the site as a whole, for the next build to take up."""

    settings: str  # repr of the settings: config, actors, topics
    search: bool
    results: tuple[ProcessedBriefing, ...]  # the briefings included, in file order
    checks: tuple[Diagnostic, ...]  # what check_unique and check_stances said
    site: Site


def settings_of(content: Content) -> str:
    return repr((content.config, content.actors, content.topics))


def same_sources(
    last: Checked | None, results: list[ProcessedBriefing], content: Content | None, search: bool
) -> bool:
    """The checks of `last` hold for these results: same settings, same briefings in the
    same order, each unchanged in what the checks and other pages read of it."""
    if last is None or content is None or last.search != search:
        return False
    if len(last.results) != len(results) or last.settings != settings_of(content):
        return False
    pairs = zip(results, last.results, strict=True)
    return all(new is old or _alike(new, old) for new, old in pairs)


def _alike(new: ProcessedBriefing, old: ProcessedBriefing) -> bool:
    return (
        new.slug == old.slug
        and bool(new.shown)
        and new.shown == old.shown
        and new.source is not None
        and new.source == old.source
        and new.draft == old.draft
    )


def site_of(last: Checked, content: Content, briefings: list[Briefing]) -> Site:
    """The last site model with these briefings (same slugs, same dates: same order)."""
    by_slug = {b.slug: b for b in briefings}
    ordered = tuple(by_slug[b.slug] for b in last.site.briefings)
    return dataclasses.replace(last.site, content=content, briefings=ordered)


def same_links(last: Checked, results: list[ProcessedBriefing]) -> bool:
    """No briefing changed its links or the ids links may point to (headings, annotations):
    the link check of the last build, which found none broken, holds."""
    for new, old in zip(results, last.results, strict=True):
        if new is old:
            continue
        a, b = new.briefing, old.briefing
        if a is None or b is None:
            return False
        if [(link.path, link.fragment) for link in a.links] != [
            (link.path, link.fragment) for link in b.links
        ]:
            return False
        if [h.id for h in a.headings] != [h.id for h in b.headings]:
            return False
        if [x.id for x in a.annotations] != [x.id for x in b.annotations]:
            return False
    return True

"""A small synthetic site written from Python, prepared into a site model for unit tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from briefgen.build.pipeline import BuildOptions, prepare
from briefgen.site.model import Site

ACTORS = """\
actor-one:
  name: Synthetic Actor One
  role: A synthetic role
  short: One
actor-two:
  name: Synthetic Actor Two
  role: Another synthetic role
  short: Two
actor-three:
  name: Synthetic Actor Three
  role: A third synthetic role
  short: Three
"""

TOPICS = """\
topic-agree:
  title: Agreeing topic
  question: Should the agreed synthetic thing happen?
topic-differ:
  title: Differing topic
  question: Should the disputed synthetic thing happen?
topic-solo:
  title: Solo topic
  question: Should the solo synthetic thing happen?
"""

# (date, slug, [(id, actor, topic, stance), ...]): each position quotes its own sentence.
BRIEFINGS: list[tuple[str, str, list[tuple[str, str, str, str]]]] = [
    (
        "2024-01-01",
        "synthetic-early",
        [
            ("early-one-agree", "actor-one", "topic-agree", "supports"),
            ("early-two-agree", "actor-two", "topic-agree", "opposes"),
            ("early-one-differ", "actor-one", "topic-differ", "supports"),
            ("early-two-differ", "actor-two", "topic-differ", "opposes"),
        ],
    ),
    (
        "2024-02-01",
        "synthetic-late",
        [
            ("late-two-agree", "actor-two", "topic-agree", "supports"),
            ("late-one-solo", "actor-one", "topic-solo", "conditional"),
        ],
    ),
]


def _briefing(date: str, slug: str, positions: list[tuple[str, str, str, str]]) -> str:
    specs, sentences = [], []
    for ident, actor, topic, stance in positions:
        quote = f"Synthetic sentence {ident.replace('-', ' ')} is quoted here"
        sentences.append(quote + ".")
        specs.append(
            f"  - id: {ident}\n    quote: {quote}\n    actor: {actor}\n    topic: {topic}\n"
            f"    stance: {stance}\n    summary: Summary of {ident}.\n"
            f"    note: A synthetic note on {ident}.\n"
        )
    front = f"title: Synthetic briefing {slug}\ndate: {date}\nsummary: Synthetic summary.\n"
    return f"---\n{front}annotations:\n{''.join(specs)}---\n" + "\n\n".join(sentences) + "\n"


def write_site(root: Path, base_url: str = "https://synthetic.example/") -> Path:
    content = root / "content"
    (content / "briefings").mkdir(parents=True)
    site_yaml = f"""\
        title: Synthetic Site
        description: A synthetic site for unit tests.
        base_url: {base_url}
        language: en
        compare: [actor-one, actor-two]
        """
    (content / "site.yaml").write_text(textwrap.dedent(site_yaml), encoding="utf-8")
    (content / "actors.yaml").write_text(ACTORS, encoding="utf-8")
    (content / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    for date, slug, positions in BRIEFINGS:
        path = content / "briefings" / f"{date}-{slug}.md"
        path.write_text(_briefing(date, slug, positions), encoding="utf-8")
    return root


def synthetic_site(root: Path, base_url: str = "https://synthetic.example/") -> Site:
    """The prepared model of the synthetic site (complete briefings, no search)."""
    return prepare(BuildOptions(write_site(root, base_url), search=False)).site

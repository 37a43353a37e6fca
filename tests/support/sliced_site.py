"""A synthetic site big enough for a search index of several slices and word-index chunks.

Fourteen briefings of seeded lorem-like text with shared prefixes ("synth", "synthetic",
"synthesis"...), accented words (so Pagefind keeps diacritic variants), briefings without
annotations and annotations with and without `reporting` (so slices have different meta
fields), on dates out of slug order. Tests set the slice size
to 2 briefings, which cuts the site into several slices.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.support.sites import ACTORS, SITE, TOPICS

WORDS = [
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "synth",
    "synthetic",
    "synthesis",
    "synthesise",
    "plan",
    "planned",
    "planning",
    "aliqua",
    "aliquip",
    "anim",
    "ant",
    "ante",
    "aut",
    "autem",
    "café",
    "cafe",
    "naïve",
    "naive",
    "über",
    "uber",
    "zeta",
    "zeal",
    "zealous",
    "quorum",
    "quota",
    "quote",
    "quoted",
    "vex",
    "vexed",
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "omicron",
]
STANCES = ("supports", "opposes", "conditional", "unclear")
BRIEFINGS = 14


def _body(rng: random.Random, n: int, paragraphs: int) -> tuple[str, list[str]]:
    """Paragraphs of seeded words; the first sentence of each names 'passage n.k' (unique)."""
    texts, quotes = [], []
    for k in range(paragraphs):
        quote = f"Synthetic passage {n}.{k} says {' '.join(rng.choices(WORDS, k=6))}"
        filler = " ".join(rng.choices(WORDS, k=rng.randint(150, 260)))
        texts.append(f"{quote}. {filler.capitalize()}.")
        quotes.append(quote)
    return "\n\n".join(texts), quotes


def _annotations(rng: random.Random, n: int, quotes: list[str]) -> str:
    if n % 5 == 3:  # no annotations: its slice may lack the position meta fields
        return "annotations: []\n"
    lines = ["annotations:"]
    for k, quote in enumerate(quotes[:3]):
        actor = ("actor-a", "actor-b")[(n + k) % 2]
        lines += [
            f"  - id: s{n}-a{k}",
            f"    quote: {quote}",
            f"    actor: {actor}",
            "    topic: topic-one",
            f"    stance: {STANCES[(n * 3 + k) % len(STANCES)]}",
            f"    summary: Synthetic summary {n}.{k} of the {rng.choice(WORDS)} plan.",
            f"    note: Synthetic note {n}.{k} about *{rng.choice(WORDS)}*.",
        ]
        if n % 4 == 1:  # some slices have the 'reporting' meta field, others not
            lines.append("    reporting: paraphrase")
    return "\n".join(lines) + "\n"


def write_sliced_site(root: Path, briefings: int = BRIEFINGS) -> Path:
    (root / "content/briefings").mkdir(parents=True)
    (root / "content/site.yaml").write_text(SITE)
    (root / "content/actors.yaml").write_text(ACTORS)
    (root / "content/topics.yaml").write_text(TOPICS)
    for n in range(briefings):
        write_briefing(root, n)
    return root


def briefing_file(root: Path, n: int) -> Path:
    day = 1 + (n * 7) % 27  # dates out of slug order
    return root / f"content/briefings/2024-03-{day:02d}-synthetic-{n:02d}.md"


def write_briefing(root: Path, n: int, extra: str = "") -> None:
    rng = random.Random(n)
    body, quotes = _body(rng, n, paragraphs=6)
    day = 1 + (n * 7) % 27
    front = (
        f"---\ntitle: Synthetic briefing {n}\ndate: 2024-03-{day:02d}\n"
        f"summary: Synthetic summary of briefing {n}.\n" + _annotations(rng, n, quotes) + "---\n"
    )
    briefing_file(root, n).write_text(front + body + extra + "\n")

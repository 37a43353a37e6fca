"""A deterministic synthetic corpus: one briefgen site and, beside it, the same texts for Hugo.

    python -m benchmarks.corpus N OUT_DIR

writes OUT_DIR/briefgen/ (a briefgen site: content/site.yaml, actors, topics, N briefings) and
OUT_DIR/hugo/ (hugo.toml, layouts comparable to a briefing page, a search page with Pagefind's
Component UI like briefgen's, and content/briefings/*.md with byte-identical files: Hugo keeps
the `annotations` list as a custom front-matter field, and marks each annotation's actor, topic
and stance as Pagefind filters).

Each briefing has ~800 words of lorem-like text: `##` headings, *emphasis*, **strong**, links, a
block quote, a list, and 5 annotations over 5 actors and 12 topics. Every quote contains a
"passage <doc>.<n>" token, so it occurs exactly once in its document; one quote per document
crosses emphasis. Document i depends only on the seed and i, so a corpus of N is a prefix of any
larger one. Nothing real is claimed: actors are "Actor 3", topics "Topic 7".
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

SEED = 20240704
ACTORS = 5
TOPICS = 12
ANNOTATIONS = 5
STANCES = ("supports", "opposes", "conditional", "unclear")
COLORS = ("#b91c1c", "#1d4ed8", "#047857", "#7c3aed", "#b45309")
BASE_URL = "https://bench.example.invalid/"
FIRST_DATE = dt.date(2000, 1, 1)

LOREM = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut "
    "labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris "
    "nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse "
    "cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui "
    "officia deserunt mollit anim id est laborum curabitur pretium tincidunt lacus nulla gravida "
    "orci a odio nullam varius turpis et commodo pharetra est eros bibendum elit nec luctus magna "
    "felis sollicitudin mauris integer dignissim viverra vestibulum ante primis faucibus orci "
    "luctus ultrices posuere cubilia curae maecenas sodales porta quam tristique senectus netus "
    "malesuada fames ac turpis egestas proin semper metus fringilla lectus scelerisque"
)
WORDS = tuple(LOREM.split())
VERBS = ("favours", "rejects", "questions", "welcomes", "doubts", "qualifies", "endorses")


def actor_id(k: int) -> str:
    return f"actor-{k}"


def topic_id(k: int) -> str:
    return f"topic-{k}"


def slug(i: int) -> str:
    return f"{FIRST_DATE + dt.timedelta(days=i):%Y-%m-%d}-synthetic-briefing-{i:05d}"


@dataclass(frozen=True)
class Quote:
    markdown: str  # the sentence as written in the body
    text: str  # the quote as the reader sees it (no markup)


class Writer:
    """Lorem-like prose for document `doc`, from its own seeded generator."""

    def __init__(self, doc: int, seed: int = SEED) -> None:
        self.doc = doc
        self.rng = random.Random(seed * 1_000_003 + doc)

    def words(self, n: int) -> list[str]:
        return [self.rng.choice(WORDS) for _ in range(n)]

    def sentence(self, lo: int = 8, hi: int = 18) -> str:
        words = self.words(self.rng.randint(lo, hi))
        return " ".join(words).capitalize() + "."

    def decorated_sentence(self) -> str:
        """A sentence with *emphasis*, **strong** or a link somewhere in it."""
        words = self.words(self.rng.randint(10, 18))
        at = self.rng.randrange(1, len(words) - 2)
        kind = self.rng.randrange(3)
        if kind == 0:
            words[at : at + 2] = [f"*{words[at]} {words[at + 1]}*"]
        elif kind == 1:
            words[at : at + 2] = [f"**{words[at]} {words[at + 1]}**"]
        else:
            href = f"https://example.invalid/doc/{self.doc}/{at}"
            words[at : at + 2] = [f"[{words[at]} {words[at + 1]}]({href})"]
        return " ".join(words).capitalize() + "."

    def paragraph(self, target: int = 70, insert: str | None = None) -> str:
        sentences: list[str] = []
        count = 0
        while count < target:
            s = self.decorated_sentence() if self.rng.random() < 0.3 else self.sentence()
            sentences.append(s)
            count += len(s.split())
        if insert is not None:
            sentences.insert(self.rng.randrange(len(sentences) + 1), insert)
        return " ".join(sentences)

    def quote(self, n: int, actor: int, topic: int, emphasis: bool = False) -> Quote:
        verb = self.rng.choice(VERBS)
        a, b, c = self.words(3)
        tail = " ".join(self.words(self.rng.randint(3, 7)))
        head = f"Actor {actor} {verb} the {a} {b} plan on Topic {topic}"
        marker = f"in passage {self.doc}.{n}"
        if emphasis:
            md = f"Actor {actor} {verb} the *{a} {b} plan* on Topic {topic} {marker}, {c} {tail}"
        else:
            md = f"{head} {marker}, {c} {tail}"
        return Quote(markdown=md + ".", text=f"{head} {marker}, {c} {tail}")


def briefing(i: int, seed: int = SEED) -> str:
    """The full file (front-matter and Markdown body) of briefing i."""
    w = Writer(i, seed)
    picks = [
        (w.rng.randint(1, ACTORS), w.rng.randint(1, TOPICS), w.rng.choice(STANCES))
        for _ in range(ANNOTATIONS)
    ]
    quotes = [w.quote(n + 1, a, t, emphasis=(n == 3)) for n, (a, t, _) in enumerate(picks)]
    sections = w.rng.sample(range(1, TOPICS + 1), 4)
    link = f"[synthetic source {i}](https://example.invalid/source/{i})"
    body = [
        w.paragraph(52, insert=quotes[0].markdown) + f" See the {link}.",
        f"## Section 1: Topic {sections[0]} in outline",
        w.paragraph(62, insert=quotes[1].markdown),
        w.paragraph(62),
        f"## Section 2: Topic {sections[1]} and its *lorem* terms",
        w.paragraph(62, insert=quotes[2].markdown),
        "> " + w.paragraph(32, insert=quotes[4].markdown),
        w.paragraph(52),
        f"## Section 3: Topic {sections[2]}, **dolor** points",
        "\n".join(f"- {w.sentence(10, 16)}" for _ in range(4)),
        w.paragraph(62, insert=quotes[3].markdown),
        f"## Section 4: Topic {sections[3]} and what follows",
        w.paragraph(62),
        w.paragraph(62),
        w.paragraph(52),
    ]
    annotations = [
        {
            "id": f"b{i:05d}-a{n + 1}",
            "quote": quotes[n].text,
            "actor": actor_id(a),
            "topic": topic_id(t),
            "stance": stance,
            "summary": f"Actor {a} on Topic {t}: {' '.join(w.words(6))}.",
            "note": f"{w.sentence(8, 14)} *{' '.join(w.words(2))}* {w.sentence(6, 10)}",
        }
        for n, (a, t, stance) in enumerate(picks)
    ]
    front = {
        "title": f"Synthetic briefing {i}: {' '.join(w.words(4)).capitalize()}",
        "date": FIRST_DATE + dt.timedelta(days=i),
        "summary": w.sentence(14, 22),
        "annotations": annotations,
    }
    return "---\n" + _yaml(front) + "---\n" + "\n\n".join(body) + "\n"


# libyaml's emitter writes the same text as PyYAML's pure-Python one, about 4x faster (the
# 16,000-briefing corpus in seconds, not a minute); the pure-Python one is the fallback.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _yaml(data: object) -> str:
    return yaml.dump(
        data,
        Dumper=_DUMPER,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=10_000,
    )


def site_yaml() -> str:
    return _yaml(
        {
            "title": "Synthetic benchmark corpus",
            "description": "Lorem-like briefings generated for the performance benchmark.",
            "base_url": BASE_URL,
            "language": "en",
            "compare": [actor_id(1), actor_id(2)],
            "topics_order": [topic_id(k) for k in range(1, TOPICS + 1)],
        }
    )


def actors_yaml() -> str:
    return _yaml(
        {
            actor_id(k): {
                "name": f"Actor {k}",
                "role": f"Synthetic role {k}",
                "color": COLORS[k - 1],
            }
            for k in range(1, ACTORS + 1)
        }
    )


def topics_yaml() -> str:
    return _yaml(
        {
            topic_id(k): {"title": f"Topic {k}", "question": f"Should synthetic proposal {k} pass?"}
            for k in range(1, TOPICS + 1)
        }
    )


HUGO_TOML = f"""\
baseURL = "{BASE_URL}"
languageCode = "en"
title = "Synthetic benchmark corpus"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
enableRobotsTXT = false
buildFuture = true  # briefings are one a day from 2000: at 16,000 they run past today

[params]
description = "Lorem-like briefings generated for the performance benchmark."
"""

HUGO_BASEOF = """\
<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title>
<meta name="description" content="{{ with .Params.summary }}{{ . }}{{ else }}{{ .Site.Params.description }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
{{ block "head" . }}{{ end }}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
<nav><a href="{{ "briefings/" | relURL }}">Briefings</a></nav></header>
<main id="main">{{ block "main" . }}{{ end }}</main>
<footer><p>{{ .Site.Params.description }}</p></footer>
</body>
</html>
"""  # noqa: E501

HUGO_SINGLE = """\
{{ define "main" }}<article data-pagefind-body>
<h1>{{ .Title }}</h1>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
<p class="summary">{{ .Params.summary }}</p>
{{ .Content }}
<section class="annotations"><h2>Annotations</h2><ol>
{{ range .Params.annotations }}<li id="{{ .id }}"><strong data-pagefind-filter="actor">{{ .actor }}</strong> · <span data-pagefind-filter="topic">{{ .topic }}</span> · <span data-pagefind-filter="stance">{{ .stance }}</span>: {{ .summary }} {{ .note | markdownify }}</li>
{{ end }}</ol></section>
</article>{{ end }}
"""  # noqa: E501

HUGO_LIST = """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul class="briefings">
{{ range .RegularPagesRecursive }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time> {{ .Params.summary }}</li>
{{ end }}</ul>{{ end }}
"""  # noqa: E501

# The search page, as briefgen's (themes/default/templates/search.html): Pagefind's Component UI,
# a filter dropdown for each filter the index has (actor, topic, stance: the annotations'),
# the summary and the results, with Pagefind's default result template.
HUGO_SEARCH = """\
{{ define "head" }}<link rel="stylesheet" href="{{ "pagefind/pagefind-component-ui.css" | relURL }}">
<script type="module" src="{{ "pagefind/pagefind-component-ui.js" | relURL }}"></script>{{ end }}
{{ define "main" }}<h1>Search</h1>
<pagefind-config bundle-path="{{ "pagefind/" | relURL }}"></pagefind-config>
<div class="search-ui">
<pagefind-input placeholder="Search the briefings"></pagefind-input>
<div class="search-filters">
<pagefind-filter-dropdown filter="actor" label="Actor"></pagefind-filter-dropdown>
<pagefind-filter-dropdown filter="topic" label="Topic"></pagefind-filter-dropdown>
<pagefind-filter-dropdown filter="stance" label="Stance"></pagefind-filter-dropdown>
</div>
<pagefind-summary default-message="Type a word from a briefing."></pagefind-summary>
<pagefind-results></pagefind-results>
</div>{{ end }}
"""  # noqa: E501

HUGO_CSS = """\
body { font: 1rem/1.5 system-ui, sans-serif; max-width: 45rem; margin: 0 auto; padding: 1rem; }
.skip { position: absolute; left: -999px; }
.summary { font-style: italic; }
"""


def write(n: int, out_dir: Path, seed: int = SEED) -> None:
    """Write OUT_DIR/briefgen and OUT_DIR/hugo (replacing any previous corpus there)."""
    bg, hugo = out_dir / "briefgen", out_dir / "hugo"
    for d in (bg, hugo):
        if d.exists():
            shutil.rmtree(d)
    (bg / "content" / "briefings").mkdir(parents=True)
    (hugo / "content" / "briefings").mkdir(parents=True)
    (bg / "content" / "site.yaml").write_text(site_yaml(), encoding="utf-8")
    (bg / "content" / "actors.yaml").write_text(actors_yaml(), encoding="utf-8")
    (bg / "content" / "topics.yaml").write_text(topics_yaml(), encoding="utf-8")
    (hugo / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
    layouts = hugo / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
    (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (layouts / "search.html").write_text(HUGO_SEARCH, encoding="utf-8")
    (hugo / "static").mkdir()
    (hugo / "static" / "style.css").write_text(HUGO_CSS, encoding="utf-8")
    (hugo / "content" / "briefings" / "_index.md").write_text(
        "---\ntitle: Briefings\n---\n", encoding="utf-8"
    )
    (hugo / "content" / "search.md").write_text(
        "---\ntitle: Search\nlayout: search\nurl: /search/\n---\n", encoding="utf-8"
    )
    for i in range(1, n + 1):
        data = briefing(i, seed).encode("utf-8")
        name = slug(i) + ".md"
        (bg / "content" / "briefings" / name).write_bytes(data)
        (hugo / "content" / "briefings" / name).write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description=__doc__)
    parser.add_argument("n", type=int, metavar="N", help="number of briefings")
    parser.add_argument("out", type=Path, metavar="OUT_DIR")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    write(args.n, args.out, args.seed)
    print(f"wrote {args.n} briefings into {args.out / 'briefgen'} and {args.out / 'hugo'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

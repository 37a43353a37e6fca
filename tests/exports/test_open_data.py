"""annotations.json (W3C Web Annotation) round-trips to the text; positions.json fits its schema."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import jsonschema
import lxml.html
import pytest

from briefgen.document.scope import CONTEXT_CHARS
from briefgen.document.textmap import normalise
from tests.support.demo import Built, published_briefings

ANNO = "http://www.w3.org/ns/anno.jsonld"
SCHEMA_BYTES = (files("briefgen.exports") / "schemas" / "positions.schema.json").read_bytes()
SCHEMA = json.loads(SCHEMA_BYTES)


def collection(built: Built, slug: str) -> dict[str, Any]:
    return built.json(f"briefings/{slug}/annotations.json")  # type: ignore[no-any-return]


def selector(item: dict[str, Any], kind: str) -> dict[str, Any]:
    """The text selector of that kind, refining the CssSelector of the scope element."""
    found = [s["refinedBy"] for s in item["target"]["selector"] if s["refinedBy"]["type"] == kind]
    assert [s["type"] for s in item["target"]["selector"]] == ["CssSelector", "CssSelector"]
    assert {s["value"] for s in item["target"]["selector"]} == {"#text"}
    (one,) = found
    return one  # type: ignore[no-any-return]


def bodies(item: dict[str, Any], purpose: str) -> list[dict[str, Any]]:
    return [b for b in item["body"] if b["purpose"] == purpose]


def same_text(a: str, b: str) -> bool:
    """Equal as briefgen matches quotes: whitespace, quote and dash variants aside."""
    return normalise(a).text.strip() == normalise(b).text.strip()


@pytest.mark.parametrize(("slug", "meta"), published_briefings())
def test_collection_is_a_web_annotation_collection(
    built: Built, slug: str, meta: dict[str, Any]
) -> None:
    data = collection(built, slug)
    context = data["@context"]
    assert context[0] == ANNO
    prefixes = {k for extra in context[1:] for k in extra}
    url = f"{built.base}briefings/{slug}/annotations.json"
    assert data["id"] == url
    assert data["type"] == "AnnotationCollection"
    assert meta["title"] in data["label"]
    page = data["first"]
    assert page["type"] == "AnnotationPage"
    assert data["total"] == len(page["items"]) == len(meta["annotations"])
    text_url = data["briefgen:plainText"]
    assert text_url == f"{built.base}briefings/{slug}/text.txt"
    assert built.file_for(text_url).is_file()

    def keys(value: Any) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    extended = {k.split(":", 1)[0] for k in keys(data) if ":" in k and not k.startswith("@")}
    assert extended <= prefixes  # every prefixed term is declared in the @context


@pytest.mark.parametrize(("slug", "meta"), published_briefings())
def test_every_front_matter_annotation_is_published(
    built: Built, slug: str, meta: dict[str, Any]
) -> None:
    items = collection(built, slug)["first"]["items"]
    page = f"{built.base}briefings/{slug}/"
    html = lxml.html.fromstring(built.file_for(page).read_bytes())
    by_quote: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        key = normalise(selector(item, "TextQuoteSelector")["exact"]).text.strip()
        by_quote.setdefault(key, []).append(item)
    for spec in meta["annotations"]:
        candidates = by_quote.get(normalise(spec["quote"]).text.strip(), [])
        if "id" in spec:
            candidates = [i for i in candidates if i["id"].endswith(f"#{spec['id']}")]
        assert len(candidates) == 1, spec["quote"]
        (item,) = candidates
        assert item["type"] == "Annotation"
        date = f"{meta['date'].isoformat()}T00:00:00Z"
        assert item["created"] == item["modified"] == date
        assert item["target"]["source"] == page
        assert item["id"] == f"{built.base}briefings/{slug}/annotations.json#{spec['id']}"
        assert item["briefgen:passage"] == f"{page}#{spec['id']}"
        assert html.get_element_by_id(spec["id"]) is not None
        assert item["motivation"] == "commenting"
        assert item["creator"]["id"] == built.base
        (note,) = bodies(item, "commenting")
        assert note["type"] == "TextualBody" and note["format"] == "text/html"
        assert note["value"].strip()
        kind = spec.get("kind", "position")
        assert item["briefgen:kind"] == kind
        tags = bodies(item, "tagging")
        if kind == "position":
            actor, topic, stance = tags
            assert actor["briefgen:actor"] == f"{built.base}actors/{spec['actor']}/"
            assert topic["briefgen:topic"] == f"{built.base}topics/{spec['topic']}/"
            assert stance["briefgen:stance"] == spec["stance"]
            assert all(t["value"] for t in tags)
            assert same_text(item["briefgen:summary"], spec["summary"])
        else:
            assert tags == []


@pytest.mark.parametrize(("slug", "meta"), published_briefings())
def test_selectors_round_trip_on_the_published_plain_text(
    built: Built, slug: str, meta: dict[str, Any]
) -> None:
    text = built.read(f"briefings/{slug}/text.txt").decode("utf-8")
    items = collection(built, slug)["first"]["items"]
    assert items
    for item in items:
        quote = selector(item, "TextQuoteSelector")
        position = selector(item, "TextPositionSelector")
        start, end = position["start"], position["end"]
        assert 0 <= start < end <= len(text)
        assert text[start:end] == quote["exact"], item["id"]
        prefix, suffix = quote.get("prefix"), quote.get("suffix")
        assert prefix != "" and suffix != "", "empty prefix or suffix"
        assert text[:start].endswith(prefix or "") and text[end:].startswith(suffix or "")
        assert len(prefix or "") >= min(start, CONTEXT_CHARS), item["id"]
        assert len(suffix or "") >= min(len(text) - end, CONTEXT_CHARS), item["id"]
        assert item["target"]["briefgen:plainText"] == f"{built.base}briefings/{slug}/text.txt"
    quotes = [normalise(a["quote"]).text.strip() for a in meta["annotations"]]
    published = [normalise(selector(i, "TextQuoteSelector")["exact"]).text.strip() for i in items]
    assert sorted(quotes) == sorted(published)


def test_text_fragment_links_in_annotations_are_absolute(built: Built) -> None:
    for slug, _ in published_briefings():
        for item in collection(built, slug)["first"]["items"]:
            link = item["target"].get("briefgen:textFragment")
            if link is not None:
                assert link.startswith(item["briefgen:passage"] + ":~:text="), link
            else:
                assert item["target"]["briefgen:noTextFragment"]


def test_positions_json_validates_against_the_shipped_schema(built: Built) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    data = built.json("data/positions.json")
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert not errors, errors
    assert data["$schema"] == f"{built.base}data/positions.schema.json"
    published_schema = built.read("data/positions.schema.json")
    assert published_schema == SCHEMA_BYTES


def test_positions_json_holds_every_position_newest_first(built: Built) -> None:
    data = built.json("data/positions.json")
    cells = {(c["actor"], c["topic"]): c for c in data["matrix"]}
    expected: dict[tuple[str, str], set[str]] = {}
    for _, meta in published_briefings():
        for a in meta["annotations"]:
            if a.get("kind", "position") == "position":
                expected.setdefault((a["actor"], a["topic"]), set()).add(
                    normalise(a["quote"]).text.strip()
                )
    assert set(cells) == set(expected)
    actor_ids = [a["id"] for a in data["actors"]]
    topic_ids = [t["id"] for t in data["topics"]]
    order = [(actor_ids.index(a), topic_ids.index(t)) for a, t in cells]
    assert order == sorted(order)
    for key, cell in cells.items():
        history = cell["history"]
        assert cell["latest"] == history[0]
        assert [p["date"] for p in history] == sorted((p["date"] for p in history), reverse=True)
        assert {normalise(p["quote"]).text.strip() for p in history} == expected[key]
        for p in history:
            assert (
                p["stance"]["label"] == built.site.content.config.stances[p["stance"]["id"]].label
            )
            page = built.file_for(p["url"])
            html = lxml.html.fromstring(page.read_bytes())
            assert html.get_element_by_id(p["url"].split("#", 1)[1]) is not None
            assert p["briefing"]["url"] == p["url"].split("#", 1)[0]
    assert data["updated"] == max(m["date"] for _, m in published_briefings()).isoformat()

"""annotations.json and data/annotations.jsonl hold what W3C Web Annotation clients expect.

Checked against tests/exports/web_annotation.schema.json, written from the W3C Web Annotation
Data Model's required and constrained terms (no official schema exists in the registries).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from briefgen.build.pipeline import BuildOptions, prepare
from briefgen.exports.annotations import (
    ANNO_CONTEXT,
    VOCAB_CONTEXT,
    annotation_lines,
    annotations_json,
)
from briefgen.exports.common import json_bytes
from tests.support.demo import Built, published_briefings
from tests.support.paths import REPO

SCHEMA = json.loads((Path(__file__).parent / "web_annotation.schema.json").read_text("utf-8"))
ANNOTATION = {**SCHEMA["$defs"]["annotation"], "$defs": SCHEMA["$defs"]}
ANNOTATION["required"] = ["@context", *ANNOTATION["required"]]
ANNOTATION["properties"] = {**ANNOTATION["properties"], "@context": {"$ref": "#/$defs/context"}}


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


def _errors(validator: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def test_every_annotations_json_is_a_valid_web_annotation_collection(built: Built) -> None:
    validator = _validator(SCHEMA)
    for slug, _ in published_briefings():
        data = built.json(f"briefings/{slug}/annotations.json")
        assert _errors(validator, data) == [], slug
        for item in data["first"]["items"]:
            for sel in item["target"]["selector"]:
                refined = sel["refinedBy"]
                if refined["type"] == "TextPositionSelector":
                    assert refined["start"] < refined["end"], item["id"]
            purposes = [b["purpose"] for b in item["body"]]
            assert purposes[0] == "commenting" and set(purposes[1:]) <= {"tagging"}
            assert item["id"].startswith(data["id"] + "#"), "the annotation's id is its own"


def test_annotations_jsonl_holds_every_annotation_of_the_site_one_per_line(built: Built) -> None:
    validator = _validator(ANNOTATION)
    lines = built.read("data/annotations.jsonl").decode("utf-8").splitlines()
    items = [json.loads(line) for line in lines]
    for item in items:
        assert _errors(validator, item) == [], item.get("id")
    expected = [
        i["id"]
        for slug, _ in published_briefings()
        for i in built.json(f"briefings/{slug}/annotations.json")["first"]["items"]
    ]
    assert sorted(i["id"] for i in items) == sorted(expected)
    assert len(set(expected)) == len(expected)


def test_the_schema_rejects_what_clients_cannot_use(built: Built) -> None:
    """The checks bite: an empty prefix, a missing source or a body without value fail."""
    validator = _validator(SCHEMA)
    slug, _ = published_briefings()[0]
    good = built.json(f"briefings/{slug}/annotations.json")
    item = good["first"]["items"][0]
    broken = [
        ("target", "selector", 0, "refinedBy", "prefix"),
        ("target", "source"),
        ("body", 0, "value"),
        ("creator",),
    ]
    for path in broken:
        data = json.loads(json.dumps(good))
        node = data["first"]["items"][0]
        for key in path[:-1]:
            node = node[key]
        if path[-1] == "prefix":
            node["prefix"] = ""
        else:
            del node[path[-1]]
        assert _errors(validator, data), f"{path} broken and still valid ({item['id']})"


def test_annotations_json_and_jsonl_lines_are_the_encoders_own_text(built: Built) -> None:
    """Both files are spliced from each annotation's JSON text made once (annotation_files):
    the result must be exactly what json_bytes() gives of the same values, line for line."""
    context = [ANNO_CONTEXT, VOCAB_CONTEXT]
    lines = built.read("data/annotations.jsonl").splitlines(keepends=True)
    by_id = {json.loads(line)["id"]: line for line in lines}
    for slug, _ in published_briefings():
        raw = built.read(f"briefings/{slug}/annotations.json")
        data = json.loads(raw)
        assert raw == json_bytes(data), slug
        for item in data["first"]["items"]:
            assert by_id[item["id"]] == json_bytes({"@context": context, **item})


def test_annotations_json_spliced_from_the_lines_made_ahead_is_the_model_s() -> None:
    """The writer makes annotations.json from the lines the worker made (processed()): the
    same bytes as annotations_json() makes from the model, and lines that are not what
    annotation_lines() makes (a foreign cache) are not used."""
    prepared = prepare(BuildOptions(REPO, cache=False, search=False), bodies_apart=True)
    config = prepared.site.content.config
    assert prepared.site.briefings
    for b in prepared.site.briefings:
        complete = prepared.complete(b)
        lines = prepared.lines_of(b.slug)
        assert lines == annotation_lines(config, complete), b.slug
        expected = annotations_json(prepared.site, complete)
        assert annotations_json(prepared.site, complete, lines) == expected, b.slug
        first, _, rest = lines.partition(b"\n")
        for foreign in (rest, lines + first + b"\n", b"[]\n" + rest, b"\xff" + lines):
            assert annotations_json(prepared.site, complete, foreign) == expected, b.slug

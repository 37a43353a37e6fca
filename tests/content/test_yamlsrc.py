"""YAML with positions: every key and value knows its line and column."""

from __future__ import annotations

import pytest

from briefgen.content.yamlsrc import Pos, YamlSyntaxError, YMap, YScalar, YSeq, parse


def test_positions_of_keys_and_values_with_offset() -> None:
    node, dups = parse("title: x\nitems:\n  - a: 1\n    b: two\n", line_offset=1)
    assert isinstance(node, YMap) and not dups
    assert node.keys["items"] == Pos(3, 1)
    items = node.values["items"]
    assert isinstance(items, YSeq)
    first = items.items[0]
    assert isinstance(first, YMap)
    assert first.pos == Pos(4, 5)
    assert first.keys["b"] == Pos(5, 5)
    b = first.values["b"]
    assert isinstance(b, YScalar) and b.pos == Pos(5, 8) and b.value == "two"


def test_scalars_follow_safe_load_types_but_dates_stay_text() -> None:
    node, _ = parse("n: 3\nf: 1.5\nt: true\nz: null\nd: 2024-07-04\ns: 'yes'\n")
    assert isinstance(node, YMap)
    values = {k: v.value for k, v in node.values.items() if isinstance(v, YScalar)}
    assert values == {"n": 3, "f": 1.5, "t": True, "z": None, "d": "2024-07-04", "s": "yes"}


def test_tags_cannot_construct_objects() -> None:
    node, _ = parse("x: !!python/object/apply:os.system ['true']\n")
    assert isinstance(node, YMap)  # composed, never constructed: the tag is inert


def test_duplicate_keys_are_reported() -> None:
    _, dups = parse("a: 1\nb: 2\na: 3\n")
    assert [(d.key, d.pos) for d in dups] == [("a", Pos(3, 1))]


def test_syntax_error_has_a_position_and_hint() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        parse("a: 1\nb: c: d\n", line_offset=1)
    assert caught.value.pos == Pos(3, 5)
    assert "quoted" in caught.value.hint

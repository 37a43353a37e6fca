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


def test_asterisks_in_text_are_not_aliases() -> None:
    node, _ = parse("note: Plain *emphasis* and 2 * 3\nlist: ['*x*', a*b]\n")
    assert isinstance(node, YMap)
    note = node.values["note"]
    assert isinstance(note, YScalar) and note.value == "Plain *emphasis* and 2 * 3"


@pytest.mark.parametrize(
    ("text", "pos"),
    [
        ("a: &x 1\nb: *x\n", Pos(3, 4)),  # an alias, reported where it stands
        ("a: [&x 1]\nb: {c: *x}\n", Pos(3, 8)),
        ("a: *nowhere\n", Pos(2, 4)),  # an alias of nothing
        ("a: &x [*x]\n", Pos(2, 8)),  # an alias inside its own anchor
        ("a: &x 1\nb: *x\nc: [unclosed\n", Pos(3, 4)),  # the alias comes before the error
    ],
)
def test_aliases_are_refused_at_their_own_position(text: str, pos: Pos) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        parse(text, line_offset=1)
    assert "aliases are not supported" in caught.value.message
    assert caught.value.pos == pos


def test_a_syntax_error_before_an_alias_is_the_error_reported() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        parse("a: [unclosed\nb: &x 1\nc: *x\n")
    assert "aliases" not in caught.value.message

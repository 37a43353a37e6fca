"""YAML read into a small tree that remembers where every key and value stands.

Only `safe_load` semantics: the tree is built from composed nodes by hand, so no tag can
construct an object, and a malformed scalar (a bad date, say) becomes a diagnostic at its own
line instead of an exception from the constructor.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from briefgen.content.pasteable import syntax_fix

try:  # libyaml is ~10x faster; both give the same node marks.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True)
class Pos:
    """1-based line and column in the file (front-matter offsets already applied)."""

    line: int
    col: int


Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class YScalar:
    value: Scalar
    raw: str
    tag: str
    pos: Pos


@dataclass(frozen=True)
class YSeq:
    items: list[YNode]
    pos: Pos


@dataclass(frozen=True)
class YMap:
    """A mapping whose keys are strings; `keys` keeps each key's own position."""

    values: dict[str, YNode]
    keys: dict[str, Pos]
    pos: Pos


YNode = YScalar | YSeq | YMap


class YamlSyntaxError(Exception):
    def __init__(self, message: str, pos: Pos, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.hint = hint


@dataclass(frozen=True)
class DuplicateKey:
    key: str
    pos: Pos


MAX_DEPTH = 64  # nesting of mappings and sequences; content needs four or five levels


def parse(text: str, line_offset: int = 0) -> tuple[YNode | None, list[DuplicateKey]]:
    """Parse one YAML document. `line_offset` is added to every line (front-matter).

    Aliases (`*name`) are refused before anything is built: content never needs them, and a
    few lines of nested aliases ("billion laughs") would expand to billions of nodes."""
    try:
        try:
            node = yaml.compose(text, Loader=_Loader)
        except yaml.YAMLError:
            if "*" in text:  # an alias before the error is reported, as if parsed first
                _refuse_aliases(text, line_offset)
            raise
        if "*" in text and _shares_nodes(node):  # composed, not expanded: nothing built yet
            _refuse_aliases(text, line_offset)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(mark.line + 1 + line_offset, mark.column + 1) if mark else Pos(1 + line_offset, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        fix = syntax_fix(text, mark.line, mark.column + 1, problem, pos.line) if mark else None
        if fix is not None:  # the corrected line, ready to paste
            message, line, col, hint = fix
            raise YamlSyntaxError(message, Pos(line, col), hint) from None
        raise YamlSyntaxError(f"malformed YAML: {problem}", pos, _syntax_hint(problem)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(
            f"malformed YAML: {exc}", Pos(1 + line_offset, 1), "check the file's YAML syntax"
        ) from None
    if node is None:
        return None, []
    duplicates: list[DuplicateKey] = []
    return _convert(node, line_offset, duplicates, 0), duplicates


def _shares_nodes(root: yaml.Node | None) -> bool:
    """Whether a node is reached twice: the composer hands an alias its anchor's node, so a
    tree without aliases has none (checked instead of parsing every file twice)."""
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
    return False


def _refuse_aliases(text: str, line_offset: int) -> None:
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            line, col = (mark.line, mark.column) if mark is not None else (0, 0)
            raise YamlSyntaxError(
                f"YAML aliases are not supported (*{event.anchor})",
                Pos(line + 1 + line_offset, col + 1),
                "write the value out in full instead of referring to an &anchor",
            )


def _syntax_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted, e.g. note: \"Kyiv: the answer\""
    if "could not find expected ':'" in problem or "expected <block end>" in problem:
        return "check the indentation: keys of one mapping must line up"
    if "found character '\\t'" in problem:
        return "YAML does not allow tabs for indentation; use spaces"
    return "check quoting and indentation around this position"


def _pos(node: yaml.Node, line_offset: int) -> Pos:
    return Pos(node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)


_TAG_BOOL = "tag:yaml.org,2002:bool"
_TAG_INT = "tag:yaml.org,2002:int"
_TAG_FLOAT = "tag:yaml.org,2002:float"
_TAG_NULL = "tag:yaml.org,2002:null"


def _scalar_value(node: yaml.ScalarNode) -> Scalar:
    raw = str(node.value)
    if node.tag == _TAG_NULL:
        return None
    if node.tag == _TAG_BOOL:
        return raw.lower() in ("yes", "true", "on")
    if node.tag == _TAG_INT:
        try:
            return int(raw.replace("_", ""), 0)
        except ValueError:
            return raw
    if node.tag == _TAG_FLOAT:
        try:
            return float(raw.replace("_", ""))
        except ValueError:
            return raw
    # Strings, and timestamps kept as their text: dates are validated by the schema.
    return raw


def _convert(node: yaml.Node, off: int, duplicates: list[DuplicateKey], depth: int) -> YNode:
    pos = _pos(node, off)
    if isinstance(node, yaml.ScalarNode):
        return YScalar(_scalar_value(node), str(node.value), str(node.tag), pos)
    if depth >= MAX_DEPTH:
        raise YamlSyntaxError(
            f"YAML nested deeper than {MAX_DEPTH} levels",
            pos,
            "content needs a few levels of nesting at most; check the brackets and indentation",
        )
    if isinstance(node, yaml.SequenceNode):
        return YSeq([_convert(item, off, duplicates, depth + 1) for item in node.value], pos)
    assert isinstance(node, yaml.MappingNode)
    values: dict[str, YNode] = {}
    keys: dict[str, Pos] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
        key_pos = _pos(key_node, off)
        if key in values:
            duplicates.append(DuplicateKey(key, key_pos))
        values[key] = _convert(value_node, off, duplicates, depth + 1)
        keys[key] = key_pos
    return YMap(values, keys, pos)

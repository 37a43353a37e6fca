"""Reading a content file: bytes to UTF-8 text to a YAML node, each failure a diagnostic."""

from __future__ import annotations

from pathlib import Path

from briefgen.content.schema import require_map
from briefgen.content.yamlsrc import YamlSyntaxError, YMap, YNode, parse
from briefgen.diagnostics import Diagnostics


def decode(data: bytes, rel: str, diags: Diagnostics) -> str | None:
    """The file's text; a diagnostic at the first byte that is not UTF-8 (a BOM is allowed)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        diags.error(
            rel,
            line,
            col,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
            "save it as UTF-8 (most editors: 'Save with encoding')",
        )
        return None


def rel_path(path: Path, site_dir: Path) -> str:
    try:
        return path.relative_to(site_dir).as_posix()
    except ValueError:
        return path.as_posix()


DOCS = "docs/content.md in briefgen's repository"


class Unreadable(Exception):
    """The file could not be read as YAML; its diagnostic is already recorded."""


def read_map(site_dir: Path, rel: str, diags: Diagnostics) -> YMap:
    path = site_dir / rel
    if not path.is_file():
        diags.error(
            rel,
            1,
            1,
            f"{rel} is missing",
            f"create {rel} (`briefgen init` writes a commented one); its keys: {DOCS}",
        )
        raise Unreadable
    text = decode(path.read_bytes(), rel, diags)
    if text is None:
        raise Unreadable
    node = parse_yaml(text, rel, diags, 0)
    mapping = require_map(node, rel, diags, rel)
    if mapping is None:
        raise Unreadable
    return mapping


def parse_yaml(text: str, rel: str, diags: Diagnostics, line_offset: int) -> YNode | None:
    try:
        node, duplicates = parse(text, line_offset)
    except YamlSyntaxError as exc:
        diags.error(rel, exc.pos.line, exc.pos.col, exc.message, exc.hint, code="yaml")
        raise Unreadable from None
    for dup in duplicates:
        diags.error(
            rel,
            dup.pos.line,
            dup.pos.col,
            f"duplicate key '{dup.key}'",
            "YAML keeps only the last one; remove or rename one of them",
        )
    return node

"""Reading a built tree back."""

from __future__ import annotations

from pathlib import Path

import yaml

from briefgen.content.briefings import split_front_matter


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under `directory`, as relative path -> bytes."""
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def body_of(path: Path) -> str:
    parts = split_front_matter(path.read_text(encoding="utf-8"))
    assert parts is not None, path
    return parts[1]


def front_of(path: Path) -> dict[str, object]:
    parts = split_front_matter(path.read_text(encoding="utf-8"))
    assert parts is not None, path
    data = yaml.safe_load(parts[0])
    assert isinstance(data, dict)
    return data

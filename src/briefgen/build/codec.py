"""The cache's serialisation: briefgen's own dataclasses to JSON and back, and nothing else.

The cache is input like any other (CI caches travel between machines), so it holds no pickles:
a row is JSON whose objects name one of the classes listed in `CLASSES`, built with their own
constructors. An unknown name, a missing or extra field, or text that is not JSON raises
CodecError, which the cache treats as a miss. The format has a version (`FORMAT`), kept in
the database; a database of another version is thrown away whole.

Encoding: a dataclass is ``{"!": "Name", "field": value, ...}``; tuples and lists are arrays
(read back as tuples: the model's collections are tuples); a date is ``{"!": "date", "v": iso}``,
a path ``{"!": "path", ...}``, bytes ``{"!": "bytes", "v": base64}``, a dict
``{"!": "dict", "v": [[key, value], ...]}``. Fields a class derives from others
(`compare=False`, such as Briefing.by_id) are not stored but made again.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from briefgen.content.model import Actor, AnnotationSpec, BriefingSource, Source, Stance, Topic
from briefgen.content.yamlsrc import Pos
from briefgen.diagnostics import Diagnostic
from briefgen.document.markdown import Chunk, Heading, HtmlChunk, LinkRef, NotesChunk
from briefgen.document.model import Annotation, Briefing

FORMAT = "briefgen-cache/2"  # change it whenever an encoded class changes shape

CLASSES: dict[str, type[Any]] = {
    c.__name__: c
    for c in (
        Actor,
        Annotation,
        AnnotationSpec,
        Briefing,
        BriefingSource,
        Diagnostic,
        Heading,
        HtmlChunk,
        LinkRef,
        NotesChunk,
        Pos,
        Source,
        Stance,
        Topic,
    )
}
# Small values many objects share (every annotation names its actor): decoded once each.
_INTERNED = (Actor, Topic, Stance, Source)


class CodecError(ValueError):
    """The bytes are not a value this codec wrote: a cache miss, never trusted."""


def register(cls: type[Any]) -> type[Any]:
    """Allow one more dataclass (the build's own result type registers itself)."""
    CLASSES[cls.__name__] = cls
    return cls


def _derived_briefing(kwargs: dict[str, Any]) -> None:
    kwargs["by_id"] = {a.id: a for a in kwargs["annotations"]}


_DERIVE: dict[type[Any], Callable[[dict[str, Any]], None]] = {Briefing: _derived_briefing}


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    if isinstance(value, dt.date):
        return {"!": "date", "v": value.isoformat()}
    if isinstance(value, Path):
        return {"!": "path", "v": str(value)}
    if isinstance(value, bytes):
        return {"!": "bytes", "v": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {"!": "dict", "v": [[_encode(k), _encode(v)] for k, v in value.items()]}
    cls = type(value)
    if CLASSES.get(cls.__name__) is not cls:
        raise CodecError(f"cannot encode a {cls.__name__}")
    out: dict[str, Any] = {"!": cls.__name__}
    for f in dataclasses.fields(value):
        if f.compare:
            out[f.name] = _encode(getattr(value, f.name))
    return out


def _freeze(value: Any) -> Any:
    return tuple(_freeze(v) for v in value) if isinstance(value, list) else value


class _Decoder:
    def __init__(self) -> None:
        self.interned: dict[tuple[Any, ...], Any] = {}

    def hook(self, obj: dict[str, Any]) -> Any:
        tag = obj.pop("!", None)
        if not isinstance(tag, str):
            raise CodecError("an object without a type")
        if tag in ("date", "path", "bytes", "dict"):
            return self._builtin(tag, obj.get("v"))
        cls = CLASSES.get(tag)
        if cls is None:
            raise CodecError(f"unknown type {tag!r}")
        kwargs = {k: _freeze(v) for k, v in obj.items()}
        derive = _DERIVE.get(cls)
        try:
            if derive is not None:
                derive(kwargs)
            value = cls(**kwargs)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise CodecError(f"a malformed {tag}: {exc}") from None
        if isinstance(value, _INTERNED):
            key = (cls, *(repr(v) for v in kwargs.values()))
            value = self.interned.setdefault(key, value)
        return value

    def _builtin(self, tag: str, v: Any) -> Any:
        try:
            if tag == "date":
                return dt.date.fromisoformat(v)
            if tag == "path":
                return Path(v)
            if tag == "bytes":
                return base64.b64decode(v, validate=True)
            return {_freeze(k): _freeze(x) for k, x in v}
        except (TypeError, ValueError) as exc:
            raise CodecError(f"a malformed {tag}: {exc}") from None
        raise CodecError(f"a malformed {tag}")


def dumps(value: Any) -> bytes:
    return json.dumps(_encode(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes, expected: type[Any] | None = None) -> Any:
    """The value `dumps` made of it; CodecError for anything else (or not an `expected`)."""
    try:
        value = json.loads(data, object_hook=_Decoder().hook)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError, JSONDecodeError, ours
        raise CodecError(str(exc)) from None
    if expected is not None and not isinstance(value, expected):
        raise CodecError(f"not a {expected.__name__}")
    return _freeze(value)


# --- a briefing's body, kept compressed apart from its model -------------------------------


def pack_body(chunks: tuple[Chunk, ...], plain_text: str) -> bytes:
    return zlib.compress(dumps([chunks, plain_text]), 1)


def unpack_body(data: bytes) -> tuple[tuple[Chunk, ...], str]:
    try:
        raw = zlib.decompress(data)
    except zlib.error as exc:
        raise CodecError(str(exc)) from None
    value = loads(raw)
    if (
        not isinstance(value, tuple)
        or len(value) != 2
        or not isinstance(value[1], str)
        or not all(isinstance(c, (HtmlChunk, NotesChunk)) for c in value[0])
    ):
        raise CodecError("not a briefing body")
    return value[0], value[1]

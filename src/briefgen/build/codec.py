"""The cache's serialisation: briefgen's own dataclasses to JSON and back, and nothing else.

The cache is input like any other (CI caches travel between machines), so it holds no pickles:
a row is JSON read against a schema, the declared field types of the classes in `CLASSES`.
Nothing in a row names what to build: the reader knows, field by field, which of briefgen's
own dataclasses (or str, int, bool, date, bytes, tuple) comes next, checks its type, and calls
that class's constructor. Anything else (not JSON, a wrong type, a wrong number of fields)
raises CodecError, which the cache treats as a miss. The format has a version (`FORMAT`), kept
in the database; a database of another version is thrown away whole.

Encoding: a dataclass is the array of its stored fields in declaration order (fields it derives
from others, `compare=False` such as Briefing.by_id, are made again); a tuple is an array; a
date its ISO text; bytes base64; a field that may hold one of several classes (a Chunk) is
``["ClassName", fields]``. Reading it back is one C-speed `json.loads` plus one constructor call
per object: a warm build reads thousands of rows.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import operator
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.content.model import (
    Actor,
    AnnotationSpec,
    BriefingSource,
    Comparison,
    Source,
    Stance,
    Topic,
)
from briefgen.content.yamlsrc import Pos
from briefgen.diagnostics import Diagnostic
from briefgen.document.markdown import Chunk, Heading, HtmlChunk, LinkRef, NotesChunk
from briefgen.document.model import Annotation, Briefing

FORMAT = "briefgen-cache/6"  # change it whenever an encoded class changes shape


@dataclass(frozen=True)
class Body:
    """A briefing's body, as the cache keeps it apart from the model."""

    chunks: tuple[Chunk, ...]
    plain_text: str


CLASSES: dict[str, type[Any]] = {
    c.__name__: c
    for c in (
        Actor,
        Annotation,
        AnnotationSpec,
        Body,
        Briefing,
        BriefingSource,
        Comparison,
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
UNIONS: dict[str, tuple[str, ...]] = {"Chunk": ("HtmlChunk", "NotesChunk")}
# Small values many objects share (every annotation names its actor): one object each.
_INTERNED = (Actor, Topic, Stance, Source)
_SIMPLE: dict[str, type[Any]] = {"str": str, "int": int, "bool": bool, "Severity": str}


class CodecError(ValueError):
    """The bytes are not a value this codec wrote: a cache miss, never trusted."""


def register(cls: type[Any]) -> type[Any]:
    """Allow one more dataclass (the build's own result type registers itself)."""
    CLASSES[cls.__name__] = cls
    return cls


def _derived_briefing(kwargs: dict[str, Any]) -> None:
    kwargs["by_id"] = {a.id: a for a in kwargs["annotations"]}


_DERIVE: dict[type[Any], Callable[[dict[str, Any]], None]] = {Briefing: _derived_briefing}

Convert = Callable[[Any], Any]


class _Codec:
    """Encoders and decoders for each declared type, made once from the type's text."""

    def __init__(self) -> None:
        self.encoders: dict[str, Convert] = {}
        self.decoders: dict[str, Convert] = {}
        self.interned: dict[tuple[Any, ...], Any] = {}  # per loads(): see reset()

    def encoder(self, kind: str) -> Convert:
        found = self.encoders.get(kind)
        if found is None:
            found = self.encoders[kind] = self._make(kind, encode=True)
        return found

    def decoder(self, kind: str) -> Convert:
        found = self.decoders.get(kind)
        if found is None:
            found = self.decoders[kind] = self._make(kind, encode=False)
        return found

    def _make(self, kind: str, encode: bool) -> Convert:
        """One rule per kind of declared type; `encode` picks the direction."""
        if kind.endswith(" | None"):
            inner = self._make(kind.removesuffix(" | None"), encode)
            if inner is _identity:
                return _identity
            return lambda v: None if v is None else inner(v)
        if kind in _SIMPLE:
            return _identity if encode else _checked(_SIMPLE[kind])
        if kind.startswith("tuple[") and kind.endswith(", ...]"):
            item = self._make(kind[6:-6], encode)
            if encode:
                return lambda v: [item(x) for x in v]
            return lambda v: tuple(item(x) for x in _list(v))
        if kind.startswith("tuple[") and kind.endswith("]"):  # fixed: tuple[str, str]
            items = [self._make(k.strip(), encode) for k in kind[6:-1].split(",")]
            if encode:
                return lambda v: [f(x) for f, x in zip(items, v, strict=True)]
            return lambda v: tuple(f(x) for f, x in zip(items, _list(v, len(items)), strict=True))
        if kind in _LEAVES:
            return _LEAVES[kind][0 if encode else 1]
        if kind in UNIONS:
            return self._union(UNIONS[kind], encode)
        if kind in CLASSES:
            return self._class(CLASSES[kind], encode)
        raise TypeError(f"codec: no rule for the type {kind!r}")  # a programming error

    @staticmethod
    def _class_encoder(names: list[str], encoders: list[Convert]) -> Convert:
        """All fields read at once (one C-level attrgetter); only those that are not stored
        as they are (a date, bytes, a nested class) go through their encoder."""
        if len(names) == 1:
            (name,), (only,) = names, encoders
            return lambda v: [only(getattr(v, name))]
        get = operator.attrgetter(*names)
        special = [(i, e) for i, e in enumerate(encoders) if e is not _identity]

        def encode(v: Any) -> list[Any]:
            values = list(get(v))
            for i, e in special:
                values[i] = e(values[i])
            return values

        return encode

    def _union(self, names: tuple[str, ...], encode: bool) -> Convert:
        if encode:
            return lambda v: [type(v).__name__, self.encoder(type(v).__name__)(v)]

        def decode(v: Any) -> Any:
            name, fields = _list(v, 2)
            if name not in names:
                raise CodecError(f"not one of {names}: {name!r}")
            return self.decoder(name)(fields)

        return decode

    def _class(self, cls: type[Any], encode: bool) -> Convert:
        fields = [f for f in dataclasses.fields(cls) if f.compare]
        names = [f.name for f in fields]
        if encode:
            return self._class_encoder(names, [self.encoder(str(f.type)) for f in fields])
        # Simply typed fields are checked all at once (one C-level comparison of their types);
        # the others are decoded one by one.
        kinds = [str(f.type) for f in fields]
        simple = [i for i, k in enumerate(kinds) if k.removesuffix(" | None") in _SIMPLE]
        expected = tuple(_SIMPLE[kinds[i].removesuffix(" | None")] for i in simple)
        optional = tuple(kinds[i].endswith(" | None") for i in simple)
        pick = operator.itemgetter(*simple) if len(simple) > 1 else None
        others = [(i, self.decoder(k)) for i, k in enumerate(kinds) if i not in simple]
        count, derive, interned = len(fields), _DERIVE.get(cls), issubclass(cls, _INTERNED)
        if hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
            raise TypeError(f"codec: {cls.__name__} must be plain fields")  # programming error
        new = object.__new__

        def check_simple(values: list[Any]) -> None:
            got = tuple(map(type, pick(values))) if pick else (type(values[simple[0]]),)
            if got != expected:
                for t, e, o in zip(got, expected, optional, strict=True):
                    if t is not e and not (o and t is type(None)):
                        raise CodecError(f"a {cls.__name__} field is a {t.__name__}")

        def decode(v: Any) -> Any:
            values = list(_list(v, count))
            if simple:
                check_simple(values)
            for i, d in others:
                values[i] = d(values[i])
            if interned:
                key = (cls, *values)
                found = self.interned.get(key)
                if found is not None:
                    return found
            kwargs = dict(zip(names, values, strict=True))
            if derive is not None:
                derive(kwargs)
            # As pickle does (the classes have no __post_init__: see _class): a frozen
            # dataclass's __init__ sets each field through object.__setattr__, 3x slower.
            made = new(cls)
            made.__dict__.update(kwargs)
            if interned:
                self.interned[key] = made
            return made

        return decode


def _identity(v: Any) -> Any:
    return v


def _checked(expected: type[Any]) -> Convert:
    def check(v: Any) -> Any:
        if type(v) is not expected:  # exact: a bool is no int here, as json.loads makes them
            raise CodecError(f"not a {expected.__name__}: {type(v).__name__}")
        return v

    return check


def _list(v: Any, length: int | None = None) -> list[Any]:
    if type(v) is not list or (length is not None and len(v) != length):
        raise CodecError(f"not a list of {length or 'any number of'} items")
    return v


def _date(v: Any) -> dt.date:
    return dt.date.fromisoformat(_checked(str)(v))


def _path(v: Any) -> Path:
    return Path(_checked(str)(v))


def _bytes(v: Any) -> bytes:
    return base64.b64decode(_checked(str)(v), validate=True)


_LEAVES: dict[str, tuple[Convert, Convert]] = {
    "dt.date": (lambda d: d.isoformat(), _date),
    "Path": (str, _path),
    "bytes": (lambda b: base64.b64encode(b).decode("ascii"), _bytes),
}
_CODEC = _Codec()


def dumps(value: Any) -> bytes:
    """One of CLASSES as JSON (the reader must know which: see loads)."""
    encode = _CODEC.encoder(type(value).__name__)
    return json.dumps(encode(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes, expected: type[Any]) -> Any:
    """The `expected` value that dumps() made of it; CodecError for anything else."""
    decode = _CODEC.decoder(expected.__name__)
    _CODEC.interned.clear()
    try:
        return decode(json.loads(data))
    except (ValueError, TypeError, RecursionError) as exc:  # JSON, base64, dates, ours
        raise CodecError(str(exc) or type(exc).__name__) from None
    finally:
        _CODEC.interned.clear()


# --- a briefing's body, kept compressed apart from its model -------------------------------


def pack_body(chunks: tuple[Chunk, ...], plain_text: str) -> bytes:
    return zlib.compress(dumps(Body(chunks, plain_text)), 1)


def unpack_body(data: bytes) -> tuple[tuple[Chunk, ...], str]:
    try:
        raw = zlib.decompress(data)
    except zlib.error as exc:
        raise CodecError(str(exc)) from None
    body: Body = loads(raw, Body)
    return body.chunks, body.plain_text

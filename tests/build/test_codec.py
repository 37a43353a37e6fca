"""The cache's codec: every model type comes back equal; anything it did not write is refused."""

from __future__ import annotations

import dataclasses
import pickle
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from briefgen.build import codec
from briefgen.build.pipeline import BuildOptions, prepare
from briefgen.build.processed import Pieces, ProcessedBriefing
from briefgen.diagnostics import Diagnostic
from briefgen.document.markdown import HtmlChunk, LinkRef, NotesChunk
from tests.support.cache_rows import site_refs


def _declared(kind: Any, seen: set[type[Any]]) -> None:
    """Every dataclass reachable from a declared type."""
    if dataclasses.is_dataclass(kind) and isinstance(kind, type) and kind not in seen:
        seen.add(kind)
        hints = typing.get_type_hints(kind)
        for f in dataclasses.fields(kind):
            _declared(hints[f.name], seen)
    for arg in typing.get_args(kind):
        _declared(arg, seen)


def _present(value: Any) -> Iterator[type[Any]]:
    """The type of every dataclass object inside a value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield type(value)
        for f in dataclasses.fields(value):
            yield from _present(getattr(value, f.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _present(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _present(item)


@pytest.fixture
def made(demo_site: Path) -> list[ProcessedBriefing]:
    """The demo site's processed briefings, one with what the demo has none of: a diagnostic and
    links to briefings."""
    prepared = prepare(BuildOptions(demo_site, search=False), bodies_apart=True)
    results = list(prepared.briefings.values())
    warning = Diagnostic("content/briefings/synthetic.md", 3, 7, "warning", "synthetic", "hint")
    first = results[0].briefing
    assert first is not None
    links = (LinkRef("../x/#a", "briefings/x/", "a", 3, 4), LinkRef("#b", None, "b", 5, 6))
    first = dataclasses.replace(first, links=links)
    results[0] = dataclasses.replace(results[0], diagnostics=(warning,), briefing=first)
    return results


def test_every_model_type_round_trips(demo_site: Path, made: list[ProcessedBriefing]) -> None:
    decode = ProcessedBriefing.reader(site_refs(demo_site))
    declared: set[type[Any]] = set()
    _declared(ProcessedBriefing, declared)
    present = set()
    for result in made:
        model, pieces, body = result.encoded()
        again = decode(model)
        assert again == result and again.pieces is None  # its pieces are read apart
        again = dataclasses.replace(again, pieces=Pieces.decoded(result.key, pieces, body))
        assert again.pieces == result.pieces
        assert again.complete() == result.complete()  # the body, from its own column
        present |= set(_present(again)) | set(_present(again.complete()))
        for a, b in zip(again.briefing.annotations, result.briefing.annotations, strict=True):
            assert type(a) is type(b)  # the model's classes, not the codec's stored ones
            assert again.briefing.by_id[a.id] is a
    # the demo site exercises every class a row holds (a new class must be covered too)
    assert present == declared


def test_annotations_refer_to_the_sites_own_actors(
    demo_site: Path, made: list[ProcessedBriefing]
) -> None:
    refs = site_refs(demo_site)
    decode = ProcessedBriefing.reader(refs)
    annotations = [a for r in made for a in decode(r.encoded()[0]).briefing.annotations]
    assert any(a.actor and a.topic and a.stance for a in annotations)
    for a in annotations:
        assert a.actor is None or a.actor is refs.actors[a.actor.id]
        assert a.topic is None or a.topic is refs.topics[a.topic.id]
        assert a.stance is None or a.stance is refs.stances[a.stance.id]


def test_a_body_round_trips_both_kinds_of_chunk(made: list[ProcessedBriefing]) -> None:
    for result in made:
        assert result.pieces is not None
        chunks, text = codec.unpack_body(result.pieces.body)
        assert {type(c) for c in chunks} == {HtmlChunk, NotesChunk}
        assert codec.unpack_body(codec.pack_body(chunks, text)) == (chunks, text)


def _forge(row: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> bytes:
    change(row)
    return msgspec.msgpack.encode(row)


def _annotation(row: dict[str, Any]) -> dict[str, Any]:
    annotation: dict[str, Any] = row["briefing"]["annotations"][0]
    return annotation


# Rows of the right shape whose values are not what briefgen writes.
FORGED: dict[str, Callable[[dict[str, Any]], None]] = {
    "str for an int": lambda r: _annotation(r).update(number="1"),
    "bool for an int": lambda r: _annotation(r).update(start=True),
    "not a date": lambda r: r["briefing"].update(date="synthetic"),
    "unknown actor": lambda r: _annotation(r).update(actor="synthetic-unknown-actor"),
    "an actor given inline": lambda r: _annotation(r).update(actor={"id": "x", "name": "X"}),
    "unknown stance": lambda r: _annotation(r).update(stance="synthetic-stance"),
    "a body in the model": lambda r: r["briefing"].update(chunks=[["<p>x</p>"]]),
    "plain text in the model": lambda r: r["briefing"].update(plain_text="synthetic"),
    "a missing field": lambda r: r["briefing"].pop("title"),
    "a list for a str": lambda r: r.update(shown=["synthetic"]),
    "pieces in the model": lambda r: r.update(pieces={"feed_entry": b"synthetic"}),
    "a severity not known": lambda r: r.update(
        diagnostics=[dict(path="x", line=1, col=1, severity="fatal", message="m")]
    ),
    "a path that is a number": lambda r: r["source"].update(path=7),
    "a map for the row": lambda r: r.clear(),
}


@pytest.mark.parametrize("forgery", sorted(FORGED))
def test_a_row_with_wrong_types_is_refused(
    demo_site: Path, made: list[ProcessedBriefing], forgery: str
) -> None:
    decode = ProcessedBriefing.reader(site_refs(demo_site))
    model, _, _ = made[0].encoded()
    assert decode(model) == made[0]
    forged = _forge(msgspec.msgpack.decode(model), FORGED[forgery])
    with pytest.raises(codec.CodecError):
        decode(forged)


# Pieces of the right shape whose values are not what briefgen writes: (key, entry, rows, lines)
FORGED_PIECES: dict[str, Callable[[list[Any]], None]] = {
    "another entry's": lambda p: p.__setitem__(0, "synthetic-other-key"),
    "str for bytes": lambda p: p.__setitem__(1, "synthetic"),
    "a pair of three": lambda p: p.__setitem__(2, [["a", "b", "c"]]),
    "a missing piece": lambda p: p.pop(),
    "a piece too many": lambda p: p.append(b"synthetic"),
}


@pytest.mark.parametrize("forgery", sorted(FORGED_PIECES))
def test_pieces_with_wrong_types_or_of_another_entry_are_refused(
    made: list[ProcessedBriefing], forgery: str
) -> None:
    key = made[0].key
    _, pieces, body = made[0].encoded()
    assert Pieces.decoded(key, pieces, body) == made[0].pieces
    row = msgspec.msgpack.decode(pieces)
    FORGED_PIECES[forgery](row)
    with pytest.raises(codec.CodecError):
        Pieces.decoded(key, msgspec.msgpack.encode(row), body)


def test_the_codec_refuses_what_it_did_not_write(
    demo_site: Path, made: list[ProcessedBriefing]
) -> None:
    decode = ProcessedBriefing.reader(site_refs(demo_site))
    model, pieces, body = made[0].encoded()
    for data in (
        b"not msgpack \xc1",
        b'["synthetic-key", null, null, [], "", "", "", [], "", false, "", ""]',  # old JSON
        pickle.dumps({"synthetic": 1}),
        model[: len(model) // 2],  # cut short
        model + b"\x00",  # trailing bytes
        b"\x91" * 100_000,  # nested a hundred thousand deep
    ):
        with pytest.raises(codec.CodecError):
            decode(data)
        with pytest.raises(codec.CodecError):
            Pieces.decoded(made[0].key, data, body)
    with pytest.raises(codec.CodecError):
        Pieces.decoded(made[0].key, pieces, typing.cast(bytes, "a body that is not bytes"))
    for damaged in (b"not zlib", body[: len(body) // 2], codec.pack_body((), "x")[:-1]):
        with pytest.raises(codec.CodecError):
            codec.unpack_body(damaged)


def test_a_row_made_with_other_settings_is_refused(
    demo_site: Path, made: list[ProcessedBriefing]
) -> None:
    """Without the actors its annotations name (a cache key covers the settings: a sanity net)."""
    model, _, _ = made[0].encoded()
    assert any(a.actor for a in made[0].briefing.annotations)
    with pytest.raises(codec.CodecError):
        ProcessedBriefing.reader(codec.NO_REFS)(model)

"""The build cache is untrusted input: nothing in it executes, anything odd in it is rebuilt."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest

from briefgen.build import codec
from briefgen.build.cache import CACHE_DIR, DB_NAME, DocCache
from briefgen.build.pipeline import BuildOptions, build
from briefgen.build.processed import Pieces, ProcessedBriefing
from tests.support.cache_rows import site_refs


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".briefgen")
    }


def _cold(site: Path, tmp_path: Path) -> dict[str, bytes]:
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(CACHE_DIR, "out"))
    build(BuildOptions(fresh, fresh / "out", search=False, jobs=1))
    return _snapshot(fresh / "out")


def _rows(site: Path) -> list[tuple[str, bytes, bytes, bytes]]:
    """(key, model, pieces, body) of every entry."""
    with sqlite3.connect(site / CACHE_DIR / DB_NAME) as db:
        query = "SELECT models.key, model, pieces, body FROM models JOIN pieces USING (key)"
        return list(db.execute(query))


def _forge_rows(db_path: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """Every row decoded as plain MessagePack, changed and written back."""
    with sqlite3.connect(db_path) as db:
        for key, model in list(db.execute("SELECT key, model FROM models")):
            row = msgspec.msgpack.decode(model)
            change(row)
            db.execute(
                "UPDATE models SET model = ? WHERE key = ?", (msgspec.msgpack.encode(row), key)
            )


class _Payload:
    """Unpickling this creates `path`: what a forged cache entry would do to a victim."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, ...]:
        return (os.mkdir, (str(self.path),))


def test_a_forged_pickle_in_the_cache_does_not_execute(demo_site: Path, tmp_path: Path) -> None:
    out = demo_site / "out"
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    marker = tmp_path / "synthetic-pwned"
    forged = pickle.dumps(_Payload(marker))
    db_path = demo_site / CACHE_DIR / DB_NAME
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE models SET model = ?", (forged,))
        db.execute("UPDATE pieces SET pieces = ?, body = ?", (forged, forged))
    shutil.rmtree(out)  # so the build reads the cache again
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    assert not marker.exists()
    assert _snapshot(out) == _cold(demo_site, tmp_path)
    assert all(not model.startswith(b"\x80") for _, model, _, _ in _rows(demo_site))


def test_the_cache_holds_briefgens_own_types(demo_site: Path) -> None:
    build(BuildOptions(demo_site, demo_site / "out", search=False, jobs=1))
    rows = _rows(demo_site)
    assert rows
    decode = ProcessedBriefing.reader(site_refs(demo_site))
    for key, model, pieces, body in rows:
        result = decode(model)
        assert result.key == key and result.briefing is not None
        whole = dataclasses.replace(result, pieces=Pieces.decoded(key, pieces, body))
        assert whole.complete().plain_text  # the body comes back from its own column


# Damage to the pieces alone: the models decode, the pieces are read when a page is rendered.
PIECES_DAMAGE = {
    "pieces-missing": "DELETE FROM pieces",
    "pieces-garbage": "UPDATE pieces SET pieces = X'c1c1c1'",
    "pieces-cut": "UPDATE pieces SET pieces = substr(pieces, 1, length(pieces) / 2)",
    "body-cut": "UPDATE pieces SET body = substr(body, 1, length(body) / 2)",
    "body-not-bytes": "UPDATE pieces SET body = 'synthetic text'",
    "body-empty": "UPDATE pieces SET body = X''",
    "pieces-of-another": "UPDATE pieces SET pieces = (SELECT pieces FROM pieces AS p "
    "WHERE p.key != pieces.key LIMIT 1), body = (SELECT body FROM pieces AS p "
    "WHERE p.key != pieces.key LIMIT 1)",
}


@pytest.mark.parametrize(
    "damage",
    [
        "truncated",
        "garbage",
        "foreign",
        "old-format",
        "bad-rows",
        "old-json-rows",
        "cut-rows",
        "wrong-types",
        "unknown-actor",
        *PIECES_DAMAGE,
    ],
)
def test_a_damaged_or_foreign_cache_is_rebuilt(
    demo_site: Path, tmp_path: Path, damage: str
) -> None:
    out = demo_site / "out"
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    db_path = demo_site / CACHE_DIR / DB_NAME
    if damage == "truncated":
        data = db_path.read_bytes()
        db_path.write_bytes(data[: len(data) // 3])
    elif damage == "garbage":
        db_path.write_bytes(b"synthetic garbage, not a database\0" * 200)
    elif damage == "foreign":
        db_path.unlink()
        with sqlite3.connect(db_path) as db:
            db.execute("CREATE TABLE docs (synthetic TEXT)")
            db.execute("INSERT INTO docs VALUES ('synthetic row')")
    elif damage == "old-format":
        with sqlite3.connect(db_path) as db:
            db.execute("UPDATE meta SET value = 'briefgen-cache/0'")
    elif damage == "bad-rows":
        with sqlite3.connect(db_path) as db:
            db.execute("UPDATE models SET model = ?", (b'{"!": "Synthetic", "x": 1}',))
    elif damage == "old-json-rows":  # the JSON rows of briefgen-cache/6, under the new version
        with sqlite3.connect(db_path) as db:
            db.execute("UPDATE models SET model = ?", (b'["synthetic-key", null, null, []]',))
    elif damage == "cut-rows":
        with sqlite3.connect(db_path) as db:
            db.execute("UPDATE models SET model = substr(model, 1, length(model) / 2)")
    elif damage in PIECES_DAMAGE:
        with sqlite3.connect(db_path) as db:
            db.execute(PIECES_DAMAGE[damage])
    else:  # rows of the right shape, a value of the wrong type or naming no actor of the site
        value: object = "1" if damage == "wrong-types" else "synthetic-unknown-actor"
        field = "number" if damage == "wrong-types" else "actor"
        _forge_rows(db_path, lambda row: row["briefing"]["annotations"][0].update({field: value}))
    shutil.rmtree(out)
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    assert _snapshot(out) == _cold(demo_site, tmp_path)
    with sqlite3.connect(db_path) as db:  # made again, in the current format
        (version,) = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
    assert version == codec.FORMAT
    decode = ProcessedBriefing.reader(site_refs(demo_site))
    rows = _rows(demo_site)  # every entry's model and pieces, made again where they did not do
    with sqlite3.connect(db_path) as db:
        (models,) = db.execute("SELECT count(*) FROM models").fetchone()
    assert len(rows) == models > 0
    assert all(decode(m).key == k for k, m, _, _ in rows)
    assert all(Pieces.decoded(k, p, b).body for k, _, p, b in rows)


def test_a_cache_path_that_is_a_file_is_replaced(demo_site: Path, tmp_path: Path) -> None:
    (demo_site / CACHE_DIR).write_bytes(b"synthetic file where the cache folder goes")
    out = demo_site / "out"
    build(BuildOptions(demo_site, out, search=False, jobs=1))
    assert _snapshot(out) == _cold(demo_site, tmp_path)
    assert (demo_site / CACHE_DIR / DB_NAME).is_file()


def test_no_template_bytecode_is_cached(demo_site: Path) -> None:
    (demo_site / CACHE_DIR / "templates").mkdir(parents=True)
    (demo_site / CACHE_DIR / "templates" / "__jinja2_synthetic.cache").write_bytes(b"x")
    build(BuildOptions(demo_site, demo_site / "out", search=False, jobs=1))
    assert not (demo_site / CACHE_DIR / "templates").exists()
    assert (demo_site / CACHE_DIR / DB_NAME).is_file()


@pytest.mark.parametrize("count", [3, 1200])  # keys looked up in batches, or one pass over all
def test_get_many_returns_exactly_the_wanted_rows(tmp_path: Path, count: int) -> None:
    cache = DocCache(tmp_path)
    with cache.writer() as put:
        for i in range(count + 40):
            put(
                f"synthetic-{i}",
                f"model {i}".encode(),
                f"pieces {i}".encode(),
                f"body {i}".encode(),
            )
    wanted = [f"synthetic-{i}" for i in range(count)] + ["synthetic-absent"]
    found = dict(DocCache(tmp_path).get_many(wanted))
    assert found == {f"synthetic-{i}": f"model {i}".encode() for i in range(count)}
    pieces = {key: (p, b) for key, p, b in DocCache(tmp_path).pieces(wanted)}
    assert pieces == {
        f"synthetic-{i}": (f"pieces {i}".encode(), f"body {i}".encode()) for i in range(count)
    }

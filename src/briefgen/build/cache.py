"""A persistent cache of per-briefing results in `SITE/.briefgen-cache/`.

Entries are keyed by a hash of everything a result depends on (the file's bytes and path, the
site settings, briefgen's code: see digest.py), so a stale entry can never be found: it is
simply unused, and pruned at the end of the build.

Entries live in one SQLite file, written by the parent in a few batched transactions: creating
a file per entry cost about 1 ms each on our disks (4 s of a 4,000-briefing cold build), a row
costs microseconds. An entry is two rows: its model (`models`: what the site model, the checks
and the page keys read of every briefing, ~7 KB) and its pieces (`pieces`: its body, feed entry,
rows of positions.json and lines of data/annotations.jsonl, ~14 KB), which a build reads only
for the briefings whose outputs it makes again. A build after one edit at 4,000 briefings thus
reads ~30 MB instead of ~85 MB (a quarter of a second, read and decoded).

The cache is untrusted input (CI caches travel between machines): a row holds codec.py's
MessagePack, read back against briefgen's own types, never a pickle, and the database records
its format (`codec.FORMAT`). A database of another format, a damaged, truncated or foreign
file, or a cache path that is not a folder is thrown away and made again; a row that does not
decode is a miss; a locked or read-only database leaves the build uncached. Never an error.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from briefgen.build.cachedir import CACHE_DIR
from briefgen.build.codec import FORMAT

DB_NAME = "docs.sqlite3"
_BATCH = 500  # keys per SELECT (under SQLite's smallest limit on parameters), rows per INSERT
_INSERT_MODEL = "INSERT OR REPLACE INTO models VALUES (?, ?)"
_INSERT_PIECES = "INSERT OR REPLACE INTO pieces VALUES (?, ?, ?)"
# Rowid tables, not WITHOUT ROWID: rows are KBs, and a WITHOUT ROWID table keeps them in its
# key's B-tree, so inserting in key (random) order splits pages of big rows; a cold build's
# 4,000 rows took 3x the CPU to write (0.5 s of the parent's, against 0.15 s).
_SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE models (key TEXT PRIMARY KEY, model BLOB)",
    "CREATE TABLE pieces (key TEXT PRIMARY KEY, pieces BLOB, body BLOB)",
)
_TABLES = ("models", "pieces")


class DocCache:
    """Key -> model, and key -> (pieces, body): a ProcessedBriefing as codec bytes. The
    building process touches the database, and the workers it forks only to read pieces or
    to store those made again (prepare.PieceStore), each with its own connection."""

    def __init__(self, site_dir: Path, enabled: bool = True) -> None:
        self.folder = site_dir / CACHE_DIR
        self.path = self.folder / DB_NAME
        self.enabled = enabled
        self.used: set[str] = set()

    def get_many(self, keys: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """The models found, one at a time (key, model)."""
        wanted = list(dict.fromkeys(keys))
        self.used.update(wanted)
        yield from self._select("models", "model", wanted)

    def pieces(self, keys: Iterable[str]) -> Iterator[tuple[str, bytes, bytes]]:
        """The pieces found, one at a time (key, pieces, body)."""
        yield from self._select("pieces", "pieces, body", list(dict.fromkeys(keys)))

    def _select(self, table: str, columns: str, wanted: list[str]) -> Iterator[Any]:
        if not self.enabled or not self.path.is_file() or not wanted:
            return
        try:
            with closing(sqlite3.connect(self.path, timeout=10)) as db:
                if not _ours(db):
                    return  # replaced at the first write
                if len(wanted) > _BATCH:
                    # Most of a site (a warm build): one pass in the table's order reads the
                    # file front to back, about 4x faster than looking keys up in batches, and
                    # prune() leaves few rows that are not wanted.
                    keep = set(wanted)
                    rows = db.execute(f"SELECT key, {columns} FROM {table}")
                    yield from (row for row in rows if row[0] in keep)
                    return
                for i in range(0, len(wanted), _BATCH):
                    batch = wanted[i : i + _BATCH]
                    marks = ",".join("?" * len(batch))
                    yield from db.execute(
                        f"SELECT key, {columns} FROM {table} WHERE key IN ({marks})", batch
                    )
        except sqlite3.Error:
            return  # damaged or locked: what was not found is made again, and rewritten

    def mark_used(self, keys: Iterable[str]) -> None:
        """Keep these entries at prune() time (found elsewhere, in a caller's memory, say)."""
        self.used.update(keys)

    @contextmanager
    def writer(self) -> Iterator[Callable[[str, bytes, bytes, bytes], None]]:
        """`put(key, model, pieces, body)`. Written in batches: few are held in memory at once."""
        pending: list[tuple[str, bytes, bytes, bytes]] = []

        def write(db: sqlite3.Connection) -> None:
            db.executemany(_INSERT_MODEL, ((key, model) for key, model, _, _ in pending))
            db.executemany(_INSERT_PIECES, ((k, pieces, body) for k, _, pieces, body in pending))

        def flush() -> None:
            if pending:
                self._write(write)
                pending.clear()

        def put(key: str, model: bytes, pieces: bytes, body: bytes) -> None:
            self.used.add(key)
            if self.enabled:
                pending.append((key, model, pieces, body))
                if len(pending) >= _BATCH:
                    flush()

        yield put
        flush()

    def prune(self) -> None:
        """Remove entries this build did not use (edited or deleted briefings)."""
        if not self.enabled or not self.path.is_file():
            return

        def delete_unused(db: sqlite3.Connection) -> None:
            for table in _TABLES:
                keys = db.execute(f"SELECT key FROM {table}")
                stale = [(k,) for (k,) in keys if k not in self.used]
                db.executemany(f"DELETE FROM {table} WHERE key = ?", stale)

        self._write(delete_unused)

    def _open(self) -> sqlite3.Connection:
        """A connection to a database of this format, made afresh if it is anything else."""
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA synchronous = OFF")  # a cache: losing it to a crash only costs time
        if _ours(db):
            return db
        db.close()
        self._reset()
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA synchronous = OFF")
        with db:
            for statement in _SCHEMA:
                db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
        return db

    def _write(self, change: Callable[[sqlite3.Connection], object]) -> None:
        if not self._make_folder():
            return
        for attempt in range(2):
            try:
                with closing(self._open()) as db, db:  # `with db`: one transaction
                    change(db)
                return
            except sqlite3.OperationalError:
                return  # locked by another build, or read-only: this build goes uncached
            except sqlite3.DatabaseError:
                if attempt:
                    return
                self._reset()

    def _make_folder(self) -> bool:
        """The cache folder, replacing a file (or anything else) where it should be."""
        shutil.rmtree(self.folder / "docs", ignore_errors=True)  # the layout before SQLite
        shutil.rmtree(self.folder / "templates", ignore_errors=True)  # Jinja's, no longer used
        try:
            if self.folder.is_symlink() or (self.folder.exists() and not self.folder.is_dir()):
                self.folder.unlink()
            self.folder.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and not self.path.is_file():
                shutil.rmtree(self.path) if self.path.is_dir() else self.path.unlink()
        except OSError:
            return False  # cannot be made here (read-only, say): this build goes uncached
        return True

    def _reset(self) -> None:
        """A damaged or foreign database is thrown away: the next write fills a new one."""
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def _ours(db: sqlite3.Connection) -> bool:
    """Whether the database is a cache of this format (else it is made again)."""
    try:
        row = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
        db.execute("SELECT key, model FROM models LIMIT 0")
        db.execute("SELECT key, pieces, body FROM pieces LIMIT 0")
    except sqlite3.Error:
        return False
    return row is not None and row[0] == FORMAT

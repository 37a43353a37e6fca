"""A persistent cache of per-briefing results in `SITE/.briefgen-cache/`.

Entries are keyed by a hash of everything a result depends on (the file's bytes and path, the
site settings, briefgen's code: see digest.py), so a stale entry can never be found: it is
simply unused, and pruned at the end of the build.

Entries live in one SQLite file, written by the parent in a few batched transactions: creating
a file per entry cost about 1 ms each on our disks (4 s of a 4,000-briefing cold build), a row
costs microseconds.

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

from briefgen.build.codec import FORMAT

CACHE_DIR = ".briefgen-cache"
DB_NAME = "docs.sqlite3"
_BATCH = 500  # keys per SELECT (under SQLite's smallest limit on parameters), rows per INSERT
_INSERT = "INSERT OR REPLACE INTO docs VALUES (?, ?, ?)"
# A rowid table, not WITHOUT ROWID: rows are ~20 KB, and a WITHOUT ROWID table keeps them in
# its key's B-tree, so inserting in key (random) order splits pages of big rows; a cold
# build's 4,000 rows took 3x the CPU to write (0.5 s of the parent's, against 0.15 s).
_SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE docs (key TEXT PRIMARY KEY, model BLOB, body BLOB)",
)


class DocCache:
    """Key -> (model, body): a ProcessedBriefing as codec bytes. Only the building process
    touches the database."""

    def __init__(self, site_dir: Path, enabled: bool = True) -> None:
        self.folder = site_dir / CACHE_DIR
        self.path = self.folder / DB_NAME
        self.enabled = enabled
        self.used: set[str] = set()

    def get_many(self, keys: Iterable[str]) -> Iterator[tuple[str, bytes, bytes]]:
        """The entries found, one at a time (a big site's entries are hundreds of MB)."""
        wanted = list(dict.fromkeys(keys))
        self.used.update(wanted)
        if not self.enabled or not self.path.is_file():
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
                    rows = db.execute("SELECT key, model, body FROM docs")
                    yield from (row for row in rows if row[0] in keep)
                    return
                for i in range(0, len(wanted), _BATCH):
                    batch = wanted[i : i + _BATCH]
                    marks = ",".join("?" * len(batch))
                    yield from db.execute(
                        f"SELECT key, model, body FROM docs WHERE key IN ({marks})", batch
                    )
        except sqlite3.Error:
            return  # damaged or locked: what was not found is made again, and rewritten

    def mark_used(self, keys: Iterable[str]) -> None:
        """Keep these entries at prune() time (found elsewhere, in a caller's memory, say)."""
        self.used.update(keys)

    @contextmanager
    def writer(self) -> Iterator[Callable[[str, bytes, bytes], None]]:
        """`put(key, model, body)`. Written in batches: few are held in memory at once."""
        pending: list[tuple[str, bytes, bytes]] = []

        def flush() -> None:
            if pending:
                self._write(lambda db: db.executemany(_INSERT, pending))
                pending.clear()

        def put(key: str, model: bytes, body: bytes) -> None:
            self.used.add(key)
            if self.enabled:
                pending.append((key, model, body))
                if len(pending) >= _BATCH:
                    flush()

        yield put
        flush()

    def prune(self) -> None:
        """Remove entries this build did not use (edited or deleted briefings)."""
        if not self.enabled or not self.path.is_file():
            return

        def delete_unused(db: sqlite3.Connection) -> None:
            stale = [(k,) for (k,) in db.execute("SELECT key FROM docs") if k not in self.used]
            db.executemany("DELETE FROM docs WHERE key = ?", stale)

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
        db.execute("SELECT key, model, body FROM docs LIMIT 0")
    except sqlite3.Error:
        return False
    return row is not None and row[0] == FORMAT

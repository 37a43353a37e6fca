"""A persistent cache of per-briefing results in `SITE/.briefgen-cache/`.

Entries are keyed by a hash of everything a result depends on (the file's bytes and path, the
site settings, briefgen's version), so a stale entry can never be found: it is simply unused,
and pruned at the end of the build.

Entries live in one SQLite file, written by the parent in a few batched transactions: creating
a file per entry cost about 1 ms each on our disks (4 s of a 4,000-briefing cold build), a row
costs microseconds. The cache is disposable: a damaged or locked database is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from briefgen import __version__

CACHE_DIR = ".briefgen-cache"
DB_NAME = "docs.sqlite3"
_BATCH = 500  # keys per SELECT (under SQLite's smallest limit on parameters), rows per INSERT
_INSERT = "INSERT OR REPLACE INTO docs VALUES (?, ?)"


def _code_version() -> str:
    """briefgen's version and its own source: a change to the code invalidates every entry."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


CODE_VERSION = _code_version()


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256(CODE_VERSION.encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class DocCache:
    """Key -> bytes (a pickled result). Only the building process touches the database."""

    def __init__(self, site_dir: Path, enabled: bool = True) -> None:
        self.folder = site_dir / CACHE_DIR
        self.path = self.folder / DB_NAME
        self.enabled = enabled
        self.used: set[str] = set()

    def get_many(self, keys: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """The entries found, one at a time (a big site's entries are hundreds of MB)."""
        wanted = list(dict.fromkeys(keys))
        self.used.update(wanted)
        if not self.enabled or not self.path.is_file():
            return
        try:
            with closing(self._connect()) as db:
                for i in range(0, len(wanted), _BATCH):
                    batch = wanted[i : i + _BATCH]
                    marks = ",".join("?" * len(batch))
                    yield from db.execute(
                        f"SELECT key, value FROM docs WHERE key IN ({marks})", batch
                    )
        except sqlite3.Error:
            return  # damaged or locked: what was not found is made again, and rewritten

    def mark_used(self, keys: Iterable[str]) -> None:
        """Keep these entries at prune() time (found elsewhere, in a caller's memory, say)."""
        self.used.update(keys)

    @contextmanager
    def writer(self) -> Iterator[Callable[[str, bytes], None]]:
        """`put(key, value)`. Values are written in batches: few are held in memory at once."""
        pending: list[tuple[str, bytes]] = []

        def flush() -> None:
            if pending:
                self._write(lambda db: db.executemany(_INSERT, pending))
                pending.clear()

        def put(key: str, value: bytes) -> None:
            self.used.add(key)
            if self.enabled:
                pending.append((key, value))
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

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA synchronous = OFF")  # a cache: losing it to a crash only costs time
        db.execute(
            "CREATE TABLE IF NOT EXISTS docs (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID"
        )
        return db

    def _write(self, change: Callable[[sqlite3.Connection], object]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._drop_old_layout()
        for attempt in range(2):
            try:
                with closing(self._connect()) as db, db:  # `with db`: one transaction
                    change(db)
                return
            except sqlite3.OperationalError:
                return  # locked by another build, or read-only: this build goes uncached
            except sqlite3.DatabaseError:
                if attempt:
                    return
                self._reset()

    def _reset(self) -> None:
        """A damaged database is thrown away: the next build fills a new one."""
        self.path.unlink(missing_ok=True)

    def _drop_old_layout(self) -> None:
        shutil.rmtree(self.folder / "docs", ignore_errors=True)  # the layout before the SQLite file

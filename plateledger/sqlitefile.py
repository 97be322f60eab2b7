"""plateledger's own small SQLite files (access, hot lists, ingest records, dead letters, image links).

Each is one connection guarded by one lock: writes run in BEGIN IMMEDIATE transactions under it, and reads
take the same lock, so the connection is never used by two threads at once. These files are small;
serialising them costs little. WAL with synchronous=FULL: a committed write survives a power loss.
(The read store and the audit ledger have their own connection handling: many readers, one writer.)
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def open_sqlite_file(path: str | Path, *, foreign_keys: bool = False) -> sqlite3.Connection:
    """A connection shared across threads (under the caller's lock), in WAL mode with durable commits."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout = 10000")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    if foreign_keys:
        connection.execute("PRAGMA foreign_keys = ON")
    return connection


class SqliteFile:
    """One SQLite file, one connection, one lock; `prepare` creates or migrates the schema."""

    def __init__(self, path: str | Path, prepare: Callable[[sqlite3.Connection], object]) -> None:
        self.path = Path(path)
        self._connection = open_sqlite_file(self.path, foreign_keys=True)
        self._lock = threading.RLock()
        with self._lock:
            prepare(self._connection)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._connection

    def close(self) -> None:
        with self._lock:
            self._connection.close()

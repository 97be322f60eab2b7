"""The access database: agencies' policies, users, sessions, API keys, approvals and failed logins.

Its own SQLite file (DIR/access.db), apart from the reads and the audit ledger. One connection, guarded by one
lock: every write runs in a BEGIN IMMEDIATE transaction under it (the write lock), and reads take the same lock
so the connection is never used from two threads at once. Access data is small; serialising it costs little.
Durability: WAL with synchronous=FULL, so a committed login, lockout or approval survives a power loss.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from plateledger.access.migrations import migrate


class AccessDatabase:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._connection.execute("PRAGMA busy_timeout = 10000")
        self._connection.execute("PRAGMA journal_mode = WAL")
        self._connection.execute("PRAGMA synchronous = FULL")
        self._connection.execute("PRAGMA foreign_keys = ON")
        self._lock = threading.RLock()
        with self._lock:
            migrate(self._connection)

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

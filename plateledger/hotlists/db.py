"""The hot-list database: one SQLite file (DIR/hotlists.db), one connection guarded by one lock.

Writes run in BEGIN IMMEDIATE transactions under the lock; reads take the same lock, so the connection is never
used by two threads at once. The matching itself never touches this file: it runs on an in-memory index.
"""

from __future__ import annotations

from pathlib import Path

from plateledger.hotlists.schema import migrate
from plateledger.sqlitefile import SqliteFile


class HotlistDatabase(SqliteFile):
    def __init__(self, path: str | Path) -> None:
        super().__init__(path, migrate)

"""The access database: agencies' policies, users, sessions, API keys, approvals and failed logins.

Its own SQLite file (DIR/access.db), apart from the reads and the audit ledger. One connection, guarded by one
lock: every write runs in a BEGIN IMMEDIATE transaction under it (the write lock), and reads take the same lock
so the connection is never used from two threads at once. Access data is small; serialising it costs little.
Durability: WAL with synchronous=FULL, so a committed login, lockout or approval survives a power loss.
"""

from __future__ import annotations

from pathlib import Path

from plateledger.access.migrations import migrate
from plateledger.sqlitefile import SqliteFile


class AccessDatabase(SqliteFile):
    def __init__(self, path: str | Path) -> None:
        super().__init__(path, migrate)

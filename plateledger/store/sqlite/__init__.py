"""The embedded SQLite backend."""

from plateledger.store.sqlite.store import SqliteReadStore

__all__ = ["SqliteReadStore"]

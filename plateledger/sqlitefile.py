"""plateledger's own small SQLite files (access, hot lists, ingest records, dead letters, images): `SqliteFile`.

Each is one connection guarded by one lock: writes run in BEGIN IMMEDIATE transactions under it, and reads
take the same lock, so the connection is never used by two threads at once. These files are small;
serialising them costs little. WAL with synchronous=FULL: a committed write survives a power loss.

Writers in other processes (server workers, a command beside the server) queue on `writer_lock(path)`, a
flock, before BEGIN IMMEDIATE: the kernel wakes the next writer the moment the lock is free, where SQLite's
busy handler would poll it after sleeps of 1 to 100 ms (with two workers ingesting, those sleeps left a
fifth of the machine idle).
(The read store and the audit ledger have their own connection handling: many readers, one writer.)
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from plateledger.processlock import ProcessLock
from plateledger.store.contract import SchemaTooNew
from plateledger.walcheckpoint import BackgroundCheckpointer, hand_over_checkpoints


def writer_lock(path: Path) -> ProcessLock:
    """The lock every writer of the SQLite file at `path` takes, in any process, around its write transaction."""
    return ProcessLock(path.with_name(path.name + ".write-lock"))


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


def migrate_file(
    connection: sqlite3.Connection, migrations: Sequence[str], what: str, target: int | None = None
) -> int:
    """Bring a file from its `PRAGMA user_version` up to `target` (default: every migration); return the version
    found. Migration N (1-based) takes version N-1 to N, in one transaction with its version bump. A file from a
    newer plateledger is refused before anything is touched: this code cannot know what its schema means."""
    path = connection.execute("PRAGMA database_list").fetchone()[2]
    with writer_lock(Path(path)) if path else nullcontext():  # processes starting together migrate in turn
        return _migrate(connection, migrations, what, target)


def _migrate(connection: sqlite3.Connection, migrations: Sequence[str], what: str, target: int | None) -> int:
    known = len(migrations)
    found = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if found > known:
        raise SchemaTooNew(
            f"this {what} has schema version {found}, but this plateledger knows versions up to {known}: "
            "upgrade plateledger to open it"
        )
    for version in range(found + 1, (known if target is None else target) + 1):
        # executescript commits first; the whole step plus the version bump then runs as one transaction.
        try:
            connection.executescript(
                f"BEGIN IMMEDIATE;\n{migrations[version - 1]}\n;PRAGMA user_version = {version};\nCOMMIT;"
            )
        except sqlite3.Error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    return found


class SqliteFile:
    """One SQLite file, one connection, one lock; `prepare` creates or migrates the schema."""

    def __init__(
        self,
        path: str | Path,
        prepare: Callable[[sqlite3.Connection], object],
        *,
        foreign_keys: bool = True,
        background_checkpoints: bool = False,
    ) -> None:
        self.path = Path(path)
        self._connection = open_sqlite_file(self.path, foreign_keys=foreign_keys)
        self._lock = threading.RLock()
        self._writers = writer_lock(self.path)
        with self._lock:
            prepare(self._connection)
        self._checkpointer: BackgroundCheckpointer | None = None
        if background_checkpoints:  # the busy ingest files: no commit waits for a checkpoint
            hand_over_checkpoints(self._connection)
            self._checkpointer = BackgroundCheckpointer(self.path)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self._lock, self._writers:
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

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """All rows of one read statement."""
        with self._lock:
            return self._connection.execute(sql, parameters).fetchall()

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
        with self._lock:
            self._connection.close()

"""The ledger's own SQLite file: connection pragmas, versioned schema (PRAGMA user_version), append-only triggers.

The ledger never shares a file with the reads store, so no purge or migration of reads can reach it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from plateledger.audit.chain import GENESIS_HASH


class LedgerVersionError(RuntimeError):
    """The file was written by a newer plateledger; opening it with this one could lose fields."""


_V1 = [
    """
    CREATE TABLE entries (
        seq           INTEGER PRIMARY KEY,
        ts_ms         INTEGER NOT NULL,
        ts_iso        TEXT NOT NULL,
        user          TEXT,
        agency        TEXT,
        action        TEXT NOT NULL,
        parameters    TEXT NOT NULL,
        plate         TEXT,
        purpose       TEXT,
        case_number   TEXT,
        justification TEXT,
        result_count  INTEGER,
        outcome       TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused')),
        reason        TEXT NOT NULL,
        prev_hash     TEXT NOT NULL,
        entry_hash    TEXT NOT NULL UNIQUE,
        version       INTEGER NOT NULL
    )
    """,
    "CREATE INDEX entries_by_user ON entries (user, seq)",
    "CREATE INDEX entries_by_agency ON entries (agency, seq)",
    "CREATE INDEX entries_by_plate ON entries (plate, seq) WHERE plate IS NOT NULL",
    "CREATE INDEX entries_by_case ON entries (case_number, seq) WHERE case_number IS NOT NULL",
    "CREATE INDEX entries_by_action_time ON entries (action, ts_ms)",
    "CREATE INDEX entries_by_time ON entries (ts_ms)",
    # The head: one row naming the last entry, updated in the same transaction as each append, so that removing
    # entries from the end leaves a head that points past the chain.
    """
    CREATE TABLE head (
        id        INTEGER PRIMARY KEY CHECK (id = 1),
        last_seq  INTEGER NOT NULL,
        last_hash TEXT NOT NULL
    )
    """,
    f"INSERT INTO head (id, last_seq, last_hash) VALUES (1, 0, '{GENESIS_HASH}')",
    # Defence in depth. Verification never relies on these: it detects edits made with the triggers dropped.
    """
    CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: DELETE refused'); END
    """,
    """
    CREATE TRIGGER entries_append_only BEFORE INSERT ON entries
    WHEN NEW.seq IS NOT (SELECT last_seq + 1 FROM head WHERE id = 1)
      OR NEW.prev_hash IS NOT (SELECT last_hash FROM head WHERE id = 1)
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: an insert must extend the head'); END
    """,
    """
    CREATE TRIGGER head_no_delete BEFORE DELETE ON head
    BEGIN SELECT RAISE(ABORT, 'the audit head record cannot be deleted'); END
    """,
    """
    CREATE TRIGGER head_advance_only BEFORE UPDATE ON head
    WHEN NEW.id IS NOT OLD.id OR NEW.last_seq IS NOT OLD.last_seq + 1
      OR NEW.last_hash IS NOT (SELECT entry_hash FROM entries WHERE seq = NEW.last_seq)
    BEGIN SELECT RAISE(ABORT, 'the audit head only advances to the newest entry'); END
    """,
]

MIGRATIONS: tuple[tuple[str, ...], ...] = (tuple(_V1),)
"""MIGRATIONS[n] takes the file from user_version n to n + 1. Append only; never edit a released step."""

SCHEMA_VERSION = len(MIGRATIONS)

TRIGGERS: tuple[str, ...] = (
    "entries_no_update",
    "entries_no_delete",
    "entries_append_only",
    "head_no_delete",
    "head_advance_only",
)


def connect(path: str | Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection with the ledger's pragmas: WAL, synchronous=FULL (a commit survives power loss)."""
    if read_only:
        uri = f"{Path(path).resolve().as_uri()}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout = 30000")
    if not read_only:
        connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the file up to SCHEMA_VERSION, each step in its own transaction; return the version reached."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = _user_version(connection)
        if version > SCHEMA_VERSION:
            raise LedgerVersionError(f"audit ledger schema {version} is newer than this plateledger ({SCHEMA_VERSION})")
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[step]:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {step + 1}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION


def check_version(connection: sqlite3.Connection) -> None:
    """For read-only use: refuse a file this version cannot read faithfully."""
    version = _user_version(connection)
    if version != SCHEMA_VERSION:
        raise LedgerVersionError(f"audit ledger schema {version}; this plateledger reads {SCHEMA_VERSION}")


def missing_triggers(connection: sqlite3.Connection) -> list[str]:
    """The append-only triggers that are no longer in the file."""
    present = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return [name for name in TRIGGERS if name not in present]


def _user_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])

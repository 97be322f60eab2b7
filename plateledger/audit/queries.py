"""Every SQL statement that reads or appends entries, and the mapping between rows and entries."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from plateledger.audit.chain import StoredEntry, canonical_json, plate_key
from plateledger.audit.types import AuditEntry

COLUMNS = (
    "seq, ts_ms, ts_iso, user, agency, action, parameters, plate, purpose, case_number, justification, "
    "result_count, outcome, reason, prev_hash, entry_hash, version"
)

INSERT_ENTRY = f"INSERT INTO entries ({COLUMNS}) VALUES ({', '.join('?' * 17)})"
ADVANCE_HEAD = "UPDATE head SET last_seq = ?, last_hash = ? WHERE id = 1"
READ_HEAD = "SELECT last_seq, last_hash FROM head WHERE id = 1"


@dataclass(frozen=True)
class EntryFilter:
    """Which entries to list; every field narrows the result, None means "any"."""

    user: str | None = None
    agency: str | None = None
    plate: str | None = None
    case_number: str | None = None
    action: str | None = None
    since_ms: int | None = None  # inclusive
    until_ms: int | None = None  # exclusive
    after_seq: int = 0

    def where(self) -> tuple[str, list[Any]]:
        """The WHERE clause (always at least ``seq > after_seq``) and its parameters."""
        clauses = ["seq > ?"]
        values: list[Any] = [self.after_seq]
        for column, value in (
            ("user", self.user),
            ("agency", self.agency),
            ("case_number", self.case_number),
            ("action", self.action),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                values.append(value)
        if self.plate is not None:
            clauses.append("plate = ?")
            values.append(plate_key(self.plate) or "")
        if self.since_ms is not None:
            clauses.append("ts_ms >= ?")
            values.append(self.since_ms)
        if self.until_ms is not None:
            clauses.append("ts_ms < ?")
            values.append(self.until_ms)
        return " AND ".join(clauses), values


def insert_values(entry: AuditEntry) -> tuple[Any, ...]:
    """The INSERT_ENTRY parameters for an entry (parameters stored as canonical JSON text)."""
    return (
        entry.seq,
        entry.ts_ms,
        entry.ts_iso,
        entry.user,
        entry.agency,
        entry.action,
        canonical_json(entry.parameters),
        plate_key(entry.parameters.get("plate")),
        entry.purpose,
        entry.case_number,
        entry.justification,
        entry.result_count,
        entry.outcome,
        entry.reason,
        entry.prev_hash,
        entry.entry_hash,
        entry.version,
    )


def select_entries(connection: sqlite3.Connection, where: EntryFilter, limit: int) -> list[AuditEntry]:
    """Entries matching ``where`` in ascending sequence order, at most ``limit``."""
    clause, values = where.where()
    sql = f"SELECT {COLUMNS} FROM entries WHERE {clause} ORDER BY seq LIMIT ?"
    return [to_stored(row).entry for row in connection.execute(sql, [*values, limit])]


def read_head(connection: sqlite3.Connection) -> tuple[int, str] | None:
    """(last_seq, last_hash) from the head record, or None when the record is gone."""
    row = connection.execute(READ_HEAD).fetchone()
    return None if row is None else (row[0], row[1])


def stream_all(connection: sqlite3.Connection, batch: int = 5000) -> Iterator[StoredEntry]:
    """Every stored row in ascending sequence order, decoded without trusting or coercing anything."""
    cursor = connection.execute(f"SELECT {COLUMNS} FROM entries ORDER BY seq")
    while rows := cursor.fetchmany(batch):
        for row in rows:
            yield to_stored(row)


def seq_of_hash(connection: sqlite3.Connection, digest: str) -> int | None:
    """Which entry carries ``digest`` as its hash (0 for the genesis value is handled by the caller)."""
    row = connection.execute("SELECT seq FROM entries WHERE entry_hash = ? LIMIT 1", (digest,)).fetchone()
    return None if row is None else row[0]


def to_stored(row: tuple[Any, ...]) -> StoredEntry:
    """Decode one row; a value that cannot be decoded is reported as damage, never repaired."""
    damage = ""
    parameters: Any
    try:
        parameters = json.loads(row[6])
    except (TypeError, ValueError):
        parameters, damage = {}, "parameters are not valid JSON"
    if not isinstance(parameters, dict):
        parameters, damage = {}, "parameters are not a JSON object"
    entry = AuditEntry(
        seq=row[0],
        ts_ms=row[1],
        ts_iso=row[2],
        user=row[3],
        agency=row[4],
        action=row[5],
        parameters=parameters,
        purpose=row[8],
        case_number=row[9],
        justification=row[10],
        result_count=row[11],
        outcome=row[12],
        reason=row[13],
        prev_hash=row[14],
        entry_hash=row[15],
        version=row[16],
    )
    return StoredEntry(entry=entry, plate_column=row[7], damage=damage)

"""Dead letters: payloads that could not be parsed, kept whole in their own SQLite file.

The sender is answered 422 with the field and reason; the payload (bytes, content type, adapter, camera and
credential, reason, time, and any uploaded files) waits here until an operator reprocesses it with a fixed
adapter or mapping (`plateledger deadletters reprocess`), or discards it. Nothing is deleted: a discarded
letter stays, marked with who discarded it and why. A data directory keeps them in DIR/deadletters.db.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from plateledger.ingest.model import IngestContext
from plateledger.reads import now_ms
from plateledger.sqlitefile import SqliteFile

Status = Literal["pending", "reprocessed", "discarded"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dead_letters (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    received_ms   INTEGER NOT NULL,
    adapter       TEXT NOT NULL,
    source        TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    camera_id     TEXT,
    credential_id TEXT,
    context       TEXT NOT NULL,
    field         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    body          BLOB NOT NULL,
    form          TEXT,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'reprocessed', 'discarded')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_attempt_ms INTEGER,
    resolved_ms   INTEGER,
    resolution    TEXT
);
CREATE INDEX IF NOT EXISTS dead_letters_by_status ON dead_letters (status, id);
CREATE TABLE IF NOT EXISTS dead_letter_files (
    letter_id    INTEGER NOT NULL REFERENCES dead_letters (id),
    name         TEXT NOT NULL,
    data         BLOB NOT NULL,
    PRIMARY KEY (letter_id, name)
);
"""
_COLUMNS = (
    "id, received_ms, adapter, source, content_type, camera_id, credential_id, context, field, reason, "
    "status, attempts, last_attempt_ms, resolved_ms, resolution, length(body)"
)


@dataclass(slots=True)
class DeadLetter:
    id: int
    received_ms: int
    adapter: str
    source: str
    content_type: str
    camera_id: str | None
    credential_id: str | None
    context: IngestContext
    field: str
    reason: str
    status: Status
    attempts: int
    last_attempt_ms: int | None
    resolved_ms: int | None
    resolution: dict[str, Any] | None
    size: int
    body: bytes = b""
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


class DeadLetterNotFound(KeyError):
    pass


class DeadLetterStore(SqliteFile):
    def __init__(self, path: str | Path) -> None:
        super().__init__(path, lambda connection: connection.executescript(_SCHEMA), foreign_keys=False)

    def add(
        self,
        *,
        adapter: str,
        body: bytes,
        content_type: str,
        context: IngestContext,
        field_name: str,
        reason: str,
        source: str = "http",
        form: Mapping[str, str] | None = None,
        files: Mapping[str, bytes] | None = None,
    ) -> int:
        """Keep a payload that could not be parsed; return its dead-letter id. Durable when this returns."""
        with self.write() as connection:
            cursor = connection.execute(
                "INSERT INTO dead_letters (received_ms, adapter, source, content_type, camera_id, credential_id, "
                "context, field, reason, body, form) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    context.received_ms,
                    adapter,
                    source,
                    content_type,
                    context.camera.id if context.camera else None,
                    context.credential_id,
                    json.dumps(context.to_dict(), sort_keys=True),
                    field_name,
                    reason,
                    bytes(body),
                    None if form is None else json.dumps(dict(form), sort_keys=True),
                ),
            )
            letter_id = int(cursor.lastrowid or 0)
            connection.executemany(
                "INSERT INTO dead_letter_files (letter_id, name, data) VALUES (?, ?, ?)",
                [(letter_id, name, bytes(data)) for name, data in (files or {}).items()],
            )
        return letter_id

    def _letter(self, row: tuple[Any, ...]) -> DeadLetter:
        resolution = row[14]
        return DeadLetter(
            id=row[0],
            received_ms=row[1],
            adapter=row[2],
            source=row[3],
            content_type=row[4],
            camera_id=row[5],
            credential_id=row[6],
            context=IngestContext.from_dict(json.loads(row[7])),
            field=row[8],
            reason=row[9],
            status=row[10],
            attempts=row[11],
            last_attempt_ms=row[12],
            resolved_ms=row[13],
            resolution=None if resolution is None else json.loads(resolution),
            size=row[15],
        )

    def list(self, status: Status | None = "pending", limit: int = 1000) -> list[DeadLetter]:
        """Letters without their bodies, oldest first; status None lists every letter."""
        if status is None:
            rows = self.query(f"SELECT {_COLUMNS} FROM dead_letters ORDER BY id LIMIT ?", (limit,))
        else:
            rows = self.query(
                f"SELECT {_COLUMNS} FROM dead_letters WHERE status = ? ORDER BY id LIMIT ?", (status, limit)
            )
        return [self._letter(row) for row in rows]

    def get(self, letter_id: int) -> DeadLetter:
        """One letter with its body, form fields and files."""
        found = self.query(f"SELECT {_COLUMNS}, body, form FROM dead_letters WHERE id = ?", (letter_id,))
        if not found:
            raise DeadLetterNotFound(f"dead letter {letter_id} does not exist")
        row = found[0]
        letter = self._letter(row[:16])
        letter.body = bytes(row[16])
        letter.form = json.loads(row[17]) if row[17] else {}
        letter.files = {
            name: bytes(data)
            for name, data in self.query(
                "SELECT name, data FROM dead_letter_files WHERE letter_id = ? ORDER BY name", (letter_id,)
            )
        }
        return letter

    def _update(self, sql: str, parameters: tuple[Any, ...]) -> None:
        with self.write() as connection:
            cursor = connection.execute(sql, parameters)
        if cursor.rowcount != 1:
            raise DeadLetterNotFound(f"dead letter {parameters[-1]} does not exist")

    def mark_reprocessed(self, letter_id: int, summary: dict[str, Any]) -> None:
        stamp = now_ms()
        self._update(
            "UPDATE dead_letters SET status = 'reprocessed', attempts = attempts + 1, last_attempt_ms = ?, "
            "resolved_ms = ?, resolution = ? WHERE id = ?",
            (stamp, stamp, json.dumps(summary, sort_keys=True), letter_id),
        )

    def mark_failed_again(self, letter_id: int, field_name: str, reason: str) -> None:
        """A reprocessing attempt that failed: the letter stays pending with the new reason."""
        self._update(
            "UPDATE dead_letters SET attempts = attempts + 1, last_attempt_ms = ?, field = ?, reason = ? WHERE id = ?",
            (now_ms(), field_name, reason, letter_id),
        )

    def discard(self, letter_id: int, note: str, by: str | None = None) -> None:
        """Mark a letter as not to be reprocessed; it is kept, with who discarded it and why."""
        letter = self.get(letter_id)
        if letter.status != "pending":
            raise ValueError(f"dead letter {letter_id} is {letter.status}, not pending")
        self._update(
            "UPDATE dead_letters SET status = 'discarded', resolved_ms = ?, resolution = ? WHERE id = ?",
            (now_ms(), json.dumps({"discarded": note, "by": by}, sort_keys=True), letter_id),
        )

    def counts(self) -> dict[str, int]:
        return dict(self.query("SELECT status, count(*) FROM dead_letters GROUP BY status"))

"""Ingest's own small SQLite file beside the read store: read extras, camera liveness, bulk import progress.

The read store keeps reads; what sources say beyond the read (vehicle attributes, direction of travel, the
source's group and frame ids), when cameras were last heard from, and how far each bulk import got live here,
so that the store's schema stays its own. A data directory keeps it in DIR/ingest.db.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plateledger.ingest.model import Liveness, ReadExtras
from plateledger.reads import now_ms
from plateledger.sqlitefile import SqliteFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS read_extras (
    read_id   INTEGER PRIMARY KEY,
    adapter   TEXT NOT NULL,
    extras    TEXT NOT NULL,
    stored_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS camera_liveness (
    camera_id TEXT PRIMARY KEY,
    seen_ms   INTEGER NOT NULL,
    source    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    beats     INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS import_progress (
    file_sha256 TEXT PRIMARY KEY,
    path        TEXT NOT NULL,
    rows_done   INTEGER NOT NULL,
    rows_total  INTEGER,
    finished    INTEGER NOT NULL DEFAULT 0,
    updated_ms  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS import_rejects (
    file_sha256 TEXT NOT NULL,
    row         INTEGER NOT NULL,
    field       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (file_sha256, row)
) WITHOUT ROWID;
"""

_KEEP_EXTRAS = "INSERT OR IGNORE INTO read_extras (read_id, adapter, extras, stored_ms) VALUES (?, ?, ?, ?)"
_RECORD_LIVENESS = (
    "INSERT INTO camera_liveness (camera_id, seen_ms, source, detail) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (camera_id) DO UPDATE SET beats = beats + 1, "
    "seen_ms = max(seen_ms, excluded.seen_ms), source = excluded.source, detail = excluded.detail"
)


@dataclass(frozen=True, slots=True)
class CameraSeen:
    camera_id: str
    seen_ms: int
    source: str
    detail: dict[str, Any]
    beats: int


@dataclass(frozen=True, slots=True)
class ImportProgress:
    file_sha256: str
    path: str
    rows_done: int
    rows_total: int | None
    finished: bool


class IngestRecords(SqliteFile):
    def __init__(self, path: str | Path) -> None:
        super().__init__(
            path,
            lambda connection: connection.executescript(_SCHEMA),
            foreign_keys=False,
            background_checkpoints=True,  # written by every ingest post
        )

    def _write(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.write() as connection:
            connection.executemany(sql, rows)

    # -- extras and liveness ---------------------------------------------------------------------------------------
    def keep_batch(
        self, extras: Sequence[tuple[str, int, ReadExtras]], liveness: Sequence[tuple[str, Liveness]] = ()
    ) -> None:
        """Extras (adapter, read id, extras) and liveness (source, beat) of many payloads in one transaction:
        ingest's group commit. A read that has extras already keeps its first ones; a camera's liveness keeps
        its newest time and counts the beats."""
        if not extras and not liveness:
            return
        stamp = now_ms()
        with self.write() as connection:
            connection.executemany(
                _KEEP_EXTRAS,
                [
                    (read_id, adapter, json.dumps(kept.to_dict(), sort_keys=True), stamp)
                    for adapter, read_id, kept in extras
                ],
            )
            connection.executemany(
                _RECORD_LIVENESS,
                [(b.camera_id, b.seen_ms, source, json.dumps(b.detail, sort_keys=True)) for source, b in liveness],
            )

    def extras_for(self, read_id: int) -> ReadExtras | None:
        rows = self.query("SELECT extras FROM read_extras WHERE read_id = ?", (read_id,))
        return ReadExtras.from_dict(json.loads(rows[0][0])) if rows else None

    def last_seen(self, camera_id: str) -> CameraSeen | None:
        rows = self.query(
            "SELECT camera_id, seen_ms, source, detail, beats FROM camera_liveness WHERE camera_id = ?", (camera_id,)
        )
        if not rows:
            return None
        row = rows[0]
        return CameraSeen(row[0], row[1], row[2], json.loads(row[3]), row[4])

    # -- bulk import -----------------------------------------------------------------------------------------------
    def import_progress(self, file_sha256: str) -> ImportProgress | None:
        rows = self.query(
            "SELECT file_sha256, path, rows_done, rows_total, finished FROM import_progress WHERE file_sha256 = ?",
            (file_sha256,),
        )
        return ImportProgress(*rows[0][:4], bool(rows[0][4])) if rows else None

    def record_import_progress(
        self, file_sha256: str, path: str, rows_done: int, rows_total: int | None, finished: bool = False
    ) -> None:
        """Written after each committed batch: a crash before this write only replays that batch."""
        self._write(
            "INSERT INTO import_progress (file_sha256, path, rows_done, rows_total, finished, updated_ms) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (file_sha256) DO UPDATE SET path = excluded.path, "
            "rows_done = max(rows_done, excluded.rows_done), rows_total = excluded.rows_total, "
            "finished = excluded.finished, updated_ms = excluded.updated_ms",
            [(file_sha256, path, rows_done, rows_total, int(finished), now_ms())],
        )

    def replace_rejects(self, file_sha256: str, rows: Sequence[int], rejects: Iterable[tuple[int, str, str]]) -> None:
        """The refusals of a batch of rows, in place of any earlier ones for those rows (a retried row that is
        stored now loses its refusal)."""
        with self.write() as connection:
            connection.executemany(
                "DELETE FROM import_rejects WHERE file_sha256 = ? AND row = ?", [(file_sha256, r) for r in rows]
            )
            connection.executemany(
                "INSERT OR REPLACE INTO import_rejects (file_sha256, row, field, reason) VALUES (?, ?, ?, ?)",
                [(file_sha256, row, field_name, reason) for row, field_name, reason in rejects],
            )

    def rejects(self, file_sha256: str) -> list[tuple[int, str, str]]:
        rows = self.query(
            "SELECT row, field, reason FROM import_rejects WHERE file_sha256 = ? ORDER BY row", (file_sha256,)
        )
        return [(row, field_name, reason) for row, field_name, reason in rows]

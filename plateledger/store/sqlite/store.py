"""The embedded SQLite read store: one file holds an agency's reads, registry and plate dictionary.

Layout (see docs/architecture.md for the measurements behind it):
- passes, not reads, are rows: the frames of a pass are packed in one row (store/frames.py);
- plates are integer ids into a dictionary of distinct plates, which also carries the confusable skeleton
  (near search) and a trigram index (wildcard search);
- two indexes on passes: (plate, first_ms) for plate history and (cell, first_ms) for area search.
One writer at a time (a lock in this process, SQLite's lock across processes); readers run in parallel in WAL
mode, each thread on its own connection. The searches themselves are shared with PostgreSQL (store/pass_store.py).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from plateledger.reads import BatchResult, NewRead, now_ms, validate_batch
from plateledger.search.patterns import has_trigram, trigram_alternatives
from plateledger.sqlitefile import writer_lock
from plateledger.store.contract import TimeWindow
from plateledger.store.paging import window_bounds
from plateledger.store.pass_store import Box, PassStore, Selection
from plateledger.store.sqlite.connection import connect
from plateledger.store.sqlite.dictionary import PlateDictionary, RegionDictionary
from plateledger.store.sqlite.reader import PASS_COLUMNS, PassReader, PassRow
from plateledger.store.sqlite.registry import Registry
from plateledger.store.sqlite.schema import check_not_newer, migrate
from plateledger.store.sqlite.writer import BatchWriter
from plateledger.walcheckpoint import BackgroundCheckpointer, hand_over_checkpoints


def _marks(values: Collection[object]) -> str:
    return ",".join("?" * len(values))


class SqliteReadStore(PassStore):
    def __init__(self, path: str | Path, *, cache_mib: int = 256, default_country: str = "US") -> None:
        self.path = Path(path)
        self.default_country = default_country
        self._cache_mib = cache_mib
        check_not_newer(str(self.path))  # before connecting: opening in WAL mode would change the file
        self._writer = connect(self.path, cache_mib=cache_mib)
        try:
            migrate(self._writer)
        except BaseException:
            self._writer.close()
            raise
        hand_over_checkpoints(self._writer)  # no commit waits for a checkpoint
        self._checkpointer = BackgroundCheckpointer(self.path)
        self._write_lock = writer_lock(self.path)  # this process's threads and other processes, in turn
        self._readers = threading.local()
        self._registry = Registry()
        self._plates = PlateDictionary()
        self._regions = RegionDictionary()
        self._reader = PassReader(self._registry, self._plates, self._regions)
        self._writer_path = BatchWriter(self._registry, self._plates, self._regions)
        self._registry.load(self._writer)
        self._regions.load(self._writer)

    # -- connections ----------------------------------------------------------------------------------------
    def _read_connection(self) -> sqlite3.Connection:
        connection = getattr(self._readers, "connection", None)
        if connection is None:
            connection = connect(self.path, cache_mib=self._cache_mib)
            self._readers.connection = connection
        return connection

    def close(self) -> None:
        self._checkpointer.close()
        self._writer.close()
        connection = getattr(self._readers, "connection", None)
        if connection is not None:
            connection.close()

    def _write(self, action: Any, *args: Any) -> None:
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                action(self._writer, *args)
            except BaseException:
                self._writer.execute("ROLLBACK")
                self._registry.load(self._writer)
                raise
            self._writer.execute("COMMIT")

    def _append(self, reads: Sequence[NewRead]) -> BatchResult:
        accepted, refused = validate_batch(reads, now_ms(), self.default_country)
        result = BatchResult(refused=refused)
        placed = self._writer_path.check_cameras(self._read_connection(), accepted, result.refused)
        if not placed:
            return result
        with self._write_lock:
            connection = self._writer
            connection.execute("BEGIN IMMEDIATE")
            try:
                placed = self._writer_path.drop_duplicates(connection, placed, result)
                if placed:
                    self._writer_path.write(connection, placed, result)
            except BaseException:
                connection.execute("ROLLBACK")
                self._writer_path.forget()
                result.stored.clear()
                raise
            connection.execute("COMMIT")
        return result

    # -- the SQL of the shared searches --------------------------------------------------------------------------
    def _pass_row(self, connection: sqlite3.Connection, pass_id: int) -> PassRow | None:
        return connection.execute(f"SELECT {PASS_COLUMNS} FROM passes WHERE id = ?", (pass_id,)).fetchone()

    def _plate_selections(self, plate_ids: Collection[int], window: TimeWindow) -> list[Selection]:
        low, high = window_bounds(window)
        ids = list(plate_ids)
        return [
            (
                f"SELECT id, first_ms FROM passes WHERE plate IN ({_marks(ids)}) AND first_ms BETWEEN ? AND ? "
                "AND {keyset}",
                [*ids, low, high],
            ),
            (
                "SELECT id, first_ms FROM (SELECT pass AS id, first_ms FROM pass_plates "
                f"WHERE plate IN ({_marks(ids)}) AND first_ms BETWEEN ? AND ?) WHERE {{keyset}}",
                [*ids, low, high],
            ),
        ]

    def _plates_with_skeletons(
        self, connection: sqlite3.Connection, skeletons: list[str]
    ) -> Iterable[tuple[int, str, str]]:
        for start in range(0, len(skeletons), 900):
            chunk = skeletons[start : start + 900]
            yield from connection.execute(
                f"SELECT id, plate, skeleton FROM plates WHERE skeleton IN ({_marks(chunk)})", chunk
            )

    def _wildcard_plate_ids(self, connection: sqlite3.Connection, parsed: str, cap: int) -> list[int]:
        alternatives = None if has_trigram(parsed) else trigram_alternatives(parsed)
        if alternatives is None:
            # Three fixed characters in a row (the trigram index answers), or no spot to expand: a scan of the
            # distinct plates, never of the reads.
            query, parameters = "SELECT rowid FROM plate_trigrams WHERE plate GLOB ? LIMIT ?", (parsed, cap)
        else:
            query = "SELECT rowid FROM plate_trigrams WHERE plate_trigrams MATCH ? AND plate GLOB ? LIMIT ?"
            parameters = (" OR ".join(f'"{trigram}"' for trigram in alternatives), parsed, cap)  # type: ignore[assignment]
        return [row[0] for row in connection.execute(query, parameters)]

    def _area_selection(self, cell: int, low: int, high: int, sites: list[int], box: Box) -> Selection:
        return (
            "SELECT id, first_ms FROM passes WHERE cell = ? AND first_ms BETWEEN ? AND ? "
            f"AND (site IN ({_marks(sites)}) OR lat_e6 BETWEEN ? AND ? AND lon_e6 BETWEEN ? AND ?) AND {{keyset}}",
            [cell, low, high, *sites, *box],
        )

"""The PostgreSQL read store: the SQLite layout (passes with packed frames, integer plates) in a schema.

Layout and search semantics are those of store/sqlite (see docs/architecture.md); what differs:
- wildcard search uses pg_trgm: a GIN `gin_trgm_ops` index on plates.plate answers the pattern as LIKE;
- one writer at a time: a lock in this process, and `LOCK TABLE passes IN SHARE ROW EXCLUSIVE MODE` in each
  append transaction across processes. That mode conflicts with itself and with plain writes, not with
  reads, so pass ids (max + 1), plate ids and the source-id duplicate check are all safe, and searches run on;
- readers use one autocommit connection per thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

import psycopg
from psycopg import sql

from plateledger.reads import BatchResult, NewRead, now_ms, validate_batch
from plateledger.store.contract import TimeWindow
from plateledger.store.paging import window_bounds
from plateledger.store.pass_store import Box, PassStore
from plateledger.store.postgres.connection import connect
from plateledger.store.postgres.dictionary import PostgresPlateDictionary, PostgresRegionDictionary
from plateledger.store.postgres.reader import PostgresPassReader, Selection
from plateledger.store.postgres.registry import REGISTRY_TABLES, PostgresRegistry
from plateledger.store.postgres.schema import check_not_newer, migrate
from plateledger.store.postgres.writer import PostgresBatchWriter
from plateledger.store.sqlite.reader import PASS_COLUMNS, PassRow


def wildcard_like(parsed: str) -> str:
    """A parsed wildcard (only A-Z, 0-9, `?`, `*`) as a LIKE pattern: nothing else needs escaping."""
    return parsed.replace("?", "_").replace("*", "%")


class PostgresReadStore(PassStore):
    def __init__(self, dsn: str, *, schema: str | None = None, default_country: str = "US") -> None:
        self.dsn = dsn
        self.schema = schema
        self.default_country = default_country
        self._search_path = [schema] if schema else None
        self._writer = connect(dsn, self._search_path)
        try:
            check_not_newer(self._writer)  # before anything is created or changed
            if schema:
                self._writer.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            migrate(self._writer)
        except BaseException:
            self._writer.close()
            raise
        self._write_lock = threading.Lock()
        self._readers = threading.local()
        self._reader_connections: list[psycopg.Connection] = []
        self._readers_lock = threading.Lock()  # not the write lock: a new reader never waits for an append
        self._registry = PostgresRegistry()
        self._plates = PostgresPlateDictionary()
        self._regions = PostgresRegionDictionary()
        self._reader = PostgresPassReader(self._registry, self._plates, self._regions)
        self._writer_path = PostgresBatchWriter(self._registry, self._plates, self._regions)
        self._registry.load(self._writer)
        self._regions.load(self._writer)

    # -- connections ----------------------------------------------------------------------------------------
    def _read_connection(self) -> psycopg.Connection:
        connection = getattr(self._readers, "connection", None)
        if connection is None or connection.closed:
            connection = connect(self.dsn, self._search_path)
            self._readers.connection = connection
            with self._readers_lock:
                self._reader_connections.append(connection)
        return connection

    def close(self) -> None:
        with self._write_lock, self._readers_lock:
            self._writer.close()
            for connection in self._reader_connections:
                connection.close()
            self._reader_connections.clear()

    # -- registry ---------------------------------------------------------------------------------------------
    def _write(self, action: Callable[..., None], *args: Any) -> None:
        with self._write_lock:
            try:
                with self._writer.transaction():
                    self._writer.execute(f"LOCK TABLE {REGISTRY_TABLES} IN SHARE ROW EXCLUSIVE MODE")  # type: ignore[arg-type]
                    action(self._writer, *args)
            except BaseException:
                self._registry.load(self._writer)
                raise

    def _append(self, reads: Sequence[NewRead]) -> BatchResult:
        accepted, refused = validate_batch(reads, now_ms(), self.default_country)
        result = BatchResult(refused=refused)
        writer = self._writer_path
        placed = writer.check_cameras(self._read_connection(), accepted, result.refused)  # type: ignore[arg-type]
        if not placed:
            return result
        with self._write_lock:
            connection = self._writer
            try:
                with connection.transaction():
                    connection.execute("LOCK TABLE passes IN SHARE ROW EXCLUSIVE MODE")
                    placed = writer.drop_duplicates(connection, placed, result)
                    if placed:
                        writer.write(connection, placed, result)  # type: ignore[arg-type]
            except BaseException:
                writer.forget()
                result.stored.clear()
                raise
        return result

    def _plate_selections(self, plate_ids: Collection[int], window: TimeWindow) -> list[Selection]:
        low, high = window_bounds(window)
        ids = list(plate_ids)
        # One plate: a plain equality, so the index is walked backwards in time order and stops at the limit.
        match, value = ("= %s", ids[0]) if len(ids) == 1 else ("= ANY(%s::int4[])", ids)
        return [
            (f"SELECT id, first_ms FROM passes WHERE plate {match} AND first_ms BETWEEN %s AND %s AND {{keyset}}",
             [value, low, high]),
            (f"SELECT id, first_ms FROM (SELECT pass AS id, first_ms FROM pass_plates WHERE plate {match} "
             "AND first_ms BETWEEN %s AND %s) AS alternates WHERE {keyset}", [value, low, high]),
        ]  # fmt: skip

    # -- the SQL of the shared searches --------------------------------------------------------------------------
    def _pass_row(self, connection: Any, pass_id: int) -> PassRow | None:
        return connection.execute(f"SELECT {PASS_COLUMNS} FROM passes WHERE id = %s", (pass_id,)).fetchone()

    def _plates_with_skeletons(self, connection: Any, skeletons: list[str]) -> Iterable[tuple[int, str, str]]:
        return connection.execute("SELECT id, plate, skeleton FROM plates WHERE skeleton = ANY(%s)", (skeletons,))

    def _wildcard_plate_ids(self, connection: Any, parsed: str, cap: int) -> list[int]:
        # pg_trgm takes the trigrams of the LIKE pattern itself, including those at the anchored ends, so
        # gapped patterns need no expansion here; the GIN index answers, and only distinct plates are scanned.
        rows = connection.execute("SELECT id FROM plates WHERE plate LIKE %s LIMIT %s", (wildcard_like(parsed), cap))
        return [row[0] for row in rows]

    def _area_selection(self, cell: int, low: int, high: int, sites: list[int], box: Box) -> Selection:
        return (
            "SELECT id, first_ms FROM passes WHERE cell = %s AND first_ms BETWEEN %s AND %s "
            "AND (site = ANY(%s::int4[]) OR lat_e6 BETWEEN %s AND %s AND lon_e6 BETWEEN %s AND %s) AND {keyset}",
            [cell, low, high, sites, *box],
        )

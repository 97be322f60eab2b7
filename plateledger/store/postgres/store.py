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
from collections.abc import Callable, Collection, Sequence
from typing import Any

import psycopg
from psycopg import sql

from plateledger.plates.normalize import normalize_plate
from plateledger.plates.regions import RegionError, parse_region
from plateledger.reads import BatchResult, NewRead, StoredRead, now_ms, validate_batch
from plateledger.search.patterns import describe_near, near_neighbourhood, parse_wildcard, wildcard_regex
from plateledger.store.contract import Agency, Area, Camera, NotFound, Page, PassSummary, TimeWindow
from plateledger.store.frames import split_read_id
from plateledger.store.gcpause import gc_paused
from plateledger.store.geo import bounding_box, cells_covering, contains, validate_area
from plateledger.store.postgres.connection import connect
from plateledger.store.postgres.dictionary import PostgresPlateDictionary, PostgresRegionDictionary
from plateledger.store.postgres.reader import PostgresPassReader, Selection
from plateledger.store.postgres.registry import REGISTRY_TABLES, PostgresRegistry
from plateledger.store.postgres.schema import check_not_newer, migrate
from plateledger.store.postgres.writer import PostgresBatchWriter
from plateledger.store.sqlite.reader import PASS_COLUMNS, check_page_arguments, window_bounds
from plateledger.store.sqlite.registry import to_e6

MAX_WILDCARD_PLATES = 5_000


def wildcard_like(parsed: str) -> str:
    """A parsed wildcard (only A-Z, 0-9, `?`, `*`) as a LIKE pattern: nothing else needs escaping."""
    return parsed.replace("?", "_").replace("*", "%")


class PostgresReadStore:
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

    def add_agency(self, agency: Agency) -> None:
        self._write(self._registry.add_agency, agency)

    def get_agency(self, agency_id: str) -> Agency:
        for agency in self.list_agencies():
            if agency.id == agency_id:
                return agency
        raise NotFound(f"agency {agency_id!r} does not exist")

    def list_agencies(self) -> list[Agency]:
        return self._registry.agencies(self._read_connection())  # type: ignore[arg-type]

    def add_camera(self, camera: Camera) -> None:
        self._write(self._registry.add_camera, camera)

    def move_camera(self, camera_id: str, lat: float, lon: float, heading: float | None, since_ms: int) -> None:
        self._write(self._registry.move_camera, camera_id, lat, lon, heading, since_ms)

    def get_camera(self, camera_id: str) -> Camera:
        return self._registry.camera_record(self._read_connection(), camera_id)

    def list_cameras(self, agency_id: str | None = None) -> list[Camera]:
        connection = self._read_connection()
        self._registry.load(connection)  # type: ignore[arg-type]
        return [
            self._registry.camera_record(connection, code)
            for code, row in sorted(self._registry.cameras.items())
            if agency_id is None or row.agency_code == agency_id
        ]

    # -- ingest -----------------------------------------------------------------------------------------------
    def append(self, reads: Sequence[NewRead]) -> BatchResult:
        with gc_paused():
            return self._append(reads)

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

    # -- single reads ---------------------------------------------------------------------------------------------
    def _pass_reads(self, pass_id: int) -> list[StoredRead]:
        connection = self._read_connection()
        row = connection.execute(f"SELECT {PASS_COLUMNS} FROM passes WHERE id = %s", (pass_id,)).fetchone()  # type: ignore[arg-type]
        if row is None:
            raise NotFound(f"pass {pass_id} does not exist")
        return sorted(self._reader.decode(connection, [row])[0], key=lambda read: read.id)  # type: ignore[arg-type]

    def get_read(self, read_id_value: int) -> StoredRead:
        pass_id, index = split_read_id(read_id_value)
        try:
            reads = self._pass_reads(pass_id)
        except NotFound:
            raise NotFound(f"read {read_id_value} does not exist") from None
        if index >= len(reads):
            raise NotFound(f"read {read_id_value} does not exist")
        return reads[index]

    def get_pass(self, pass_id: int) -> PassSummary:
        reads = self._pass_reads(pass_id)
        best = next(read for read in reads if read.is_best)
        return PassSummary(
            id=pass_id,
            camera_id=best.camera_id,
            agency_id=best.agency_id,
            first_ms=min(read.observed_ms for read in reads),
            last_ms=max(read.observed_ms for read in reads),
            best=best,
            frames=reads,
        )

    def count_reads(self) -> int:
        row = self._read_connection().execute("SELECT value FROM counters WHERE name = 'reads'").fetchone()
        assert row is not None
        return int(row[0])

    # -- search -----------------------------------------------------------------------------------------------------
    @staticmethod
    def _plate_selections(plate_ids: Collection[int], window: TimeWindow) -> list[Selection]:
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

    def _page(
        self, connection: Any, selections: list[Selection], window: TimeWindow, judge: Any, **paging: Any
    ) -> Page:
        return self._reader.page(connection, selections, window, judge, **paging)

    def search_exact(
        self,
        plate: str,
        window: TimeWindow,
        *,
        region: str | None = None,
        agencies: Collection[str] | None = None,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page:
        check_page_arguments(limit, cursor)
        wanted = normalize_plate(plate)
        if not wanted:
            raise ValueError("plate is empty")
        try:
            wanted_region = parse_region(region, self.default_country) if region else None
        except RegionError as error:
            raise ValueError(str(error)) from None
        connection = self._read_connection()
        plate_id = self._plates.id_of(connection, wanted)
        if plate_id is None:
            return Page([])

        def judge(read: StoredRead) -> tuple[str, str] | None:
            if read.plate != wanted or (wanted_region is not None and read.region != wanted_region):
                return None
            return "exact", "same plate and region" if wanted_region else "same plate"

        selections = self._plate_selections([plate_id], window)
        return self._page(connection, selections, window, judge, agencies=agencies, limit=limit, cursor_text=cursor)

    def search_near(
        self,
        plate: str,
        window: TimeWindow,
        *,
        agencies: Collection[str] | None = None,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page:
        check_page_arguments(limit, cursor)
        neighbourhood = near_neighbourhood(plate)
        connection = self._read_connection()
        relation_of: dict[str, str] = {}
        plate_ids: list[int] = []
        for plate_id, text, found_skeleton in connection.execute(
            "SELECT id, plate, skeleton FROM plates WHERE skeleton = ANY(%s)", (list(neighbourhood.skeletons),)
        ):
            plate_ids.append(plate_id)
            relation_of[text] = neighbourhood.skeletons[found_skeleton]
        if not plate_ids:
            return Page([])

        def judge(read: StoredRead) -> tuple[str, str] | None:
            relation = relation_of.get(read.plate)
            return None if relation is None else describe_near(neighbourhood.plate, read.plate, relation)  # type: ignore[return-value]

        selections = self._plate_selections(plate_ids, window)
        return self._page(connection, selections, window, judge, agencies=agencies, limit=limit, cursor_text=cursor)

    def search_wildcard(
        self,
        pattern: str,
        window: TimeWindow,
        *,
        agencies: Collection[str] | None = None,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page:
        check_page_arguments(limit, cursor)
        parsed = parse_wildcard(pattern)
        connection = self._read_connection()
        # pg_trgm extracts the trigrams of the LIKE pattern itself, including those at the anchored ends, so
        # gapped patterns need no expansion here; the GIN index answers, and only distinct plates are scanned.
        rows = connection.execute(
            "SELECT id FROM plates WHERE plate LIKE %s LIMIT %s", (wildcard_like(parsed), MAX_WILDCARD_PLATES + 1)
        ).fetchall()
        if len(rows) > MAX_WILDCARD_PLATES:
            raise ValueError(f"pattern {parsed} matches more than {MAX_WILDCARD_PLATES} plates: add characters")
        if not rows:
            return Page([])
        regex = wildcard_regex(parsed)

        def judge(read: StoredRead) -> tuple[str, str] | None:
            return ("wildcard", f"{read.plate} matches {parsed}") if regex.match(read.plate) else None

        selections = self._plate_selections([row[0] for row in rows], window)
        return self._page(connection, selections, window, judge, agencies=agencies, limit=limit, cursor_text=cursor)

    def search_area(
        self,
        area: Area,
        window: TimeWindow,
        *,
        agencies: Collection[str] | None = None,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page:
        check_page_arguments(limit, cursor)
        validate_area(area)
        cells = cells_covering(area)
        low, high = window_bounds(window)
        # As on SQLite: fixed sites inside the area from the registry, own-GPS passes by a bounding box with a
        # 300 m margin, then the exact test on each frame's position.
        connection = self._read_connection()
        sites_inside = self._registry.sites_inside(connection, area)  # type: ignore[arg-type]
        min_lat, min_lon, max_lat, max_lon = bounding_box(area)
        margin = 0.003
        selection = (
            "SELECT id, first_ms FROM passes WHERE cell = ANY(%s::int4[]) AND first_ms BETWEEN %s AND %s "
            "AND (site = ANY(%s::int4[]) OR lat_e6 BETWEEN %s AND %s AND lon_e6 BETWEEN %s AND %s) AND {keyset}",
            [
                cells, low, high, sites_inside, to_e6(min_lat - margin), to_e6(max_lat + margin),
                to_e6(min_lon - margin), to_e6(max_lon + margin),
            ],
        )  # fmt: skip

        def judge(read: StoredRead) -> tuple[str, str] | None:
            return ("area", "inside the area") if contains(area, read.lat, read.lon) else None

        return self._page(connection, [selection], window, judge, agencies=agencies, limit=limit, cursor_text=cursor)

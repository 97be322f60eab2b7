"""The embedded SQLite read store: one file holds an agency's reads, registry and plate dictionary.

Layout (see docs/architecture.md for the measurements behind it):
- passes, not reads, are rows: the frames of a pass are packed in one row (store/frames.py);
- plates are integer ids into a dictionary of distinct plates, which also carries the confusable skeleton
  (near search) and a trigram index (wildcard search);
- two indexes on passes: (plate, first_ms) for plate history and (cell, first_ms) for area search.
One writer at a time (a lock in this process, SQLite's lock across processes); readers run in parallel in WAL
mode, each thread on its own connection.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Sequence
from pathlib import Path

from plateledger.plates.normalize import normalize_plate
from plateledger.plates.regions import RegionError, parse_region
from plateledger.reads import BatchResult, NewRead, StoredRead, now_ms, validate_batch
from plateledger.search.patterns import (
    describe_near,
    has_trigram,
    near_neighbourhood,
    parse_wildcard,
    trigram_alternatives,
    wildcard_regex,
)
from plateledger.store.contract import (
    Agency,
    Area,
    Camera,
    NotFound,
    Page,
    PassSummary,
    TimeWindow,
)
from plateledger.store.frames import split_read_id
from plateledger.store.gcpause import gc_paused
from plateledger.store.geo import bounding_box, cells_covering, contains, validate_area
from plateledger.store.sqlite.connection import connect
from plateledger.store.sqlite.dictionary import PlateDictionary, RegionDictionary
from plateledger.store.sqlite.reader import PASS_COLUMNS, PassReader, check_page_arguments, window_bounds
from plateledger.store.sqlite.registry import Registry, to_e6
from plateledger.store.sqlite.schema import check_not_newer, migrate
from plateledger.store.sqlite.writer import BatchWriter

MAX_WILDCARD_PLATES = 5_000


class SqliteReadStore:
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
        self._write_lock = threading.Lock()
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
        self._writer.close()
        connection = getattr(self._readers, "connection", None)
        if connection is not None:
            connection.close()

    # -- registry ---------------------------------------------------------------------------------------------
    def _write(self, action, *args) -> None:  # type: ignore[no-untyped-def]
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                action(self._writer, *args)
            except BaseException:
                self._writer.execute("ROLLBACK")
                self._registry.load(self._writer)
                raise
            self._writer.execute("COMMIT")

    def add_agency(self, agency: Agency) -> None:
        self._write(self._registry.add_agency, agency)

    def get_agency(self, agency_id: str) -> Agency:
        for agency in self.list_agencies():
            if agency.id == agency_id:
                return agency
        raise NotFound(f"agency {agency_id!r} does not exist")

    def list_agencies(self) -> list[Agency]:
        return self._registry.agencies(self._read_connection())

    def add_camera(self, camera: Camera) -> None:
        self._write(self._registry.add_camera, camera)

    def move_camera(self, camera_id: str, lat: float, lon: float, heading: float | None, since_ms: int) -> None:
        self._write(self._registry.move_camera, camera_id, lat, lon, heading, since_ms)

    def get_camera(self, camera_id: str) -> Camera:
        return self._registry.camera_record(self._read_connection(), camera_id)

    def list_cameras(self, agency_id: str | None = None) -> list[Camera]:
        connection = self._read_connection()
        self._registry.load(connection)
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

    # -- single reads ---------------------------------------------------------------------------------------------
    def _pass_reads(self, pass_id: int) -> list[StoredRead]:
        connection = self._read_connection()
        row = connection.execute(f"SELECT {PASS_COLUMNS} FROM passes WHERE id = ?", (pass_id,)).fetchone()
        if row is None:
            raise NotFound(f"pass {pass_id} does not exist")
        return sorted(self._reader.decode(connection, [row])[0], key=lambda read: read.id)  # in frame order

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
        return int(row[0])

    # -- search -----------------------------------------------------------------------------------------------------
    def _plate_selections(self, plate_ids: Collection[int], window: TimeWindow) -> list[tuple[str, list[object]]]:
        low, high = window_bounds(window)
        marks = ",".join("?" * len(plate_ids))
        ids = list(plate_ids)
        return [
            (
                f"SELECT id, first_ms FROM passes WHERE plate IN ({marks}) AND first_ms BETWEEN ? AND ? AND {{keyset}}",
                [*ids, low, high],
            ),
            (
                f"SELECT id, first_ms FROM (SELECT pass AS id, first_ms FROM pass_plates WHERE plate IN ({marks}) "
                "AND first_ms BETWEEN ? AND ?) WHERE {keyset}",
                [*ids, low, high],
            ),
        ]

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

        return self._reader.page(
            connection, self._plate_selections([plate_id], window), window, judge, agencies, limit, cursor
        )

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
        skeletons = list(neighbourhood.skeletons)
        relation_of: dict[str, str] = {}
        plate_ids: list[int] = []
        for start in range(0, len(skeletons), 900):
            chunk = skeletons[start : start + 900]
            query = f"SELECT id, plate, skeleton FROM plates WHERE skeleton IN ({','.join('?' * len(chunk))})"
            for plate_id, text, found_skeleton in connection.execute(query, chunk):
                plate_ids.append(plate_id)
                relation_of[text] = neighbourhood.skeletons[found_skeleton]
        if not plate_ids:
            return Page([])

        def judge(read: StoredRead) -> tuple[str, str] | None:
            relation = relation_of.get(read.plate)
            return None if relation is None else describe_near(neighbourhood.plate, read.plate, relation)  # type: ignore[return-value]

        return self._reader.page(
            connection, self._plate_selections(plate_ids, window), window, judge, agencies, limit, cursor
        )

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
        alternatives = None if has_trigram(parsed) else trigram_alternatives(parsed)
        if alternatives is None:
            # Three fixed characters in a row (the trigram index answers), or no spot to expand: a scan of the
            # distinct plates, never of the reads.
            rows = connection.execute(
                "SELECT rowid FROM plate_trigrams WHERE plate GLOB ? LIMIT ?", (parsed, MAX_WILDCARD_PLATES + 1)
            ).fetchall()
        else:
            rows = connection.execute(
                "SELECT rowid FROM plate_trigrams WHERE plate_trigrams MATCH ? AND plate GLOB ? LIMIT ?",
                (" OR ".join(f'"{trigram}"' for trigram in alternatives), parsed, MAX_WILDCARD_PLATES + 1),
            ).fetchall()
        if len(rows) > MAX_WILDCARD_PLATES:
            raise ValueError(f"pattern {parsed} matches more than {MAX_WILDCARD_PLATES} plates: add characters")
        if not rows:
            return Page([])
        regex = wildcard_regex(parsed)

        def judge(read: StoredRead) -> tuple[str, str] | None:
            return ("wildcard", f"{read.plate} matches {parsed}") if regex.match(read.plate) else None

        return self._reader.page(
            connection,
            self._plate_selections([row[0] for row in rows], window),
            window,
            judge,
            agencies,
            limit,
            cursor,
        )

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
        # Fixed sites inside the area are known from the registry; passes with their own GPS position are
        # kept by a bounding box with a margin (a vehicle moves a little between frames). Only those passes
        # are decoded; the exact test runs on each frame's position.
        connection = self._read_connection()
        sites_inside = self._registry.sites_inside(connection, area)
        min_lat, min_lon, max_lat, max_lon = bounding_box(area)
        margin = 0.003  # degrees, about 300 m
        selection = (
            f"SELECT id, first_ms FROM passes WHERE cell IN ({','.join('?' * len(cells))}) "
            f"AND first_ms BETWEEN ? AND ? AND (site IN ({','.join('?' * len(sites_inside))}) "
            "OR lat_e6 BETWEEN ? AND ? AND lon_e6 BETWEEN ? AND ?) AND {keyset}",
            [
                *cells, low, high, *sites_inside, to_e6(min_lat - margin), to_e6(max_lat + margin),
                to_e6(min_lon - margin), to_e6(max_lon + margin),
            ],
        )  # fmt: skip

        def judge(read: StoredRead) -> tuple[str, str] | None:
            return ("area", "inside the area") if contains(area, read.lat, read.lon) else None

        return self._reader.page(connection, [selection], window, judge, agencies, limit, cursor)

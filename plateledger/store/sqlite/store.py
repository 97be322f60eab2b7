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

import json
import sqlite3
import threading
from collections.abc import Collection, Sequence
from pathlib import Path

from plateledger.plates.normalize import normalize_plate
from plateledger.plates.regions import RegionError, parse_region
from plateledger.plates.skeleton import skeleton
from plateledger.reads import BatchResult, NewRead, Refusal, StoredRead, ValidRead, now_ms, validate_batch
from plateledger.search.patterns import describe_near, near_neighbourhood, parse_wildcard, wildcard_regex
from plateledger.store.contract import (
    Agency,
    Area,
    Camera,
    NotFound,
    Page,
    PassSummary,
    TimeWindow,
)
from plateledger.store.frames import encode_frame, read_id, split_read_id
from plateledger.store.geo import cell_of, cells_covering, contains, validate_area
from plateledger.store.passes import Frame, OpenPass, PassGrouper
from plateledger.store.sqlite.connection import connect
from plateledger.store.sqlite.dictionary import PlateDictionary, RegionDictionary
from plateledger.store.sqlite.reader import PASS_COLUMNS, PassReader, window_bounds
from plateledger.store.sqlite.registry import CameraRow, Registry, heading_x10, to_e6
from plateledger.store.sqlite.schema import migrate

MAX_WILDCARD_PLATES = 5_000


class SqliteReadStore:
    def __init__(self, path: str | Path, *, cache_mib: int = 256, default_country: str = "US") -> None:
        self.path = Path(path)
        self.default_country = default_country
        self._cache_mib = cache_mib
        self._writer = connect(self.path, cache_mib=cache_mib)
        migrate(self._writer)
        self._write_lock = threading.Lock()
        self._readers = threading.local()
        self._registry = Registry()
        self._plates = PlateDictionary()
        self._regions = RegionDictionary()
        self._grouper = PassGrouper()
        self._reader = PassReader(self._registry, self._plates, self._regions)
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
        valid, refused = validate_batch(reads, now_ms())
        result = BatchResult(refused=refused)
        accepted = self._check_cameras(valid, result.refused)
        if not accepted:
            return result
        with self._write_lock:
            connection = self._writer
            connection.execute("BEGIN IMMEDIATE")
            try:
                accepted = self._drop_duplicates(connection, accepted, result)
                if accepted:
                    self._write_batch(connection, accepted, result)
            except BaseException:
                connection.execute("ROLLBACK")
                self._grouper.reset()
                self._plates.clear()
                self._regions.forget()
                result.stored.clear()
                raise
            connection.execute("COMMIT")
        return result

    def _check_cameras(
        self, valid: list[tuple[int, ValidRead]], refused: list[Refusal]
    ) -> list[tuple[int, ValidRead, CameraRow]]:
        accepted = []
        connection = self._read_connection()
        for index, read in valid:
            camera = self._registry.camera(connection, read.camera_id)
            if camera is None:
                refused.append(Refusal(index, "camera_id", f"unknown camera {read.camera_id!r}"))
            elif read.observed_ms < camera.created_ms:
                refused.append(Refusal(index, "observed_at", "is before the camera was registered"))
            elif camera.kind == "mobile" and read.lat is None:
                refused.append(Refusal(index, "lat", "a mobile camera's read needs its GPS position"))
            elif camera.kind == "mobile" and read.lat == 0 and read.lon == 0:
                refused.append(Refusal(index, "lat", "0,0 is a missing GPS fix, not a position"))
            else:
                accepted.append((index, read, camera))
        return accepted

    def _drop_duplicates(
        self,
        connection: sqlite3.Connection,
        accepted: list[tuple[int, ValidRead, CameraRow]],
        result: BatchResult,
    ) -> list[tuple[int, ValidRead, CameraRow]]:
        keyed = [(camera.agency, read.source_id) for _, read, camera in accepted if read.source_id is not None]
        if not keyed:
            return accepted
        known: dict[tuple[int, str], int] = {}
        for start in range(0, len(keyed), 400):
            chunk = keyed[start : start + 400]
            values = ",".join("(?, ?)" for _ in chunk)
            for agency, source_id, identifier in connection.execute(
                f"SELECT agency, source_id, read_id FROM read_sources WHERE (agency, source_id) IN (VALUES {values})",
                [value for pair in chunk for value in pair],
            ):
                known[(agency, source_id)] = identifier
        kept = []
        first_in_batch: dict[tuple[int, str], int] = {}
        for index, read, camera in accepted:
            if read.source_id is not None:
                key = (camera.agency, read.source_id)
                if key in known:
                    result.duplicates[index] = known[key]
                    continue
                if key in first_in_batch:
                    result.duplicates[index] = -1 - first_in_batch[key]  # resolved after the write
                    continue
                first_in_batch[key] = index
            kept.append((index, read, camera))
        return kept

    def _write_batch(
        self,
        connection: sqlite3.Connection,
        accepted: list[tuple[int, ValidRead, CameraRow]],
        result: BatchResult,
    ) -> None:
        plate_ids = self._plates.ids_for(connection, {read.plate for _, read, _ in accepted})
        region_id = self._regions.id_for
        sites = self._registry.sites
        frames: list[Frame] = []
        candidates: dict[int, str] = {}
        for index, read, camera in accepted:
            site = sites[camera.site]
            if read.lat is None or (
                site.lat_e6 is not None and to_e6(read.lat) == site.lat_e6 and to_e6(read.lon) == site.lon_e6  # type: ignore[arg-type]
            ):
                lat_e6 = lon_e6 = None
                cell = site.cell
            else:
                lat_e6, lon_e6 = to_e6(read.lat), to_e6(read.lon)  # type: ignore[arg-type]
                cell = cell_of(read.lat, read.lon)  # type: ignore[arg-type]
            heading = heading_x10(read.heading)
            if read.candidates:
                candidates[index] = json.dumps(
                    [{"plate": c.plate, "confidence": c.confidence} for c in read.candidates]
                )
            frames.append(
                Frame(
                    index,
                    camera.id,
                    skeleton(read.plate),
                    plate_ids[read.plate],
                    region_id(connection, read.region),
                    read.observed_ms,
                    round(read.confidence * 10),
                    lat_e6,
                    lon_e6,
                    cell,
                    None if heading == site.heading_x10 else heading,
                    None if read.plate_raw == read.plate else read.plate_raw,
                    read.region_assumed,
                    read.source_id,
                    bool(read.candidates),
                )
            )
        frames.sort(key=lambda frame: frame.observed_ms)
        next_pass = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM passes").fetchone()[0]
        camera_sites = {camera.id: camera.site for _, _, camera in accepted}
        passes = self._grouper.group(frames, camera_sites, next_pass)
        self._write_passes(connection, passes, result, candidates, {c.id: c.agency for _, _, c in accepted})
        self._grouper.mark_written(passes)
        for index, value in list(result.duplicates.items()):
            if value < 0:
                result.duplicates[index] = result.stored[-1 - value]

    def _write_passes(
        self,
        connection: sqlite3.Connection,
        passes: list[OpenPass],
        result: BatchResult,
        candidates: dict[int, str],
        camera_agency: dict[int, int],
    ) -> None:
        inserts, updates, alternates, sources, extras = [], [], [], [], []
        sites = self._registry.sites
        for open_pass in passes:
            blob = bytearray()
            for index, frame in open_pass.new_frames:
                identifier = read_id(open_pass.id, index)
                result.stored[frame.batch_index] = identifier
                position = None
                if (frame.lat_e6, frame.lon_e6) != (open_pass.lat_e6, open_pass.lon_e6):
                    site = sites[open_pass.site]
                    position = (
                        frame.lat_e6 if frame.lat_e6 is not None else site.lat_e6,
                        frame.lon_e6 if frame.lon_e6 is not None else site.lon_e6,
                    )
                blob += encode_frame(
                    frame.observed_ms - open_pass.first_ms,
                    frame.confidence_x10,
                    plate_id=None if frame.plate_id == open_pass.plate_id else frame.plate_id,
                    region_id=None if frame.region_id == open_pass.region_id else frame.region_id,
                    position=position,  # type: ignore[arg-type]
                    heading_x10=frame.heading_x10,
                    raw=frame.raw,
                    region_assumed=frame.region_assumed,
                    source_id=frame.source_id,
                    has_candidates=frame.has_candidates,
                )
                if frame.plate_id != open_pass.plate_id:
                    alternates.append((frame.plate_id, open_pass.first_ms, open_pass.id))
                if frame.source_id is not None:
                    sources.append((camera_agency[frame.camera], frame.source_id, identifier))
                if frame.has_candidates:
                    extras.append((identifier, candidates[frame.batch_index]))
            if open_pass.is_new:
                inserts.append(
                    (
                        open_pass.id,
                        open_pass.plate_id,
                        open_pass.region_id,
                        open_pass.site,
                        open_pass.first_ms,
                        open_pass.cell,
                        open_pass.lat_e6,
                        open_pass.lon_e6,
                        open_pass.best_index,
                        bytes(blob),
                    )
                )
            else:
                updates.append((bytes(blob), open_pass.best_index, open_pass.id))
        connection.executemany(
            "INSERT INTO passes (id, plate, region, site, first_ms, cell, lat_e6, lon_e6, best, frames) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        connection.execute("UPDATE counters SET value = value + ? WHERE name = 'reads'", (len(result.stored),))
        if updates:
            # Read-modify-write: SQL's || would turn the packed bytes into text.
            marks = ",".join("?" * len(updates))
            stored = dict(
                connection.execute(f"SELECT id, frames FROM passes WHERE id IN ({marks})", [u[2] for u in updates])
            )
            connection.executemany(
                "UPDATE passes SET frames = ?, best = ? WHERE id = ?",
                [(stored[pass_id] + blob, best, pass_id) for blob, best, pass_id in updates],
            )
        if alternates:
            connection.executemany(
                "INSERT OR IGNORE INTO pass_plates (plate, first_ms, pass) VALUES (?, ?, ?)", alternates
            )
        if sources:
            connection.executemany("INSERT INTO read_sources (agency, source_id, read_id) VALUES (?, ?, ?)", sources)
        if extras:
            connection.executemany("INSERT INTO read_candidates (read_id, candidates) VALUES (?, ?)", extras)

    # -- single reads ---------------------------------------------------------------------------------------------
    def _pass_reads(self, pass_id: int) -> list[StoredRead]:
        connection = self._read_connection()
        row = connection.execute(f"SELECT {PASS_COLUMNS} FROM passes WHERE id = ?", (pass_id,)).fetchone()
        if row is None:
            raise NotFound(f"pass {pass_id} does not exist")
        return self._reader.decode(connection, [row])[0]

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
        parsed = parse_wildcard(pattern)
        connection = self._read_connection()
        rows = connection.execute(
            "SELECT rowid FROM plate_trigrams WHERE plate GLOB ? LIMIT ?", (parsed, MAX_WILDCARD_PLATES + 1)
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
        validate_area(area)
        cells = cells_covering(area)
        low, high = window_bounds(window)
        selection = (
            f"SELECT id, first_ms FROM passes WHERE cell IN ({','.join('?' * len(cells))}) "
            "AND first_ms BETWEEN ? AND ? AND {keyset}",
            [*cells, low, high],
        )

        def judge(read: StoredRead) -> tuple[str, str] | None:
            return ("area", "inside the area") if contains(area, read.lat, read.lon) else None

        return self._reader.page(self._read_connection(), [selection], window, judge, agencies, limit, cursor)

"""The baseline the store is measured against: one table of reads, plain indexes on (plate, time) and (time).

This is the schema open-source ALPR peers use and the one DESIGN.md measured. It gets the same validated
reads, the same pragmas (WAL, durable commits) and the same batches as the real store, so the figures compare
layouts, not set-ups.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from plateledger.reads import NewRead, StoredRead, now_ms, validate_batch
from plateledger.search.patterns import parse_wildcard
from plateledger.store.contract import Camera, Circle, TimeWindow
from plateledger.store.geo import bounding_box, contains
from plateledger.store.sqlite.connection import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS reads (
    id INTEGER PRIMARY KEY,
    plate TEXT NOT NULL,
    plate_raw TEXT NOT NULL,
    region TEXT,
    confidence REAL NOT NULL,
    observed_ms INTEGER NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    heading REAL,
    camera TEXT NOT NULL,
    agency TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reads_plate_time ON reads (plate, observed_ms);
CREATE INDEX IF NOT EXISTS reads_time ON reads (observed_ms);
"""
COLUMNS = "id, plate, plate_raw, region, confidence, observed_ms, lat, lon, heading, camera, agency"


class BaselineStore:
    def __init__(self, path: Path, cameras: Sequence[Camera], *, cache_mib: int = 256) -> None:
        self.path = path
        self.connection = connect(path, cache_mib=cache_mib)
        self.connection.executescript(SCHEMA)
        self.cameras = {camera.id: camera for camera in cameras}

    def append(self, reads: Sequence[NewRead]) -> int:
        accepted, _ = validate_batch(reads, now_ms())
        rows = []
        cameras = self.cameras
        for _, read, plate, region in accepted:
            camera = cameras[read.camera_id]
            rows.append(
                (
                    plate, read.plate_raw, region, read.confidence, read.observed_ms,
                    read.lat if read.lat is not None else camera.lat,
                    read.lon if read.lon is not None else camera.lon,
                    read.heading if read.heading is not None else camera.heading,
                    read.camera_id, camera.agency_id,
                )
            )  # fmt: skip
        self.connection.execute("BEGIN")
        self.connection.executemany(
            "INSERT INTO reads (plate, plate_raw, region, confidence, observed_ms, lat, lon, heading, camera, agency)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self.connection.execute("COMMIT")
        return len(rows)

    @staticmethod
    def _reads(rows: list[tuple]) -> list[StoredRead]:  # type: ignore[type-arg]
        return [
            StoredRead(row[0], row[0], row[1], row[2], row[3], False, row[4], row[5], row[6], row[7], row[8],
                       row[9], row[10])
            for row in rows
        ]  # fmt: skip

    def search_exact(self, plate: str, window: TimeWindow, limit: int = 1000) -> list[StoredRead]:
        rows = self.connection.execute(
            f"SELECT {COLUMNS} FROM reads WHERE plate = ? AND observed_ms BETWEEN ? AND ? "
            "ORDER BY observed_ms DESC LIMIT ?",
            (plate, window.start_ms, window.end_ms, limit),
        ).fetchall()
        return self._reads(rows)

    def search_wildcard(self, pattern: str, window: TimeWindow, limit: int = 1000) -> list[StoredRead]:
        rows = self.connection.execute(
            f"SELECT {COLUMNS} FROM reads WHERE plate GLOB ? AND observed_ms BETWEEN ? AND ? "
            "ORDER BY observed_ms DESC LIMIT ?",
            (parse_wildcard(pattern), window.start_ms, window.end_ms, limit),
        ).fetchall()
        return self._reads(rows)

    def search_area(self, area: Circle, window: TimeWindow, limit: int = 1000) -> list[StoredRead]:
        min_lat, min_lon, max_lat, max_lon = bounding_box(area)
        rows = self.connection.execute(
            f"SELECT {COLUMNS} FROM reads WHERE observed_ms BETWEEN ? AND ? AND lat BETWEEN ? AND ? "
            "AND lon BETWEEN ? AND ? ORDER BY observed_ms DESC",
            (window.start_ms, window.end_ms, min_lat, max_lat, min_lon, max_lon),
        ).fetchall()
        return [read for read in self._reads(rows) if contains(area, read.lat, read.lon)][:limit]

    def close(self) -> None:
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.connection.close()

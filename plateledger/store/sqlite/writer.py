"""The ingest path of the SQLite store: checks against the camera registry, grouping into passes, packing.

This is the hot path of bulk ingest (several hundred thousand reads a second): one loop per batch, no
per-read objects beyond the pass frames, dictionaries cached in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from operator import itemgetter

from plateledger.plates.skeleton import SKELETON_TABLE
from plateledger.reads import Accepted, BatchResult, Refusal
from plateledger.store.frames import pack_frames
from plateledger.store.geo import cell_of
from plateledger.store.packing import build_pass_rows
from plateledger.store.passes import Frame, OpenPass, PassGrouper
from plateledger.store.sqlite.dictionary import PlateDictionary, RegionDictionary
from plateledger.store.sqlite.registry import CameraRow, Registry, heading_x10, to_e6

# A read that also passed the camera checks.
Placed = tuple[int, Accepted, CameraRow]


class BatchWriter:
    def __init__(self, registry: Registry, plates: PlateDictionary, regions: RegionDictionary) -> None:
        self.registry = registry
        self.plates = plates
        self.regions = regions
        self.grouper = PassGrouper()

    def forget(self) -> None:
        """After a rolled-back write: drop every cache that may hold uncommitted ids."""
        self.grouper.reset()
        self.plates.clear()
        self.regions.forget()

    def check_cameras(
        self, connection: sqlite3.Connection, accepted: list[Accepted], refused: list[Refusal]
    ) -> list[tuple[Accepted, CameraRow]]:
        placed = []
        cameras = self.registry.cameras
        for item in accepted:
            index, read = item[0], item[1]
            camera = cameras.get(read.camera_id) or self.registry.camera(connection, read.camera_id)
            if camera is None:
                refused.append(Refusal(index, "camera_id", f"unknown camera {read.camera_id!r}"))
            elif read.observed_ms < camera.created_ms:
                refused.append(Refusal(index, "observed_at", "is before the camera was registered"))
            elif camera.kind == "mobile" and read.lat is None:
                refused.append(Refusal(index, "lat", "a mobile camera's read needs its GPS position"))
            elif camera.kind == "mobile" and read.lat == 0 and read.lon == 0:
                refused.append(Refusal(index, "lat", "0,0 is a missing GPS fix, not a position"))
            else:
                placed.append((item, camera))
        return placed

    def drop_duplicates(
        self, connection: sqlite3.Connection, placed: list[tuple[Accepted, CameraRow]], result: BatchResult
    ) -> list[tuple[Accepted, CameraRow]]:
        """Reads whose source id was stored before (or earlier in this batch) are answered as duplicates."""
        keyed = [(camera.agency, item[1].source_id) for item, camera in placed if item[1].source_id is not None]
        if not keyed:
            return placed
        known: dict[tuple[int, str], int] = {}
        by_agency: dict[int, list[str]] = {}
        for agency, source_id in keyed:
            by_agency.setdefault(agency, []).append(source_id)
        for agency, source_ids in by_agency.items():
            for source_id, identifier in self._stored_sources(connection, agency, source_ids):
                known[(agency, source_id)] = identifier
        kept = []
        first_in_batch: dict[tuple[int, str], int] = {}
        for item, camera in placed:
            source_id = item[1].source_id
            if source_id is not None:
                key = (camera.agency, source_id)
                if key in known:
                    result.duplicates[item[0]] = known[key]
                    continue
                if key in first_in_batch:
                    result.duplicates[item[0]] = -1 - first_in_batch[key]  # resolved once that one is stored
                    continue
                first_in_batch[key] = item[0]
            kept.append((item, camera))
        return kept

    @staticmethod
    def _stored_sources(
        connection: sqlite3.Connection, agency: int, source_ids: list[str]
    ) -> Iterator[tuple[str, int]]:
        """(source id, read id) of those source ids the agency's reads already carry."""
        for start in range(0, len(source_ids), 900):
            chunk = source_ids[start : start + 900]
            yield from connection.execute(
                "SELECT source_id, read_id FROM read_sources "
                f"WHERE agency = ? AND source_id IN ({','.join('?' * len(chunk))})",
                [agency, *chunk],
            )

    def write(
        self, connection: sqlite3.Connection, placed: list[tuple[Accepted, CameraRow]], result: BatchResult
    ) -> None:
        plate_ids = self.plates.ids_for(connection, {item[2] for item, _ in placed})
        region_ids = {region: self.regions.id_for(connection, region) for region in {item[3] for item, _ in placed}}
        site_at = self.registry.site_at
        frames: list[Frame] = []
        candidates: dict[int, str] = {}
        for (index, read, plate, region), camera in placed:
            site = site_at(camera, read.observed_ms)
            lat, lon = read.lat, read.lon
            lat_e6 = lon_e6 = None
            cell = site.cell
            if lat is not None and lon is not None:
                lat_e6, lon_e6 = to_e6(lat), to_e6(lon)
                if lat_e6 == site.lat_e6 and lon_e6 == site.lon_e6:
                    lat_e6 = lon_e6 = None
                else:
                    cell = cell_of(lat, lon)
            heading = None if read.heading is None else heading_x10(read.heading)
            if heading == site.heading_x10:
                heading = None
            if read.candidates:
                candidates[index] = json.dumps(
                    [{"plate": c.plate, "confidence": c.confidence} for c in read.candidates]
                )
            raw = read.plate_raw
            frames.append(
                (
                    read.observed_ms, site.id, plate.translate(SKELETON_TABLE), plate_ids[plate], region_ids[region],
                    round(read.confidence * 10), lat_e6, lon_e6, cell, heading, None if raw == plate else raw,
                    read.region_assumed, read.source_id, bool(read.candidates), index,
                )
            )  # fmt: skip
        frames.sort(key=itemgetter(0))
        next_pass = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM passes").fetchone()[0]
        passes = self.grouper.group(frames, next_pass)
        self._write_passes(connection, passes, result, candidates)
        self.grouper.mark_written(passes)
        for index, value in list(result.duplicates.items()):
            if value < 0:
                result.duplicates[index] = result.stored[-1 - value]

    def _write_passes(
        self,
        connection: sqlite3.Connection,
        passes: list[OpenPass],
        result: BatchResult,
        candidates: dict[int, str],
    ) -> None:
        rows = build_pass_rows(passes, self.registry.sites, result, candidates)
        inserts, updates, alternates, sources, extras = (
            rows.inserts, rows.updates, rows.alternates, rows.sources, rows.extras
        )  # fmt: skip
        stored = result.stored
        connection.executemany(
            "INSERT INTO passes (id, plate, region, site, first_ms, cell, lat_e6, lon_e6, best, frames) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        if updates:
            # Read-modify-write: the new heads go before the old extras.
            marks = ",".join("?" * len(updates))
            before = dict(
                connection.execute(f"SELECT id, frames FROM passes WHERE id IN ({marks})", [u[2] for u in updates])
            )
            connection.executemany(
                "UPDATE passes SET frames = ?, best = ? WHERE id = ?",
                [(pack_frames(parts, before[pass_id]), best, pass_id) for parts, best, pass_id in updates],
            )
        if alternates:
            connection.executemany(
                "INSERT OR IGNORE INTO pass_plates (plate, first_ms, pass) VALUES (?, ?, ?)", alternates
            )
        if sources:
            connection.executemany("INSERT INTO read_sources (agency, source_id, read_id) VALUES (?, ?, ?)", sources)
        if extras:
            connection.executemany("INSERT INTO read_candidates (read_id, candidates) VALUES (?, ?)", extras)
        connection.execute("UPDATE counters SET value = value + ? WHERE name = 'reads'", (len(stored),))

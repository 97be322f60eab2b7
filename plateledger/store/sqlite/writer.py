"""The ingest path of the SQLite store: checks against the camera registry, grouping into passes, packing.

This is the hot path of bulk ingest (several hundred thousand reads a second): one loop per batch, no
per-read objects beyond the pass frames, dictionaries cached in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from operator import attrgetter, itemgetter

from plateledger.plates.skeleton import SKELETON_TABLE
from plateledger.reads import Accepted, BatchResult, Refusal
from plateledger.store.frames import MAX_SPAN_MS
from plateledger.store.geo import cell_of
from plateledger.store.packing import build_pass_rows
from plateledger.store.passes import Frame, OpenPass, PassGrouper, WaitingPass, stored_waiting
from plateledger.store.sqlite.dictionary import PlateDictionary, RegionDictionary
from plateledger.store.sqlite.registry import CameraRow, Registry, SiteRow, heading_x10, to_e6

# A read that also passed the camera checks.
Placed = tuple[int, Accepted, CameraRow]

# What `stored_waiting` needs of a pass, after its site and skeleton, in the query of `_stored_passes`.
OPEN_PASS_COLUMNS = (
    "passes.site, plates.skeleton, passes.id, passes.cell, passes.plate, passes.region, passes.first_ms, "
    "passes.lat_e6, passes.lon_e6, passes.best, passes.frames"
)


class BatchWriter:
    def __init__(self, registry: Registry, plates: PlateDictionary, regions: RegionDictionary) -> None:
        self.registry = registry
        self.plates = plates
        self.regions = regions
        self.grouper = PassGrouper()
        # The reads counter as this writer's last commit left it; another value means another writer came
        # between (None: nothing written since this writer started).
        self._reads_written: int | None = None
        # Until frames this late (observed_ms), passes the grouper forgot at its last resume may still be open.
        self._forgotten_until_ms = 0

    def forget(self) -> None:
        """After a rolled-back write: drop every cache that may hold uncommitted ids."""
        self.grouper.reset()
        self._reads_written = None
        self.plates.clear()
        self.regions.forget()

    def check_cameras(
        self, connection: sqlite3.Connection, accepted: list[Accepted], refused: list[Refusal]
    ) -> list[tuple[Accepted, CameraRow]]:
        if not accepted:
            return []
        codes = [item[1].camera_id for item in accepted]
        rows = {code: self.registry.cameras.get(code) or self.registry.camera(connection, code) for code in set(codes)}
        earliest = min(item[1].observed_ms for item in accepted)
        # Only the reads of unknown, mobile or recently registered cameras need a look one by one.
        doubtful = {
            code
            for code, camera in rows.items()
            if camera is None or camera.kind == "mobile" or camera.created_ms > earliest
        }
        if not doubtful:
            return list(zip(accepted, map(rows.__getitem__, codes), strict=True))
        placed = []
        for item, code in zip(accepted, codes, strict=True):
            camera = rows[code]
            if code not in doubtful:
                placed.append((item, camera))
                continue
            read = item[1]
            if camera is None:
                refused.append(Refusal(item[0], "camera_id", f"unknown camera {code!r}"))
            elif read.observed_ms < camera.created_ms:
                refused.append(Refusal(item[0], "observed_at", "is before the camera was registered"))
            elif camera.kind == "mobile" and read.lat is None:
                refused.append(Refusal(item[0], "lat", "a mobile camera's read needs its GPS position"))
            elif camera.kind == "mobile" and read.lat == 0 and read.lon == 0:
                refused.append(Refusal(item[0], "lat", "0,0 is a missing GPS fix, not a position"))
            else:
                placed.append((item, camera))
        return placed

    def drop_duplicates(
        self, connection: sqlite3.Connection, placed: list[tuple[Accepted, CameraRow]], result: BatchResult
    ) -> list[tuple[Accepted, CameraRow]]:
        """Reads whose source id was stored before (or earlier in this batch) are answered as duplicates."""
        # (position in placed, agency, source id) of the reads that carry a source id: most carry none.
        keyed = [
            (position, camera.agency, item[1].source_id)
            for position, (item, camera) in enumerate(placed)
            if item[1].source_id is not None
        ]
        if not keyed:
            return placed
        known: dict[tuple[int, str], int] = {}
        by_agency: dict[int, list[str]] = {}
        for _, agency, source_id in keyed:
            by_agency.setdefault(agency, []).append(source_id)
        for agency, source_ids in by_agency.items():
            for source_id, identifier in self._stored_sources(connection, agency, source_ids):
                known[(agency, source_id)] = identifier
        dropped = set()
        first_in_batch: dict[tuple[int, str], int] = {}
        for position, agency, source_id in keyed:
            index = placed[position][0][0]
            key = (agency, source_id)
            if key in known:
                result.duplicates[index] = known[key]
            elif key in first_in_batch:
                result.duplicates[index] = -1 - first_in_batch[key]  # resolved once that one is stored
            else:
                first_in_batch[key] = index
                continue
            dropped.add(position)
        if not dropped:
            return placed
        return [pair for position, pair in enumerate(placed) if position not in dropped]

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
        """Group and write the placed reads. Call inside the write transaction, which serialises writers across
        processes: what this checks of the database holds until the commit."""
        if self.registry.stale(connection):  # a camera moved by another process since the cache was loaded
            self.registry.load(connection)
            cameras = self.registry.cameras
            placed = [(item, cameras[camera.code]) for item, camera in placed]
        frames = self._frames(connection, placed)
        candidates = {
            item[0]: json.dumps([{"plate": c.plate, "confidence": c.confidence} for c in item[1].candidates])
            for item, _ in placed
            if item[1].candidates
        }
        frames.sort(key=itemgetter(0))
        next_pass = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM passes").fetchone()[0]
        reads_before = connection.execute("SELECT value FROM counters WHERE name = 'reads'").fetchone()[0]
        if reads_before != self._reads_written:
            self.grouper.resume(self._open_passes(connection, frames))
            # A pass open then (forgotten unless this batch's) takes frames for MAX_SPAN_MS after it started.
            self._forgotten_until_ms = frames[-1][0] + MAX_SPAN_MS
        elif frames[0][0] <= self._forgotten_until_ms:
            unknown = self.grouper.unknown({(frame[1], frame[2]) for frame in frames})
            if unknown:
                self.grouper.remember(self._open_passes(connection, frames, unknown))
        passes = self.grouper.group(frames, next_pass)
        self._write_passes(connection, passes, result, candidates)
        self.grouper.mark_written()
        self._reads_written = reads_before + len(result.stored)
        for index, value in list(result.duplicates.items()):
            if value < 0:
                result.duplicates[index] = result.stored[-1 - value]

    def _open_passes(
        self, connection: sqlite3.Connection, frames: list[Frame], keys: set[tuple[int, str]] | None = None
    ) -> dict[tuple[int, str], WaitingPass]:
        """The stored passes that frames of this batch (sorted by time) may join, by site and skeleton (all of
        the frames' keys, or those given): the newest pass of each, as the grouper would remember it had it
        written them all."""
        wanted = keys if keys is not None else {(frame[1], frame[2]) for frame in frames}
        waiting: dict[tuple[int, str], WaitingPass] = {}
        skeletons = sorted({skeleton for _, skeleton in wanted})
        for site, skeleton, *stored in self._stored_passes(connection, skeletons, frames[0][0] - MAX_SPAN_MS):
            key = (site, skeleton)
            newest = waiting.get(key)
            # (first_ms, id): index 4 and 0 of both the stored columns and a WaitingPass
            if key in wanted and (newest is None or (stored[4], stored[0]) > (newest[4], newest[0])):
                waiting[key] = stored_waiting(*stored)
        return waiting

    @staticmethod
    def _stored_passes(connection: sqlite3.Connection, skeletons: list[str], since_ms: int) -> Iterator[tuple]:
        """OPEN_PASS_COLUMNS of the passes of these skeletons that started at `since_ms` or later."""
        for start in range(0, len(skeletons), 900):
            chunk = skeletons[start : start + 900]
            yield from connection.execute(
                f"SELECT {OPEN_PASS_COLUMNS} FROM plates JOIN passes ON passes.plate = plates.id "
                f"WHERE plates.skeleton IN ({','.join('?' * len(chunk))}) AND passes.first_ms >= ?",
                [*chunk, since_ms],
            )

    def _frames(self, connection: sqlite3.Connection, placed: list[tuple[Accepted, CameraRow]]) -> list[Frame]:
        """The frame of each placed read, built column by column (each column one call that runs in C)."""
        items, cameras = zip(*placed, strict=True)
        indexes, reads, plates, regions = zip(*items, strict=True)
        _, observed, _, confidences, _, assumed, lats, lons, headings, source_ids, candidates = zip(*reads, strict=True)
        skeletons = {plate: plate.translate(SKELETON_TABLE) for plate in set(plates)}
        plate_ids = self.plates.ids_for(connection, skeletons)
        region_ids = {region: self.regions.id_for(connection, region) for region in set(regions)}
        sites = self._sites(cameras, observed)
        n = len(reads)
        lat_e6s: list[int | None] = [None] * n
        lon_e6s: list[int | None] = [None] * n
        heading_x10s: list[int | None] = [None] * n
        cells = [site.cell for site in sites]
        if lats.count(None) != n or headings.count(None) != n:
            # Only what differs from the camera site is kept: a fixed camera repeating its position stores none.
            for row, (site, lat, lon, heading) in enumerate(zip(sites, lats, lons, headings, strict=True)):
                if lat is not None:
                    lat_e6, lon_e6 = to_e6(lat), to_e6(lon)
                    if lat_e6 != site.lat_e6 or lon_e6 != site.lon_e6:
                        lat_e6s[row], lon_e6s[row], cells[row] = lat_e6, lon_e6, cell_of(lat, lon)
                if heading is not None and (value := heading_x10(heading)) != site.heading_x10:
                    heading_x10s[row] = value
        return list(
            zip(
                observed,
                [site.id for site in sites],
                map(skeletons.__getitem__, plates),
                map(plate_ids.__getitem__, plates),
                map(region_ids.__getitem__, regions),
                [round(confidence * 10) for confidence in confidences],
                lat_e6s,
                lon_e6s,
                cells,
                heading_x10s,
                [None if raw == plate else raw for raw, plate in zip(map(itemgetter(0), reads), plates, strict=True)],
                assumed,
                source_ids,
                map(bool, candidates),
                indexes,
                strict=True,
            )
        )

    def _sites(self, cameras: tuple[CameraRow, ...], observed: tuple[int, ...]) -> list[SiteRow]:
        """Each read's camera site. A camera that has not moved since the batch's first read needs one lookup."""
        earliest = min(observed)
        camera_ids = list(map(attrgetter("id"), cameras))  # (a frozen dataclass hashes in Python: slow)
        settled = {}
        for camera_id, camera in dict(zip(camera_ids, cameras, strict=True)).items():
            site = self.registry.sites[camera.site]
            if site.since_ms <= earliest:
                settled[camera_id] = site
        if len(settled) == len(set(camera_ids)):
            return list(map(settled.__getitem__, camera_ids))
        site_at = self.registry.site_at
        return [
            settled.get(camera.id) or site_at(camera, moment) for camera, moment in zip(cameras, observed, strict=True)
        ]

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
            marks = ",".join("?" * len(updates))
            before = dict(
                connection.execute(
                    f"SELECT id, frames FROM passes WHERE id IN ({marks})", [update[3] for update in updates]
                )
            )
            connection.executemany("UPDATE passes SET frames = ?, best = ? WHERE id = ?", rows.updated_blobs(before))
        if alternates:
            connection.executemany(
                "INSERT OR IGNORE INTO pass_plates (plate, first_ms, pass) VALUES (?, ?, ?)", alternates
            )
        if sources:
            connection.executemany("INSERT INTO read_sources (agency, source_id, read_id) VALUES (?, ?, ?)", sources)
        if extras:
            connection.executemany("INSERT INTO read_candidates (read_id, candidates) VALUES (?, ?)", extras)
        connection.execute("UPDATE counters SET value = value + ? WHERE name = 'reads'", (len(stored),))

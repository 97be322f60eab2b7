"""Reading passes back: decoding packed frames into StoredReads, and paging through passes in time order."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection, Sequence

from plateledger.reads import Candidate, StoredRead
from plateledger.store.contract import Hit, MatchKind, Page, TimeWindow
from plateledger.store.frames import MAX_FRAMES, Frame, decode_frames, plain_heads, read_id
from plateledger.store.paging import Cursor, check_page_arguments
from plateledger.store.sqlite.dictionary import PlateDictionary, RegionDictionary
from plateledger.store.sqlite.registry import Registry, SiteRow

PASS_COLUMNS = "id, plate, region, site, first_ms, lat_e6, lon_e6, best, frames"
PassRow = tuple[int, int, int, int, int, int | None, int | None, int, bytes]
# Decides whether a read belongs in the result and how it matched; None leaves it out.
Judge = Callable[[StoredRead], tuple[MatchKind, str] | None]


class PassReader:
    def __init__(self, registry: Registry, plates: PlateDictionary, regions: RegionDictionary) -> None:
        self.registry = registry
        self.plates = plates
        self.regions = regions

    def decode(self, connection: sqlite3.Connection, rows: Sequence[PassRow]) -> list[list[StoredRead]]:
        """The reads of each pass row, newest frame first."""
        plain = [plain_heads(row[8]) for row in rows]
        detailed = {row[0]: decode_frames(row[8]) for row, heads in zip(rows, plain, strict=True) if heads is None}
        plate_ids = {row[1] for row in rows}
        region_ids = {row[2] for row in rows}
        with_candidates = []
        for pass_id, frames in detailed.items():
            for frame in frames:
                if frame.plate_id is not None:
                    plate_ids.add(frame.plate_id)
                if frame.region_id is not None:
                    region_ids.add(frame.region_id)
                if frame.has_candidates:
                    with_candidates.append(read_id(pass_id, frame.index))
        texts = self.plates.texts(connection, plate_ids)
        region_codes = self.regions.codes(connection, region_ids)
        candidates = self._candidates(connection, with_candidates) if with_candidates else {}
        site_of = self.registry.site
        result: list[list[StoredRead]] = []
        for row, heads in zip(rows, plain, strict=True):
            pass_id, plate_id, region_id, site_id, first_ms, lat_e6, lon_e6, best, _ = row
            site = site_of(connection, site_id)
            lat = (lat_e6 if lat_e6 is not None else site.lat_e6 or 0) / 1e6
            lon = (lon_e6 if lon_e6 is not None else site.lon_e6 or 0) / 1e6
            plate, region = texts[plate_id], region_codes[region_id]
            camera, agency = site.camera_code, site.agency_code
            heading = None if site.heading_x10 is None else site.heading_x10 / 10
            base_id = pass_id * MAX_FRAMES
            if heads is not None:
                reads = [
                    StoredRead(base_id + index, pass_id, plate, plate, region, False, confidence / 10,
                               first_ms + offset, lat, lon, heading, camera, agency, None, (), index == best)
                    for index, (offset, confidence, _) in enumerate(heads)
                ]  # fmt: skip
            else:
                reads = self._detailed_reads(row, detailed[pass_id], site, texts, region_codes, candidates)
            reads.reverse()  # newest first; frames are stored in time order but for the odd late one
            if any(reads[i].observed_ms < reads[i + 1].observed_ms for i in range(len(reads) - 1)):
                reads.sort(key=lambda read: (read.observed_ms, read.id), reverse=True)
            result.append(reads)
        return result

    @staticmethod
    def _detailed_reads(
        row: PassRow,
        frames: list[Frame],
        site: SiteRow,
        texts: dict[int, str],
        region_codes: dict[int, str | None],
        candidates: dict[int, tuple[Candidate, ...]],
    ) -> list[StoredRead]:
        pass_id, plate_id, region_id, _, first_ms, lat_e6, lon_e6, best, _ = row
        pass_lat = lat_e6 if lat_e6 is not None else site.lat_e6
        pass_lon = lon_e6 if lon_e6 is not None else site.lon_e6
        reads = []
        for (index, offset, confidence, frame_plate, frame_region, frame_lat, frame_lon, heading, raw,
             assumed, source_id, has_candidates) in frames:  # fmt: skip
            plate = texts[plate_id if frame_plate is None else frame_plate]
            lat = pass_lat if frame_lat is None else frame_lat
            lon = pass_lon if frame_lon is None else frame_lon
            if heading is None:
                heading = site.heading_x10
            identifier = read_id(pass_id, index)
            reads.append(
                StoredRead(
                    identifier, pass_id, plate, plate if raw is None else raw,
                    region_codes[region_id if frame_region is None else frame_region], assumed,
                    confidence / 10, first_ms + offset, (lat or 0) / 1e6, (lon or 0) / 1e6,
                    None if heading is None else heading / 10, site.camera_code, site.agency_code, source_id,
                    candidates.get(identifier, ()) if has_candidates else (), index == best,
                )
            )  # fmt: skip
        return reads

    @staticmethod
    def _candidates(connection: sqlite3.Connection, read_ids: list[int]) -> dict[int, tuple[Candidate, ...]]:
        query = f"SELECT read_id, candidates FROM read_candidates WHERE read_id IN ({','.join('?' * len(read_ids))})"
        return {
            identifier: tuple(Candidate(item["plate"], item["confidence"]) for item in json.loads(text))
            for identifier, text in connection.execute(query, read_ids)
        }

    def page(
        self,
        connection: sqlite3.Connection,
        selections: Sequence[tuple[str, Sequence[object]]],
        window: TimeWindow,
        judge: Judge,
        agencies: Collection[str] | None,
        limit: int,
        cursor_text: str | None,
    ) -> Page:
        """One page of hits, newest pass first and newest frame first within a pass, from passes chosen by
        `selections`.

        Each selection is (SQL, parameters) yielding pass ids with their first_ms, already restricted to the
        window's first_ms range; `{keyset}` in the SQL is replaced with the cursor condition. The passes are
        fetched in chunks until `limit` reads are judged in, so a page is exactly `limit` long unless the
        results run out.
        """
        cursor = check_page_arguments(limit, cursor_text)
        allowed = None if agencies is None else frozenset(agencies)
        hits: list[Hit] = []
        position = cursor
        chunk_size = limit // 3 + 2
        while True:
            # Passes hold about three reads: ask for a third of the page first, then more as needed.
            chunk, exhausted = self._chunk(connection, selections, position, chunk_size)
            hits_before = len(hits)
            if not chunk:
                return Page(hits, None)
            for reads in self.decode(connection, chunk):
                # Newest frame first within a pass too; a cursor into this pass resumes at its frame.
                if position and reads and reads[0].pass_id == position.pass_id:
                    frames = [read.id % MAX_FRAMES for read in reads]
                    reads = reads[frames.index(position.frame) :] if position.frame in frames else []
                for read in reads:
                    if not window.start_ms <= read.observed_ms <= window.end_ms:
                        continue
                    if allowed is not None and read.agency_id not in allowed:
                        continue
                    verdict = judge(read)
                    if verdict is None:
                        continue
                    if len(hits) == limit:
                        following = Cursor(chunk_first_ms(chunk, read.pass_id), read.pass_id, read.id % 64)
                        return Page(hits, following.encode())
                    hits.append(Hit(read, verdict[0], verdict[1]))
            if exhausted:
                return Page(hits, None)  # the selections ran out: no need to ask again
            last = chunk[-1]
            position = Cursor(last[4], last[0], 64)  # past every frame of the last pass
            # Size the next chunk from the hits per pass seen so far, so a page decodes little it won't return.
            per_pass = max((len(hits) - hits_before) / len(chunk), 0.25)
            chunk_size = min(limit + 1, int((limit - len(hits)) / per_pass * 1.1) + 2)

    @staticmethod
    def _chunk(
        connection: sqlite3.Connection,
        selections: Sequence[tuple[str, Sequence[object]]],
        cursor: Cursor | None,
        size: int,
    ) -> tuple[list[PassRow], bool]:
        """Up to `size` pass rows after the cursor, and whether the selections are exhausted.

        Each selection runs on its own with ORDER BY ... LIMIT, so a single-plate selection walks its index
        backwards and stops after `size` entries instead of sorting the plate's whole history; the few
        selections are then merged here.
        """
        keyset = "1" if cursor is None else "(first_ms < ? OR (first_ms = ? AND id <= ?))"
        extra = [] if cursor is None else [cursor.first_ms, cursor.first_ms, cursor.pass_id]
        found: dict[int, int] = {}
        for sql, values in selections:
            query = f"{sql.replace('{keyset}', keyset)} ORDER BY first_ms DESC, id DESC LIMIT ?"
            found.update(connection.execute(query, [*values, *extra, size]).fetchall())
        newest = sorted(found.items(), key=lambda item: (item[1], item[0]), reverse=True)[:size]
        marks = ",".join("?" * len(newest))
        rows = connection.execute(
            f"SELECT {PASS_COLUMNS} FROM passes WHERE id IN ({marks}) ORDER BY first_ms DESC, id DESC",
            [pass_id for pass_id, _ in newest],
        ).fetchall()
        exhausted = len(rows) < size
        if cursor is not None:
            # The cursor's own pass comes back (<=) so its remaining frames are seen; drop it once exhausted.
            rows = [row for row in rows if not (row[0] == cursor.pass_id and cursor.frame >= 64)]
        return rows, exhausted


def chunk_first_ms(chunk: Sequence[PassRow], pass_id: int) -> int:
    for row in chunk:
        if row[0] == pass_id:
            return row[4]
    raise KeyError(pass_id)

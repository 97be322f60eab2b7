"""In-memory caches of the small dictionaries that turn text into integer ids: plates and regions.

Rows store integer ids (3-4 bytes) instead of text; the caches keep ingest from asking the database for each
read. The plate cache is bounded: past `limit` entries it is cleared and refills from the database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from plateledger.plates.skeleton import skeleton


class PlateDictionary:
    def __init__(self, limit: int = 2_000_000) -> None:
        self._ids: dict[str, int] = {}
        self._texts: dict[int, str] = {}
        self._limit = limit

    def clear(self) -> None:
        self._ids.clear()
        self._texts.clear()

    def ids_for(self, connection: sqlite3.Connection, skeletons: Mapping[str, str]) -> dict[str, int]:
        """Ids for every plate given (each with its skeleton: the caller has them already), inserting the new
        ones. Call inside the write transaction."""
        known = self._ids
        missing = [plate for plate in skeletons if plate not in known]
        if missing:
            if len(known) + len(missing) > self._limit:
                self.clear()
                missing = list(skeletons)
            self._load(connection, {skeletons[plate] for plate in missing})
            new = [plate for plate in missing if plate not in known]
            if new:
                start = self._next_id(connection)
                rows = [(start + offset, plate, skeletons[plate]) for offset, plate in enumerate(new)]
                self._insert(connection, rows)
                for plate_id, plate, _ in rows:
                    known[plate] = plate_id
                    self._texts[plate_id] = plate
        return known

    # The two steps a backend writes in its own SQL (the PostgreSQL dictionary overrides them).
    @staticmethod
    def _next_id(connection: sqlite3.Connection) -> int:
        return int(connection.execute("SELECT coalesce(max(id), 0) + 1 FROM plates").fetchone()[0])

    @staticmethod
    def _insert(connection: sqlite3.Connection, rows: list[tuple[int, str, str]]) -> None:
        """New (id, plate, skeleton) rows, and their entries in the trigram index of wildcard search."""
        connection.executemany("INSERT INTO plates (id, plate, skeleton) VALUES (?, ?, ?)", rows)
        connection.executemany("INSERT INTO plate_trigrams (rowid, plate) VALUES (?, ?)", [row[:2] for row in rows])

    def forget(self, plates: Iterable[str]) -> None:
        """Drop entries written in a transaction that rolled back."""
        for plate in plates:
            plate_id = self._ids.pop(plate, None)
            if plate_id is not None:
                self._texts.pop(plate_id, None)

    def _load(self, connection: sqlite3.Connection, skeletons: set[str]) -> None:
        # Look up by skeleton, the leading column of the unique index; the few other plates sharing a
        # skeleton are cached as well, which does no harm.
        wanted = list(skeletons)
        for chunk_start in range(0, len(wanted), 900):
            chunk = wanted[chunk_start : chunk_start + 900]
            query = f"SELECT id, plate FROM plates WHERE skeleton IN ({','.join('?' * len(chunk))})"
            for plate_id, plate in connection.execute(query, chunk):
                self._ids[plate] = plate_id
                self._texts[plate_id] = plate

    def id_of(self, connection: sqlite3.Connection, plate: str) -> int | None:
        """The id of one plate, or None when it was never read."""
        plate_id = self._ids.get(plate)
        if plate_id is None:
            row = connection.execute(
                "SELECT id FROM plates WHERE skeleton = ? AND plate = ?", (skeleton(plate), plate)
            ).fetchone()
            plate_id = row[0] if row else None
        return plate_id

    def texts(self, connection: sqlite3.Connection, plate_ids: Iterable[int]) -> dict[int, str]:
        """Plate text for ids, from the cache or the database."""
        texts = self._texts
        missing = [plate_id for plate_id in set(plate_ids) if plate_id not in texts]
        found = {plate_id: texts[plate_id] for plate_id in set(plate_ids) if plate_id in texts}
        for chunk_start in range(0, len(missing), 900):
            chunk = missing[chunk_start : chunk_start + 900]
            query = f"SELECT id, plate FROM plates WHERE id IN ({','.join('?' * len(chunk))})"
            found.update(connection.execute(query, chunk).fetchall())
        return found


class RegionDictionary:
    """Region codes <-> small ids; id 0 means unknown."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._codes: dict[int, str | None] = {0: None}

    def load(self, connection: sqlite3.Connection) -> None:
        for region_id, code in connection.execute("SELECT id, code FROM regions"):
            self._ids[code] = region_id
            self._codes[region_id] = code

    def id_for(self, connection: sqlite3.Connection, code: str | None) -> int:
        if code is None:
            return 0
        region_id = self._ids.get(code)
        if region_id is None:
            self.load(connection)
            region_id = self._ids.get(code)
            if region_id is None:
                region_id = connection.execute("INSERT INTO regions (code) VALUES (?)", (code,)).lastrowid
                assert region_id is not None
                self._ids[code] = region_id
                self._codes[region_id] = code
        return region_id

    def code_of(self, connection: sqlite3.Connection, region_id: int) -> str | None:
        if region_id not in self._codes:
            self.load(connection)
        return self._codes.get(region_id)

    def codes(self, connection: sqlite3.Connection, region_ids: set[int]) -> dict[int, str | None]:
        """Codes for region ids (0 is None, unknown); the whole table is small and cached."""
        if not region_ids <= self._codes.keys():
            self.load(connection)
        return self._codes

    def forget(self) -> None:
        self._ids.clear()
        self._codes = {0: None}

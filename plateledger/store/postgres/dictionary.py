"""The plate and region dictionaries on PostgreSQL: the SQLite caches, with PostgreSQL's SQL.

New plate ids are max(id) + 1 inside the append transaction, which holds the passes table lock (one writer
at a time across processes, see PostgresReadStore._append); the trigram index updates itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from plateledger.plates.skeleton import skeleton
from plateledger.store.postgres.registry import next_id
from plateledger.store.sqlite.dictionary import PlateDictionary, RegionDictionary


class PostgresPlateDictionary(PlateDictionary):
    @staticmethod
    def _next_id(connection: Any) -> int:
        return next_id(connection, "plates")

    @staticmethod
    def _insert(connection: Any, rows: list[tuple[int, str, str]]) -> None:
        with connection.cursor() as cursor, cursor.copy("COPY plates (id, plate, skeleton) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _load(self, connection: Any, skeletons: set[str]) -> None:
        for plate_id, plate in connection.execute(
            "SELECT id, plate FROM plates WHERE skeleton = ANY(%s)", (list(skeletons),)
        ):
            self._ids[plate] = plate_id
            self._texts[plate_id] = plate

    def id_of(self, connection: Any, plate: str) -> int | None:
        plate_id = self._ids.get(plate)
        if plate_id is None:
            row = connection.execute(
                "SELECT id FROM plates WHERE skeleton = %s AND plate = %s", (skeleton(plate), plate)
            ).fetchone()
            plate_id = row[0] if row else None
        return plate_id

    def texts(self, connection: Any, plate_ids: Iterable[int]) -> dict[int, str]:
        texts = self._texts
        wanted = set(plate_ids)
        found = {plate_id: texts[plate_id] for plate_id in wanted if plate_id in texts}
        missing = [plate_id for plate_id in wanted if plate_id not in texts]
        if missing:
            found.update(connection.execute("SELECT id, plate FROM plates WHERE id = ANY(%s)", (missing,)).fetchall())
        return found


class PostgresRegionDictionary(RegionDictionary):
    def id_for(self, connection: Any, code: str | None) -> int:
        if code is None:
            return 0
        region_id = self._ids.get(code)
        if region_id is None:
            self.load(connection)
            region_id = self._ids.get(code)
            if region_id is None:
                region_id = next_id(connection, "regions")
                connection.execute("INSERT INTO regions (id, code) VALUES (%s, %s)", (region_id, code))
                self._ids[code] = region_id
                self._codes[region_id] = code
        return region_id

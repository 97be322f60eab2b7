"""The ingest path on PostgreSQL: the SQLite BatchWriter's checks, grouping and packing, with COPY for rows.

Everything up to the rows to write is backend-neutral (`BatchWriter.check_cameras` and `write`, and
`store.packing.build_pass_rows`); this class only changes how duplicates are looked up and how rows are sent.
New passes and their side rows go in with COPY (measured faster than executemany for pass rows; see
docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from plateledger.reads import BatchResult
from plateledger.store.packing import build_pass_rows
from plateledger.store.passes import OpenPass
from plateledger.store.sqlite.writer import OPEN_PASS_COLUMNS, BatchWriter

PASS_INSERT_COLUMNS = "id, plate, region, site, first_ms, cell, lat_e6, lon_e6, best, frames"


def copy_rows(connection: Any, statement: str, rows: list[Any]) -> None:
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


class PostgresBatchWriter(BatchWriter):
    @staticmethod
    def _stored_sources(connection: Any, agency: int, source_ids: list[str]) -> Iterator[tuple[str, int]]:
        yield from connection.execute(
            "SELECT source_id, read_id FROM read_sources WHERE agency = %s AND source_id = ANY(%s)",
            (agency, source_ids),
        )

    @staticmethod
    def _stored_passes(connection: Any, skeletons: list[str], since_ms: int) -> Iterator[tuple]:
        yield from connection.execute(
            f"SELECT {OPEN_PASS_COLUMNS} FROM plates JOIN passes ON passes.plate = plates.id "
            "WHERE plates.skeleton = ANY(%s) AND passes.first_ms >= %s",
            (skeletons, since_ms),
        )

    def _write_passes(
        self, connection: Any, passes: list[OpenPass], result: BatchResult, candidates: dict[int, str]
    ) -> None:
        rows = build_pass_rows(passes, self.registry.sites, result, candidates)
        if rows.inserts:
            copy_rows(connection, f"COPY passes ({PASS_INSERT_COLUMNS}) FROM STDIN", rows.inserts)
        if rows.updates:
            before = dict(
                connection.execute(
                    "SELECT id, frames FROM passes WHERE id = ANY(%s)", ([pass_id for *_, pass_id in rows.updates],)
                ).fetchall()
            )
            with connection.cursor() as cursor:
                cursor.executemany("UPDATE passes SET frames = %s, best = %s WHERE id = %s", rows.updated_blobs(before))
        if rows.alternates:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO pass_plates (plate, first_ms, pass) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                    rows.alternates,
                )
        if rows.sources:
            copy_rows(connection, "COPY read_sources (agency, source_id, read_id) FROM STDIN", rows.sources)
        if rows.extras:
            copy_rows(connection, "COPY read_candidates (read_id, candidates) FROM STDIN", rows.extras)
        connection.execute("UPDATE counters SET value = value + %s WHERE name = 'reads'", (len(result.stored),))

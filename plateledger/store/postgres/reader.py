"""Reading passes back on PostgreSQL: the SQLite PassReader's decoding and paging loop, with PostgreSQL's SQL.

`PassReader.decode` and `PassReader.page` are backend-neutral (they reach the database only through the
dictionaries, the registry and the two methods below), so only those two are redone here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from plateledger.reads import Candidate
from plateledger.store.sqlite.reader import PASS_COLUMNS, Cursor, PassReader, PassRow

# A selection: SQL yielding (id, first_ms) of passes, with `{keyset}` where the cursor condition goes.
Selection = tuple[str, Sequence[object]]


class PostgresPassReader(PassReader):
    @staticmethod
    def _candidates(connection: Any, read_ids: list[int]) -> dict[int, tuple[Candidate, ...]]:
        return {
            identifier: tuple(Candidate(item["plate"], item["confidence"]) for item in json.loads(text))
            for identifier, text in connection.execute(
                "SELECT read_id, candidates FROM read_candidates WHERE read_id = ANY(%s)", (read_ids,)
            )
        }

    @staticmethod
    def _chunk(
        connection: Any, selections: Sequence[Selection], cursor: Cursor | None, size: int
    ) -> tuple[list[PassRow], bool]:
        """Up to `size` pass rows after the cursor, and whether the selections are exhausted.

        As on SQLite: each selection walks its own index backwards with ORDER BY ... LIMIT, merged here.
        """
        keyset = "TRUE" if cursor is None else "(first_ms < %s OR (first_ms = %s AND id <= %s))"
        extra = [] if cursor is None else [cursor.first_ms, cursor.first_ms, cursor.pass_id]
        found: dict[int, int] = {}
        for query, values in selections:
            statement = f"{query.replace('{keyset}', keyset)} ORDER BY first_ms DESC, id DESC LIMIT %s"
            found.update(connection.execute(statement, [*values, *extra, size]).fetchall())
        newest = sorted(found.items(), key=lambda item: (item[1], item[0]), reverse=True)[:size]
        rows = connection.execute(
            f"SELECT {PASS_COLUMNS} FROM passes WHERE id = ANY(%s) ORDER BY first_ms DESC, id DESC",
            ([pass_id for pass_id, _ in newest],),
        ).fetchall()
        exhausted = len(rows) < size
        if cursor is not None:
            # The cursor's own pass comes back (<=) so its remaining frames are seen; drop it once exhausted.
            rows = [row for row in rows if not (row[0] == cursor.pass_id and cursor.frame >= 64)]
        return rows, exhausted

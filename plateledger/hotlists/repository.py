"""Queries over the hot-list database: lists and entries in, lists and entries out. No policy, no audit here."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from plateledger.hotlists.db import HotlistDatabase
from plateledger.hotlists.index import IndexedEntry
from plateledger.hotlists.model import Entry, EntryDraft, FeedSettings, HotList
from plateledger.plates import skeleton

_LIST_COLUMNS = (
    "id, agency_id, name, kind, description, feed_format, feed_mapping, feed_source, refresh_minutes, "
    "freshness_hours, excluded_categories, last_refreshed_ms, last_import, targets, created_ms, created_by"
)
_ENTRY_COLUMNS = (
    "id, list_id, agency_id, plate, region, category, reason, case_number, owner, vehicle, attributes, "
    "effective_ms, expires_ms, targets, created_ms, created_by, renewed_ms, renewed_by, removed_ms"
)


def _list(row: Sequence[Any]) -> HotList:
    (lid, agency, name, kind, description, fmt, mapping, source, refresh, fresh, excluded, refreshed, last, targets,
     created, by) = row  # fmt: skip
    feed = None
    if kind == "feed":
        feed = FeedSettings(fmt, json.loads(mapping) if mapping else None, source, refresh)
    return HotList(
        id=lid,
        agency_id=agency,
        name=name,
        kind=kind,
        description=description,
        freshness_hours=fresh,
        excluded_categories=tuple(json.loads(excluded)),
        targets=tuple(json.loads(targets)),
        created_ms=created,
        created_by=by,
        feed=feed,
        last_refreshed_ms=refreshed,
        last_import=json.loads(last) if last else None,
    )


def _entry(row: Sequence[Any]) -> Entry:
    (eid, lid, agency, plate, region, category, reason, case, owner, vehicle, attributes, effective, expires, targets,
     created, by, renewed, renewed_by, removed) = row  # fmt: skip
    return Entry(
        id=eid,
        list_id=lid,
        agency_id=agency,
        plate=plate,
        region=region,
        category=category,
        reason=reason,
        case_number=case,
        owner=owner,
        vehicle=json.loads(vehicle),
        attributes=json.loads(attributes),
        effective_ms=effective,
        expires_ms=expires,
        targets=tuple(json.loads(targets)),
        created_ms=created,
        created_by=by,
        renewed_ms=renewed,
        renewed_by=renewed_by,
        removed_ms=removed,
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class HotlistRepository:
    def __init__(self, db: HotlistDatabase) -> None:
        self.db = db

    # -- lists -------------------------------------------------------------------------------------------------
    def insert_list(self, hotlist: HotList) -> None:
        feed = hotlist.feed
        with self.db.write() as connection:
            connection.execute(
                f"INSERT INTO lists ({_LIST_COLUMNS}) VALUES ({', '.join('?' * 16)})",
                (
                    hotlist.id,
                    hotlist.agency_id,
                    hotlist.name,
                    hotlist.kind,
                    hotlist.description,
                    None if feed is None else feed.format,
                    None if feed is None or feed.mapping is None else _dumps(feed.mapping),
                    None if feed is None else feed.source,
                    None if feed is None else feed.refresh_minutes,
                    hotlist.freshness_hours,
                    _dumps(list(hotlist.excluded_categories)),
                    hotlist.last_refreshed_ms,
                    None,
                    _dumps(list(hotlist.targets)),
                    hotlist.created_ms,
                    hotlist.created_by,
                ),
            )

    def get_list(self, list_id: str) -> HotList | None:
        with self.db.read() as connection:
            row = connection.execute(f"SELECT {_LIST_COLUMNS} FROM lists WHERE id = ?", (list_id,)).fetchone()
        return None if row is None else _list(row)

    def lists(self, agency_id: str | None = None) -> list[HotList]:
        sql = f"SELECT {_LIST_COLUMNS} FROM lists"
        parameters: tuple[Any, ...] = ()
        if agency_id is not None:
            sql += " WHERE agency_id = ?"
            parameters = (agency_id,)
        with self.db.read() as connection:
            rows = connection.execute(sql + " ORDER BY agency_id, id", parameters).fetchall()
        return [_list(row) for row in rows]

    def update_list(self, list_id: str, **values: Any) -> None:
        encoded = {key: _dumps(value) if isinstance(value, list | dict) else value for key, value in values.items()}
        assignments = ", ".join(f"{key} = ?" for key in encoded)
        with self.db.write() as connection:
            connection.execute(f"UPDATE lists SET {assignments} WHERE id = ?", (*encoded.values(), list_id))
            if "excluded_categories" in values:
                _index_changed(connection)

    def counts(self) -> dict[str, int]:
        """Entries not removed, per list."""
        with self.db.read() as connection:
            rows = connection.execute(
                "SELECT list_id, count(*) FROM entries WHERE removed_ms IS NULL GROUP BY list_id"
            ).fetchall()
        return dict(rows)

    # -- entries -----------------------------------------------------------------------------------------------
    @staticmethod
    def _insert_entries(
        connection: sqlite3.Connection, hotlist: HotList, drafts: Sequence[EntryDraft], now: int, actor: str
    ) -> list[int]:
        ids = []
        for draft in drafts:
            cursor = connection.execute(
                "INSERT INTO entries (list_id, agency_id, plate, skeleton, region, category, reason, case_number, "
                "owner, vehicle, attributes, effective_ms, expires_ms, targets, created_ms, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    hotlist.id,
                    hotlist.agency_id,
                    draft.plate,
                    skeleton(draft.plate),
                    draft.region,
                    draft.category,
                    draft.reason,
                    draft.case_number,
                    draft.owner,
                    _dumps(draft.vehicle),
                    _dumps(draft.attributes),
                    draft.effective_ms if draft.effective_ms is not None else now,
                    draft.expires_ms,
                    _dumps(list(draft.targets)),
                    now,
                    actor,
                ),
            )
            ids.append(int(cursor.lastrowid or 0))
        return ids

    def insert_entry(self, hotlist: HotList, draft: EntryDraft, now: int, actor: str) -> Entry:
        with self.db.write() as connection:
            (entry_id,) = self._insert_entries(connection, hotlist, [draft], now, actor)
            _index_changed(connection)
        found = self.get_entry(entry_id)
        assert found is not None
        return found

    def replace_feed(
        self, hotlist: HotList, drafts: Sequence[EntryDraft], now: int, actor: str, summary: dict[str, Any]
    ) -> int:
        """Replace a feed's entries whole, in one transaction; return how many entries it held before."""
        with self.db.write() as connection:
            before = connection.execute(
                "SELECT count(*) FROM entries WHERE list_id = ? AND removed_ms IS NULL", (hotlist.id,)
            ).fetchone()[0]
            connection.execute(
                "UPDATE entries SET removed_ms = ?, removed_by = ? WHERE list_id = ? AND removed_ms IS NULL",
                (now, f"{actor} (feed replaced)", hotlist.id),
            )
            self._insert_entries(connection, hotlist, drafts, now, actor)
            connection.execute(
                "UPDATE lists SET last_refreshed_ms = ?, last_import = ? WHERE id = ?",
                (now, _dumps(summary), hotlist.id),
            )
            _index_changed(connection)
        return int(before)

    def get_entry(self, entry_id: int) -> Entry | None:
        with self.db.read() as connection:
            row = connection.execute(f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return None if row is None else _entry(row)

    def current_entry(self, list_id: str, plate: str, region: str | None, case_number: str) -> Entry | None:
        """The entry on the list now with this plate, region and case (feeds renumber entries on each import)."""
        with self.db.read() as connection:
            row = connection.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE skeleton = ? AND list_id = ? AND plate = ? "
                "AND region IS ? AND case_number = ? AND removed_ms IS NULL ORDER BY id DESC LIMIT 1",
                (skeleton(plate), list_id, plate, region, case_number),
            ).fetchone()
        return None if row is None else _entry(row)

    def entries(self, list_id: str, *, after: int = 0, limit: int = 100, removed: bool = False) -> list[Entry]:
        condition = "" if removed else " AND removed_ms IS NULL"
        with self.db.read() as connection:
            rows = connection.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE list_id = ? AND id > ?{condition} ORDER BY id LIMIT ?",
                (list_id, after, limit),
            ).fetchall()
        return [_entry(row) for row in rows]

    def renew_entry(self, entry_id: int, expires_ms: int, now: int, actor: str) -> None:
        with self.db.write() as connection:
            connection.execute(
                "UPDATE entries SET expires_ms = ?, renewed_ms = ?, renewed_by = ? WHERE id = ?",
                (expires_ms, now, actor, entry_id),
            )
            _index_changed(connection)

    def remove_entry(self, entry_id: int, now: int, actor: str) -> None:
        with self.db.write() as connection:
            connection.execute(
                "UPDATE entries SET removed_ms = ?, removed_by = ? WHERE id = ? AND removed_ms IS NULL",
                (now, actor, entry_id),
            )
            _index_changed(connection)

    def set_entry_targets(self, entry_id: int, targets: list[dict[str, Any]]) -> None:
        with self.db.write() as connection:
            connection.execute("UPDATE entries SET targets = ? WHERE id = ?", (_dumps(targets), entry_id))

    def index_generation(self) -> int:
        """How many changes the match index is built from have been committed, by any process."""
        return int(self.db.query("SELECT value FROM index_generation")[0][0])

    def indexed_entries(self, now: int) -> Iterator[IndexedEntry]:
        """Every entry matching should know of: not removed, not expired, its category not excluded."""
        excluded = {hotlist.id: set(hotlist.excluded_categories) for hotlist in self.lists()}
        with self.db.read() as connection:
            rows = connection.execute(
                "SELECT id, list_id, agency_id, plate, region, effective_ms, expires_ms, category FROM entries "
                "WHERE removed_ms IS NULL AND (expires_ms IS NULL OR expires_ms > ?)",
                (now,),
            ).fetchall()
        for entry_id, list_id, agency, plate, region, effective, expires, category in rows:
            if category not in excluded.get(list_id, ()):
                yield IndexedEntry(entry_id, list_id, agency, plate, region, effective, expires)


def _index_changed(connection: sqlite3.Connection) -> None:
    """Count a change to what the match index is built from, in the transaction that makes it."""
    connection.execute("UPDATE index_generation SET value = value + 1")

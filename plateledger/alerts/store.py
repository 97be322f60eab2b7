"""Alerts in the hot-list database: raised or collapsed, listed, moved from state to state, counted.

Every raise, repeat and move is also written to the alert feed, in the same transaction, marked with the
`origin` of the store that made it: the other processes on the data directory read the feed (`feed_after`)
to publish those events to their own live streams.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

from plateledger.alerts.model import Alert, AlertStatus
from plateledger.hotlists.db import HotlistDatabase
from plateledger.hotlists.index import MatchType

_COLUMNS = (
    "id, agency_id, list_id, entry_id, camera_id, read_id, last_read_id, read, entry, match_type, stale, status, "
    "rejection, count, first_ms, last_ms, created_ms, updated_ms"
)


def _alert(row: Sequence[Any]) -> Alert:
    (aid, agency, list_id, entry_id, camera, read_id, last_read, read, entry, match_type, stale, status, rejection,
     count, first, last, created, updated) = row  # fmt: skip
    return Alert(
        id=aid,
        agency_id=agency,
        list_id=list_id,
        entry_id=entry_id,
        camera_id=camera,
        read_id=read_id,
        last_read_id=last_read,
        read=json.loads(read),
        entry=json.loads(entry),
        match_type=match_type,
        stale=bool(stale),
        status=status,
        rejection=rejection,
        count=count,
        first_ms=first,
        last_ms=last,
        created_ms=created,
        updated_ms=updated,
    )


FeedKind = Literal["alert", "alert_repeat", "alert_update"]
FEED_KEEP_MS = 10 * 60 * 1000  # a process that has not read the feed for this long has lost its streams anyway


class FeedEvent(NamedTuple):
    id: int
    alert_id: int
    kind: FeedKind
    mine: bool  # written by this store (its process published it already)


class TransitionConflict(Exception):
    """The alert was not in a state the transition starts from (someone else moved it first)."""

    def __init__(self, alert: Alert) -> None:
        super().__init__(alert.status)
        self.alert = alert


class AlertStore:
    def __init__(self, db: HotlistDatabase) -> None:
        self.db = db
        self.origin = uuid.uuid4().hex  # this store's mark on the feed

    def _feed(self, connection: Any, alert_id: int, kind: FeedKind, now_ms: int) -> None:
        connection.execute(
            "INSERT INTO alert_feed (alert_id, kind, origin, at_ms) VALUES (?, ?, ?, ?)",
            (alert_id, kind, self.origin, now_ms),
        )

    def feed_head(self) -> int:
        """The id of the newest feed event (0 when there is none): where a new reader starts."""
        return int(self.db.query("SELECT coalesce(max(id), 0) FROM alert_feed")[0][0])

    def feed_after(self, position: int) -> list[FeedEvent]:
        """The feed events after `position`, oldest first."""
        rows = self.db.query("SELECT id, alert_id, kind, origin FROM alert_feed WHERE id > ? ORDER BY id", (position,))
        return [FeedEvent(event_id, alert_id, kind, origin == self.origin) for event_id, alert_id, kind, origin in rows]

    def prune_feed(self, now_ms: int) -> None:
        # The newest event always stays: SQLite numbers a new row one past the largest id left, so an emptied
        # table would number from 1 again, below where every follower is waiting.
        with self.db.write() as connection:
            connection.execute(
                "DELETE FROM alert_feed WHERE at_ms < ? AND id < (SELECT max(id) FROM alert_feed)",
                (now_ms - FEED_KEEP_MS,),
            )

    def raise_or_collapse(
        self,
        *,
        agency_id: str,
        list_id: str,
        entry_id: int,
        camera_id: str,
        read_id: int,
        read: dict[str, Any],
        entry: dict[str, Any],
        match_type: MatchType,
        stale: bool,
        observed_ms: int,
        now_ms: int,
        window_ms: int,
    ) -> tuple[Alert, bool]:
        """A new alert, or the alert of the same entry and camera within `window_ms` with its count raised.

        Returns the alert and whether it is new. A window of 0 never collapses.
        """
        with self.db.write() as connection:
            row = None
            if window_ms > 0:
                row = connection.execute(
                    "SELECT id FROM alerts WHERE entry_id = ? AND camera_id = ? AND last_ms >= ? AND first_ms <= ? "
                    "ORDER BY last_ms DESC LIMIT 1",
                    (entry_id, camera_id, observed_ms - window_ms, observed_ms + window_ms),
                ).fetchone()
            if row is not None:
                connection.execute(
                    "UPDATE alerts SET count = count + 1, last_ms = max(last_ms, ?), last_read_id = ?, updated_ms = ? "
                    "WHERE id = ?",
                    (observed_ms, read_id, now_ms, row[0]),
                )
                alert_id, new = int(row[0]), False
            else:
                cursor = connection.execute(
                    "INSERT INTO alerts (agency_id, list_id, entry_id, camera_id, read_id, last_read_id, read, entry, "
                    "match_type, stale, status, count, first_ms, last_ms, created_ms, updated_ms) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', 1, ?, ?, ?, ?)",
                    (
                        agency_id,
                        list_id,
                        entry_id,
                        camera_id,
                        read_id,
                        read_id,
                        json.dumps(read, sort_keys=True),
                        json.dumps(entry, sort_keys=True),
                        match_type,
                        int(stale),
                        observed_ms,
                        observed_ms,
                        now_ms,
                        now_ms,
                    ),
                )
                alert_id, new = int(cursor.lastrowid or 0), True
            self._feed(connection, alert_id, "alert" if new else "alert_repeat", now_ms)
            found = connection.execute(f"SELECT {_COLUMNS} FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return _alert(found), new

    def get(self, alert_id: int) -> Alert | None:
        with self.db.read() as connection:
            row = connection.execute(f"SELECT {_COLUMNS} FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return None if row is None else _alert(row)

    def list(
        self, agency_id: str, *, status: str | None = None, before: int | None = None, limit: int = 50
    ) -> list[Alert]:
        """Newest first; page with `before` = the smallest id of the previous page."""
        sql = f"SELECT {_COLUMNS} FROM alerts WHERE agency_id = ?"
        parameters: list[Any] = [agency_id]
        if status is not None:
            sql += " AND status = ?"
            parameters.append(status)
        if before is not None:
            sql += " AND id < ?"
            parameters.append(before)
        sql += " ORDER BY id DESC LIMIT ?"
        parameters.append(limit)
        with self.db.read() as connection:
            rows = connection.execute(sql, parameters).fetchall()
        return [_alert(row) for row in rows]

    def transition(
        self,
        alert_id: int,
        sources: tuple[AlertStatus, ...],
        target: AlertStatus,
        *,
        user: str,
        now_ms: int,
        rejection: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> Alert:
        """Move an alert from one of `sources` to `target`, with its history; TransitionConflict otherwise."""
        with self.db.write() as connection:
            row = connection.execute(f"SELECT {_COLUMNS} FROM alerts WHERE id = ?", (alert_id,)).fetchone()
            if row is None:
                raise KeyError(alert_id)
            alert = _alert(row)
            if alert.status not in sources:
                raise TransitionConflict(alert)
            connection.execute(
                "UPDATE alerts SET status = ?, rejection = ?, updated_ms = ? WHERE id = ?",
                (target, rejection, now_ms, alert_id),
            )
            connection.execute(
                "INSERT INTO alert_events (alert_id, at_ms, user, from_status, to_status, detail) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (alert_id, now_ms, user, alert.status, target, json.dumps(detail or {}, sort_keys=True)),
            )
            self._feed(connection, alert_id, "alert_update", now_ms)
            row = connection.execute(f"SELECT {_COLUMNS} FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return _alert(row)

    def history(self, alert_id: int) -> list[dict[str, Any]]:
        with self.db.read() as connection:
            rows = connection.execute(
                "SELECT at_ms, user, from_status, to_status, detail FROM alert_events WHERE alert_id = ? ORDER BY id",
                (alert_id,),
            ).fetchall()
        return [
            {"at_ms": at, "user": user, "from": source, "to": target, "detail": json.loads(detail)}
            for at, user, source, target, detail in rows
        ]

    def disposition_counts(self, agency_id: str | None = None) -> list[dict[str, Any]]:
        """Alerts by agency x match type x disposition (open, verified, or the rejection reason)."""
        sql = (
            "SELECT agency_id, match_type, CASE status WHEN 'verified' THEN 'verified' "
            "WHEN 'rejected' THEN rejection ELSE 'open' END AS disposition, count(*) FROM alerts"
        )
        parameters: tuple[Any, ...] = ()
        if agency_id is not None:
            sql += " WHERE agency_id = ?"
            parameters = (agency_id,)
        sql += " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        with self.db.read() as connection:
            rows = connection.execute(sql, parameters).fetchall()
        return [
            {"agency_id": agency, "match_type": match_type, "disposition": disposition, "count": count}
            for agency, match_type, disposition, count in rows
        ]

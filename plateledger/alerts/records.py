"""Delivery attempts and duty toggles, in the hot-list database.

A delivery is one alert to one target: `pending` until its first attempt, `delivered`, `retrying` (the last
attempt failed, another is scheduled) or `failed` (every attempt failed). Administrators list the failures.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from plateledger.alerts.model import iso
from plateledger.hotlists.db import HotlistDatabase

DeliveryStatus = Literal["pending", "delivered", "retrying", "failed"]
DELIVERY_STATUSES: tuple[DeliveryStatus, ...] = ("pending", "delivered", "retrying", "failed")
_COLUMNS = (
    "id, alert_id, agency_id, channel, target, status, attempts, last_error, created_ms, updated_ms, "
    "next_attempt_ms, delivered_ms"
)


def _delivery(row: Sequence[Any]) -> dict[str, Any]:
    (did, alert_id, agency, channel, target, status, attempts, error, created, updated, next_ms, delivered) = row
    return {
        "id": did,
        "alert_id": alert_id,
        "agency_id": agency,
        "channel": channel,
        "target": json.loads(target),
        "status": status,
        "attempts": attempts,
        "last_error": error,
        "created_at": iso(created),
        "updated_at": iso(updated),
        "next_attempt_at": iso(next_ms),
        "delivered_at": iso(delivered),
    }


class DeliveryRecords:
    def __init__(self, db: HotlistDatabase) -> None:
        self.db = db

    def add(self, alert_id: int, agency_id: str, channel: str, shown: dict[str, Any], now_ms: int) -> int:
        with self.db.write() as connection:
            cursor = connection.execute(
                "INSERT INTO deliveries (alert_id, agency_id, channel, target, status, created_ms, updated_ms) "
                "VALUES (?, ?, ?, ?, 'pending', ?, ?)",
                (alert_id, agency_id, channel, json.dumps(shown, sort_keys=True), now_ms, now_ms),
            )
        return int(cursor.lastrowid or 0)

    def attempted(
        self, delivery_id: int, status: DeliveryStatus, now_ms: int, error: str | None, next_ms: int | None
    ) -> None:
        with self.db.write() as connection:
            connection.execute(
                "UPDATE deliveries SET status = ?, attempts = attempts + 1, last_error = coalesce(?, last_error), "
                "updated_ms = ?, next_attempt_ms = ?, delivered_ms = CASE WHEN ? = 'delivered' THEN ? END "
                "WHERE id = ?",
                (status, error, now_ms, next_ms, status, now_ms, delivery_id),
            )

    def get(self, delivery_id: int) -> dict[str, Any] | None:
        with self.db.read() as connection:
            row = connection.execute(f"SELECT {_COLUMNS} FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
        return None if row is None else _delivery(row)

    def list(
        self,
        agency_id: str | None,
        *,
        status: str | None = None,
        alert_id: int | None = None,
        before: int | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        clauses, parameters = [], []
        for column, value in (("agency_id", agency_id), ("status", status), ("alert_id", alert_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                parameters.append(value)
        if before is not None:
            clauses.append("id < ?")
            parameters.append(before)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.db.read() as connection:
            rows = connection.execute(
                f"SELECT {_COLUMNS} FROM deliveries{where} ORDER BY id DESC LIMIT ?", (*parameters, limit)
            ).fetchall()
        return [_delivery(row) for row in rows]

    # -- duty ---------------------------------------------------------------------------------------------------
    def set_duty(self, username: str, agency_id: str, on_duty: bool, now_ms: int) -> None:
        with self.db.write() as connection:
            connection.execute(
                "INSERT INTO duty (username, agency_id, on_duty, changed_ms) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (username) DO UPDATE SET agency_id = excluded.agency_id, on_duty = excluded.on_duty, "
                "changed_ms = excluded.changed_ms",
                (username, agency_id, int(on_duty), now_ms),
            )

    def duty(self, agency_id: str | None = None) -> dict[str, tuple[str, bool, int]]:
        """username -> (agency, on duty, when it was set), for users who set it explicitly."""
        sql = "SELECT username, agency_id, on_duty, changed_ms FROM duty"
        parameters: tuple[Any, ...] = ()
        if agency_id is not None:
            sql += " WHERE agency_id = ?"
            parameters = (agency_id,)
        with self.db.read() as connection:
            rows = connection.execute(sql, parameters).fetchall()
        return {user: (agency, bool(on), changed) for user, agency, on, changed in rows}

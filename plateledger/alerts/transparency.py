"""What the public may know of alerts: how many, of which match type, and what humans decided about them.

`disposition_counts(source)` returns one row per agency x match type x disposition (`open`, `verified`, or the
rejection: `misread`, `wrong_region`, `stale_entry`, `no_longer_wanted`) with its count of alerts. The
transparency page calls it with the hot-list database (or its path).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plateledger.alerts.store import AlertStore
from plateledger.hotlists.db import HotlistDatabase


def disposition_counts(source: HotlistDatabase | str | Path, agency_id: str | None = None) -> list[dict[str, Any]]:
    if isinstance(source, HotlistDatabase):
        return AlertStore(source).disposition_counts(agency_id)
    db = HotlistDatabase(source)
    try:
        return AlertStore(db).disposition_counts(agency_id)
    finally:
        db.close()

"""What the public may know of hot lists: which categories each agency leaves out of each list.

`hotlist_exclusions(path)` is the function the transparency page calls (also served, unauthenticated, at
`GET /api/v1/transparency/hotlist-exclusions`). It opens the hot-list database read-only in spirit: it only
reads the lists table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plateledger.hotlists.db import HotlistDatabase
from plateledger.hotlists.repository import HotlistRepository


def exclusions_of(repository: HotlistRepository) -> list[dict[str, Any]]:
    return [
        {
            "agency_id": hotlist.agency_id,
            "list_id": hotlist.id,
            "list_name": hotlist.name,
            "kind": hotlist.kind,
            "excluded_categories": list(hotlist.excluded_categories),
            "last_refreshed_ms": hotlist.last_refreshed_ms,
        }
        for hotlist in repository.lists()
    ]


def hotlist_exclusions(source: HotlistDatabase | str | Path) -> list[dict[str, Any]]:
    """Per agency and list: the categories excluded from matching, and when the list was last refreshed."""
    if isinstance(source, HotlistDatabase):
        return exclusions_of(HotlistRepository(source))
    db = HotlistDatabase(source)
    try:
        return exclusions_of(HotlistRepository(db))
    finally:
        db.close()

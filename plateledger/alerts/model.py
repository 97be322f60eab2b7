"""An alert: one read (or several collapsed) matching one hot-list entry, and what a human decided about it.

States: new -> acknowledged -> verified, or rejected (from new or acknowledged) with one of `REJECTIONS`.
Verified and rejected are final.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from plateledger.alerts.wording import MATCH_LABELS, describe
from plateledger.hotlists.index import MatchType
from plateledger.reads import to_datetime

AlertStatus = Literal["new", "acknowledged", "verified", "rejected"]
STATUSES: tuple[AlertStatus, ...] = ("new", "acknowledged", "verified", "rejected")
Rejection = Literal["misread", "wrong_region", "stale_entry", "no_longer_wanted"]
REJECTIONS: dict[Rejection, str] = {
    "misread": "the plate in the image is not the entry's plate (the camera misread it)",
    "wrong_region": "the plate matches but the vehicle is from another state or country than the entry's",
    "stale_entry": "the entry is out of date at its source (recovered, cleared, expired)",
    "no_longer_wanted": "the source confirms the vehicle is no longer wanted",
}
DISPOSITIONS: tuple[str, ...] = ("open", "verified", *REJECTIONS)


def iso(epoch_ms: int | None) -> str | None:
    if epoch_ms is None:
        return None
    return to_datetime(epoch_ms).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    agency_id: str
    list_id: str
    entry_id: int
    camera_id: str
    read_id: int
    last_read_id: int
    read: dict[str, Any]  # plate, plate_raw, region, region_assumed, confidence, observed_ms
    entry: dict[str, Any]  # the entry's snapshot when it matched
    match_type: MatchType
    stale: bool
    status: AlertStatus
    rejection: str | None
    count: int
    first_ms: int
    last_ms: int
    created_ms: int
    updated_ms: int

    @property
    def disposition(self) -> str:
        if self.status == "verified":
            return "verified"
        if self.status == "rejected":
            return self.rejection or "rejected"
        return "open"

    @property
    def message(self) -> str:
        return describe(
            self.match_type,
            self.read["plate"],
            self.read.get("region"),
            bool(self.read.get("region_assumed")),
            self.entry["plate"],
            self.entry.get("region"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The alert as the API and the live stream show it (image links are added by the caller)."""
        read = {**self.read, "observed_at": iso(self.read.get("observed_ms"))}
        entry = {
            **self.entry,
            "region": self.entry.get("region") or "any",
            "effective_at": iso(self.entry.get("effective_ms")),
            "expires_at": iso(self.entry.get("expires_ms")),
        }
        return {
            "id": self.id,
            "agency_id": self.agency_id,
            "list_id": self.list_id,
            "entry_id": self.entry_id,
            "camera_id": self.camera_id,
            "read_id": self.read_id,
            "last_read_id": self.last_read_id,
            "match_type": self.match_type,
            "match_label": MATCH_LABELS[self.match_type],
            "message": self.message,
            "stale": self.stale,
            "status": self.status,
            "rejection": self.rejection,
            "disposition": self.disposition,
            "count": self.count,
            "first_seen_at": iso(self.first_ms),
            "last_seen_at": iso(self.last_ms),
            "created_at": iso(self.created_ms),
            "updated_at": iso(self.updated_ms),
            "read": read,
            "entry": entry,
        }

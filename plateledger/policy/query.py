"""A search request as the gate sees it: backend-neutral, with its canonical form and binding hash.

The canonical form is what an approval is bound to: every parameter that changes which reads come back or why
they may be seen (kind, plate/pattern/area, region, window, purpose, case, justification), and nothing that
only pages through them (limit, cursor) or refers to the approval itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from plateledger.plates.normalize import normalize_plate
from plateledger.policy.agency_policy import SearchKind
from plateledger.reads import to_datetime
from plateledger.store.contract import Area, Circle, Polygon, TimeWindow


def iso(epoch_ms: int) -> str:
    return to_datetime(epoch_ms).isoformat().replace("+00:00", "Z")


def area_json(area: Area) -> dict[str, Any]:
    if isinstance(area, Circle):
        return {"shape": "circle", "lat": area.lat, "lon": area.lon, "radius_m": area.radius_m}
    assert isinstance(area, Polygon)
    return {"shape": "polygon", "points": [[lat, lon] for lat, lon in area.points]}


@dataclass(frozen=True, slots=True)
class SearchQuery:
    kind: SearchKind
    window: TimeWindow
    plate: str | None = None  # exact, near
    pattern: str | None = None  # wildcard
    area: Area | None = None  # area
    region: str | None = None  # exact
    purpose: str | None = None
    case_number: str | None = None
    justification: str | None = None
    approval_id: str | None = None
    limit: int = 100
    cursor: str | None = None

    @property
    def window_days(self) -> float:
        return (self.window.end_ms - self.window.start_ms) / 86_400_000

    def subject(self) -> dict[str, Any]:
        """What is searched: the parameters that decide which reads match."""
        subject: dict[str, Any] = {"kind": self.kind}
        if self.plate is not None:
            subject["plate"] = normalize_plate(self.plate) or self.plate
        if self.pattern is not None:
            subject["pattern"] = self.pattern.strip().upper()
        if self.area is not None:
            subject["area"] = area_json(self.area)
        if self.region is not None:
            subject["region"] = self.region.strip().upper()
        subject["window"] = {"start": iso(self.window.start_ms), "end": iso(self.window.end_ms)}
        return subject

    def canonical(self) -> dict[str, Any]:
        return {
            **self.subject(),
            "purpose": self.purpose,
            "case_number": self.case_number,
            "justification": self.justification,
        }

    def binding_hash(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def audit_parameters(self) -> dict[str, Any]:
        """The full request for the ledger (purpose, case and justification have fields of their own)."""
        return {**self.subject(), "limit": self.limit, "cursor": self.cursor, "approval_id": self.approval_id}

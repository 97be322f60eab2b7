"""Retroactive hits: when an entry is added, where was its plate seen before? That is a search, nothing less.

It needs a purpose, a case number and a lookback, and it goes through the policy gate like every search: the
gate checks the role, the purpose, the case-number pattern and the lookback cap, asks for an approval where the
policy does, limits the reach, and records it in the ledger, allowed or refused. This module never touches the
read store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plateledger.access.principal import Principal
from plateledger.hotlists.model import DAY_MS, Entry
from plateledger.policy.gate import PolicyGate, SearchOutcome
from plateledger.policy.query import SearchQuery
from plateledger.store.contract import TimeWindow

RETRO_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class RetroRequest:
    purpose: str
    case_number: str | None  # None: the entry's own case number
    lookback_days: int
    justification: str | None = None
    include_near: bool = False


def retroactive_search(
    gate: PolicyGate, principal: Principal, entry: Entry, request: RetroRequest, now_ms: int
) -> list[tuple[str, SearchOutcome]]:
    """Search past reads of the entry's plate (exact, with the entry's region; and near, if asked)."""
    window = TimeWindow(now_ms - request.lookback_days * DAY_MS, now_ms)
    kinds = ("exact", "near") if request.include_near else ("exact",)
    outcomes = []
    for kind in kinds:
        query = SearchQuery(
            kind=kind,  # type: ignore[arg-type]
            window=window,
            plate=entry.plate,
            region=entry.region if kind == "exact" else None,
            purpose=request.purpose,
            case_number=request.case_number or entry.case_number,
            justification=request.justification,
            limit=RETRO_LIMIT,
        )
        outcomes.append((kind, gate.search(principal, query)))
    return outcomes


def hits_out(outcome: SearchOutcome) -> list[dict[str, Any]]:
    return [
        {
            "read_id": hit.read.id,
            "plate": hit.read.plate,
            "region": hit.read.region,
            "observed_ms": hit.read.observed_ms,
            "camera_id": hit.read.camera_id,
            "lat": hit.read.lat,
            "lon": hit.read.lon,
            "how": hit.how,
            "detail": hit.detail,
        }
        for hit in outcome.page.hits
    ]

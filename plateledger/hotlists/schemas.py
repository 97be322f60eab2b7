"""The hot-list API's bodies and answers (`/api/v1/hotlists`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, Field

from plateledger.api.schemas.base import ApiModel
from plateledger.hotlists.model import Entry, HotList
from plateledger.hotlists.targets import Target, mask_url, masked
from plateledger.reads import to_datetime


def _iso(epoch_ms: int | None) -> str | None:
    return None if epoch_ms is None else to_datetime(epoch_ms).isoformat().replace("+00:00", "Z")


class FeedIn(ApiModel):
    format: Literal["ncic", "genetec", "mapped"] = Field(description="the feed's file format")
    mapping: dict[str, Any] | None = Field(None, description="column mapping (format `mapped`; see docs/alerts.md)")
    source: str | None = Field(
        None, min_length=1, max_length=2000, description="file path or http(s) URL fetched on schedule"
    )
    refresh_minutes: int | None = Field(
        None, ge=5, le=10080, description="fetch the source this often; none: on demand only"
    )


class HotListIn(ApiModel):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["custom", "feed"]
    description: str = Field("", max_length=2000)
    feed: FeedIn | None = None
    freshness_hours: float | None = Field(None, gt=0, le=8760, description="default: PLATELEDGER_FEED_FRESHNESS_HOURS")
    excluded_categories: list[str] = Field(default_factory=list, max_length=100)
    targets: list[Target] = Field(default_factory=list, max_length=10)


class ExclusionsIn(ApiModel):
    categories: list[str] = Field(max_length=100, description="categories of this list left out of matching")


class TargetsIn(ApiModel):
    targets: list[Target] = Field(max_length=10)


class VehicleIn(ApiModel):
    make: str | None = Field(None, max_length=60)
    model: str | None = Field(None, max_length=60)
    colour: str | None = Field(None, max_length=40)
    year: str | None = Field(None, max_length=4)
    vin: str | None = Field(None, max_length=17)


class RetroactiveIn(ApiModel):
    """A search of past reads for the entry's plate: a search like any other, through the policy gate."""

    purpose: str = Field(min_length=1, max_length=64)
    case_number: str | None = Field(None, min_length=1, max_length=64, description="default: the entry's case")
    lookback_days: int = Field(ge=1, le=3650)
    justification: str | None = Field(None, min_length=1, max_length=2000)
    include_near: bool = Field(False, description="also search plates one confusable or one edit away")


class EntryIn(ApiModel):
    plate: str = Field(min_length=1, max_length=32)
    region: str = Field(min_length=1, max_length=10, description="ISO 3166-2 like US-CA, or `any` for any region")
    category: str = Field(min_length=1, max_length=40)
    reason: str = Field(min_length=1, max_length=500)
    case_number: str = Field(min_length=1, max_length=64)
    owner: str | None = Field(None, min_length=1, max_length=120, description="default: the user adding it")
    vehicle: VehicleIn = Field(default_factory=VehicleIn)
    effective_at: AwareDatetime | None = Field(None, description="default: now")
    expires_at: AwareDatetime = Field(description="at most 365 days after the entry takes effect")
    targets: list[Target] = Field(default_factory=list, max_length=10)
    retroactive: RetroactiveIn | None = None


class RenewIn(ApiModel):
    expires_at: AwareDatetime = Field(description="at most 365 days from now")
    note: str | None = Field(None, max_length=500)


class HotListOut(ApiModel):
    id: str
    agency_id: str
    name: str
    kind: str
    description: str
    feed: dict[str, Any] | None
    freshness_hours: float
    stale: bool
    excluded_categories: list[str]
    targets: list[dict[str, Any]]
    entries: int
    last_refreshed_at: str | None
    last_import: dict[str, Any] | None
    created_at: str | None
    created_by: str


class EntryOut(ApiModel):
    id: int
    list_id: str
    agency_id: str
    plate: str
    region: str
    category: str
    reason: str
    case_number: str
    owner: str
    vehicle: dict[str, str]
    attributes: dict[str, str]
    effective_at: str | None
    expires_at: str | None
    active: bool
    targets: list[dict[str, Any]]
    created_at: str | None
    created_by: str
    renewed_at: str | None
    renewed_by: str | None
    removed_at: str | None


class RetroactiveOut(ApiModel):
    kind: str
    count: int
    audit_seq: int | None
    hits: list[dict[str, Any]]


class EntryCreated(ApiModel):
    entry: EntryOut
    retroactive: list[RetroactiveOut] | None = None


class ExclusionOut(ApiModel):
    agency_id: str
    list_id: str
    list_name: str
    kind: str
    excluded_categories: list[str]
    last_refreshed_ms: int | None


def list_out(hotlist: HotList, entries: int, now_ms: int) -> HotListOut:
    feed = hotlist.feed
    return HotListOut(
        id=hotlist.id,
        agency_id=hotlist.agency_id,
        name=hotlist.name,
        kind=hotlist.kind,
        description=hotlist.description,
        feed=None
        if feed is None
        else {
            "format": feed.format,
            "mapping": feed.mapping,
            "source": None if feed.source is None else mask_url(feed.source),
            "refresh_minutes": feed.refresh_minutes,
        },
        freshness_hours=hotlist.freshness_hours,
        stale=hotlist.stale(now_ms),
        excluded_categories=list(hotlist.excluded_categories),
        targets=masked(hotlist.targets),
        entries=entries,
        last_refreshed_at=_iso(hotlist.last_refreshed_ms),
        last_import=hotlist.last_import,
        created_at=_iso(hotlist.created_ms),
        created_by=hotlist.created_by,
    )


def entry_out(entry: Entry, now_ms: int) -> EntryOut:
    return EntryOut(
        id=entry.id,
        list_id=entry.list_id,
        agency_id=entry.agency_id,
        plate=entry.plate,
        region=entry.region or "any",
        category=entry.category,
        reason=entry.reason,
        case_number=entry.case_number,
        owner=entry.owner,
        vehicle=entry.vehicle,
        attributes=entry.attributes,
        effective_at=_iso(entry.effective_ms),
        expires_at=_iso(entry.expires_ms),
        active=entry.active(now_ms),
        targets=masked(entry.targets),
        created_at=_iso(entry.created_ms),
        created_by=entry.created_by,
        renewed_at=_iso(entry.renewed_ms),
        renewed_by=entry.renewed_by,
        removed_at=_iso(entry.removed_ms),
    )

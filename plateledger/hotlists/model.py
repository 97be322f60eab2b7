"""Hot lists and their entries: what an agency is looking for, why, for which case, and until when.

An entry names a plate and its region, or says explicitly that any region will do; its category, the reason and
case number, who owns it, the vehicle as described (make, model, colour), and when it takes effect and
expires. A custom entry lasts at most a year (`MAX_CUSTOM_DAYS`); keeping it longer is a renewal, an audited
act of its own. A feed's entries come and go with the feed: each import replaces the feed whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from plateledger.plates import normalize_plate, skeleton
from plateledger.plates.regions import CA_PROVINCES, US_STATES, RegionError, parse_region

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MAX_CUSTOM_DAYS = 365
ANY_REGION = "any"
ListKind = Literal["custom", "feed"]
FeedFormat = Literal["ncic", "genetec", "mapped"]
FEED_FORMATS: tuple[FeedFormat, ...] = ("ncic", "genetec", "mapped")
VEHICLE_FIELDS = ("make", "model", "colour", "year", "vin")
_CATEGORY = re.compile(r"[^a-z0-9]+")

# Categories with a meaning every agency shares; feeds may bring others (kept as they come, normalised).
KNOWN_CATEGORIES: dict[str, str] = {
    "stolen_vehicle": "the vehicle is reported stolen",
    "stolen_plate": "the plate (not the vehicle) is reported stolen",
    "felony_vehicle": "the vehicle was used in a felony",
    "wanted_person": "a person associated with the vehicle is wanted",
    "missing_person": "a person associated with the vehicle is missing",
    "amber_alert": "a child abduction alert names the vehicle",
    "protection_order": "a protection order names the vehicle's registered person",
    "investigation": "the vehicle is of interest to an open investigation",
    "other": "anything else; the reason says what",
}


class EntryError(ValueError):
    """An entry that cannot be kept: the field at fault and the reason, in words."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


def normalize_category(text: str) -> str:
    """ "Stolen Vehicle" -> "stolen_vehicle"."""
    return _CATEGORY.sub("_", text.strip().lower()).strip("_")


def entry_region(text: str | None) -> str | None:
    """A custom entry's region: an ISO 3166-2 code ("US-CA"), a bare country ("DE"), or "any" (None).

    Nothing is guessed: an empty region is refused, because "any region" must be said on purpose.
    """
    if text is None or not text.strip():
        raise EntryError("region", f"is required: a region like 'US-CA', or '{ANY_REGION}' for any region")
    if text.strip().lower() == ANY_REGION:
        return None
    try:
        region = parse_region(text.strip())
    except RegionError as error:
        raise EntryError("region", str(error)) from None
    if region is None:
        raise EntryError("region", f"{text!r} is no region: write '{ANY_REGION}' for any region")
    return region


def state_code_region(code: str) -> str | None:
    """A feed's two-letter state or province code ("CA" in an NCIC LIS field is California) as ISO 3166-2.

    Empty means any region. ISO codes ("US-CA") pass through.
    """
    cleaned = code.strip().upper()
    if not cleaned or cleaned == ANY_REGION.upper():
        return None
    if cleaned in US_STATES:
        return f"US-{cleaned}"
    if cleaned in CA_PROVINCES:
        return f"CA-{cleaned}"
    if "-" in cleaned:
        try:
            return parse_region(cleaned)
        except RegionError as error:
            raise EntryError("region", str(error)) from None
    raise EntryError("region", f"{code!r} is not a US state, Canadian province or ISO 3166-2 code")


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """How a feed list is filled: its file format, column mapping, where it is fetched and how often."""

    format: FeedFormat
    mapping: dict[str, Any] | None = None
    source: str | None = None  # a file path or an http(s) URL; None: uploads only
    refresh_minutes: int | None = None  # None: on demand only


@dataclass(frozen=True, slots=True)
class HotList:
    id: str
    agency_id: str
    name: str
    kind: ListKind
    description: str
    freshness_hours: float
    excluded_categories: tuple[str, ...]
    targets: tuple[dict[str, Any], ...]
    created_ms: int
    created_by: str
    feed: FeedSettings | None = None
    last_refreshed_ms: int | None = None
    last_import: dict[str, Any] | None = None

    def stale(self, now_ms: int) -> bool:
        """A feed not refreshed within its freshness limit is stale; custom lists never are."""
        if self.kind != "feed":
            return False
        if self.last_refreshed_ms is None:
            return True
        return now_ms - self.last_refreshed_ms > self.freshness_hours * HOUR_MS

    def refresh_due(self, now_ms: int) -> bool:
        if self.feed is None or self.feed.source is None or self.feed.refresh_minutes is None:
            return False
        if self.last_refreshed_ms is None:
            return True
        return now_ms - self.last_refreshed_ms >= self.feed.refresh_minutes * 60_000


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """An entry before it is kept: what a user or a feed line says."""

    plate: str
    region: str | None  # already parsed; None: any region
    category: str
    reason: str
    case_number: str
    owner: str
    vehicle: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    effective_ms: int | None = None
    expires_ms: int | None = None
    targets: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    list_id: str
    agency_id: str
    plate: str
    region: str | None
    category: str
    reason: str
    case_number: str
    owner: str
    vehicle: dict[str, str]
    attributes: dict[str, str]
    effective_ms: int
    expires_ms: int | None
    targets: tuple[dict[str, Any], ...]
    created_ms: int
    created_by: str
    renewed_ms: int | None = None
    renewed_by: str | None = None
    removed_ms: int | None = None

    @property
    def skeleton(self) -> str:
        return skeleton(self.plate)

    def active(self, at_ms: int) -> bool:
        if self.removed_ms is not None or self.effective_ms > at_ms:
            return False
        return self.expires_ms is None or self.expires_ms > at_ms

    def snapshot(self) -> dict[str, Any]:
        """What an alert keeps of the entry it matched (the entry may change later; the alert does not)."""
        return {
            "id": self.id,
            "list_id": self.list_id,
            "plate": self.plate,
            "region": self.region,
            "category": self.category,
            "reason": self.reason,
            "case_number": self.case_number,
            "owner": self.owner,
            "vehicle": dict(self.vehicle),
            "effective_ms": self.effective_ms,
            "expires_ms": self.expires_ms,
        }


def _text(value: str | None, name: str, limit: int) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise EntryError(name, "is required")
    if len(cleaned) > limit:
        raise EntryError(name, f"is longer than {limit} characters")
    return cleaned


def check_draft(draft: EntryDraft, kind: ListKind, now_ms: int) -> EntryDraft:
    """Validate and normalise a draft; custom entries need an expiry within MAX_CUSTOM_DAYS of taking effect."""
    plate = normalize_plate(draft.plate or "")
    if not plate:
        raise EntryError("plate", "is empty after removing spaces and punctuation")
    if len(plate) > 12:
        raise EntryError("plate", f"{len(plate)} characters is longer than any plate (12 at most)")
    category = normalize_category(draft.category or "")
    if not category or len(category) > 40:
        raise EntryError("category", "is required: a word like 'stolen_vehicle' (40 characters at most)")
    reason = _text(draft.reason, "reason", 500)
    case_number = _text(draft.case_number, "case_number", 64)
    owner = _text(draft.owner, "owner", 120)
    effective = now_ms if draft.effective_ms is None else draft.effective_ms
    expires = draft.expires_ms
    if kind == "custom":
        if expires is None:
            raise EntryError("expires_at", f"is required: a custom entry lasts at most {MAX_CUSTOM_DAYS} days")
        limit = max(effective, now_ms) + MAX_CUSTOM_DAYS * DAY_MS
        if expires > limit:
            raise EntryError("expires_at", f"is more than {MAX_CUSTOM_DAYS} days after the entry takes effect")
    if expires is not None and expires <= effective:
        raise EntryError("expires_at", "is not after the entry takes effect")
    unknown = sorted(set(draft.vehicle) - set(VEHICLE_FIELDS))
    if unknown:
        raise EntryError(f"vehicle.{unknown[0]}", f"is not one of {', '.join(VEHICLE_FIELDS)}")
    vehicle = {key: str(value).strip() for key, value in draft.vehicle.items() if value and str(value).strip()}
    return EntryDraft(
        plate=plate,
        region=draft.region,
        category=category,
        reason=reason,
        case_number=case_number,
        owner=owner,
        vehicle=vehicle,
        attributes=dict(draft.attributes),
        effective_ms=effective,
        expires_ms=expires,
        targets=draft.targets,
    )

"""Genetec-style hot-list CSV: PlateNumber, PlateState, Category, EffectiveDate, ExpiryDate, plus any attributes.

Attributes named like the vehicle (Make, Model, Color/Colour, Year, VIN) fill the vehicle description; Reason
(or Description, Notes), CaseNumber (or Case, OCA) and Owner (or Agency, ORI) fill the entry's own fields. The
others are kept as attributes. An empty PlateState means any region.
"""

from __future__ import annotations

from plateledger.hotlists.feeds.base import FeedContext, first, parse_date, register_feed_format
from plateledger.hotlists.model import EntryDraft, EntryError, state_code_region

_VEHICLE = {
    "make": ("Make", "VehicleMake"),
    "model": ("Model", "VehicleModel"),
    "colour": ("Color", "Colour", "VehicleColor", "VehicleColour"),
    "year": ("Year", "VehicleYear"),
    "vin": ("VIN", "Vin"),
}
_OWN = ("PlateNumber", "PlateState", "Category", "EffectiveDate", "ExpiryDate")
_REASON = ("Reason", "Description", "Notes")
_CASE = ("CaseNumber", "Case", "OCA")
_OWNER = ("Owner", "Agency", "ORI")


@register_feed_format("genetec", required=("PlateNumber", "PlateState", "Category"))
def genetec_row(row: dict[str, str], context: FeedContext) -> EntryDraft:
    plate = row.get("PlateNumber", "")
    if not plate:
        raise EntryError("PlateNumber", "is empty")
    try:
        region = state_code_region(row.get("PlateState", ""))
    except EntryError as error:
        raise EntryError("PlateState", error.reason) from None
    if not row.get("Category"):
        raise EntryError("Category", "is empty")
    category = context.category(row["Category"])
    pattern = context.mapping.get("date_format")
    effective = parse_date(row.get("EffectiveDate", ""), "EffectiveDate", pattern)
    expires = parse_date(row.get("ExpiryDate", ""), "ExpiryDate", pattern)
    if expires is not None and expires <= context.now_ms:
        raise EntryError("ExpiryDate", "has passed: the entry is no longer in effect")
    vehicle = {ours: first(row, *theirs) for ours, theirs in _VEHICLE.items()}
    used = set(_OWN) | {name for names in (*_VEHICLE.values(), _REASON, _CASE, _OWNER) for name in names}
    return EntryDraft(
        plate=plate,
        region=region,
        category=category,
        reason=first(row, *_REASON) or f"listed in feed {context.list_id} as {category.replace('_', ' ')}",
        case_number=first(row, *_CASE) or f"feed:{context.list_id}",
        owner=first(row, *_OWNER) or context.list_id,
        vehicle=vehicle,
        attributes={name: value for name, value in row.items() if name not in used and value},
        effective_ms=effective,
        expires_ms=expires,
    )

"""Any other CSV, through a column mapping: which of their columns fills each of our fields.

    {"columns": {"plate": "Tag", "region": "State", "category": "Type", "reason": "Why", "case_number": "Case",
                 "owner": "Agency", "effective": "From", "expires": "Until", "make": "Make", "model": "Model",
                 "colour": "Colour", "year": "Year", "vin": "VIN"},
     "category": "stolen_vehicle", "category_map": {"SV": "stolen_vehicle"}, "date_format": "%m/%d/%Y",
     "delimiter": ","}

`plate` is required; `category` (a fixed category for every line) stands in for a category column. Columns not
mapped are kept as attributes. An empty region means any region.
"""

from __future__ import annotations

from typing import Any

from plateledger.hotlists.feeds.base import FeedContext, FeedError, parse_date, register_feed_format
from plateledger.hotlists.model import VEHICLE_FIELDS, EntryDraft, EntryError, state_code_region

FIELDS = ("plate", "region", "category", "reason", "case_number", "owner", "effective", "expires", *VEHICLE_FIELDS)
OPTIONS = ("columns", "category", "category_map", "date_format", "delimiter")


def check_mapping(mapping: dict[str, Any]) -> dict[str, Any]:
    """Refuse a mapping that names unknown options or fields, or lacks the plate column."""
    unknown = sorted(set(mapping) - set(OPTIONS))
    if unknown:
        raise FeedError(f"mapping.{unknown[0]}", f"is not one of {', '.join(OPTIONS)}")
    columns = mapping.get("columns")
    if not isinstance(columns, dict) or not columns.get("plate"):
        raise FeedError("mapping.columns", "must map at least 'plate' to a column name")
    bad = sorted(set(columns) - set(FIELDS))
    if bad:
        raise FeedError(f"mapping.columns.{bad[0]}", f"is not one of {', '.join(FIELDS)}")
    if not columns.get("category") and not mapping.get("category"):
        raise FeedError("mapping.category", "give a category column or a fixed category for every line")
    return mapping


@register_feed_format("mapped")
def mapped_row(row: dict[str, str], context: FeedContext) -> EntryDraft:
    columns: dict[str, str] = context.mapping.get("columns") or {}

    def value(name: str) -> str:
        column = columns.get(name)
        return row.get(column, "") if column else ""

    plate = value("plate")
    if not plate:
        raise EntryError(columns.get("plate", "plate"), "is empty")
    try:
        region = state_code_region(value("region"))
    except EntryError as error:
        raise EntryError(columns.get("region", "region"), error.reason) from None
    raw_category = value("category") or str(context.mapping.get("category") or "")
    if not raw_category:
        raise EntryError(columns.get("category", "category"), "is empty")
    category = context.category(raw_category)
    pattern = context.mapping.get("date_format")
    effective = parse_date(value("effective"), columns.get("effective", "effective"), pattern)
    expires = parse_date(value("expires"), columns.get("expires", "expires"), pattern)
    if expires is not None and expires <= context.now_ms:
        raise EntryError(columns.get("expires", "expires"), "has passed: the entry is no longer in effect")
    mapped_columns = set(columns.values())
    return EntryDraft(
        plate=plate,
        region=region,
        category=category,
        reason=value("reason") or f"listed in feed {context.list_id} as {category.replace('_', ' ')}",
        case_number=value("case_number") or f"feed:{context.list_id}",
        owner=value("owner") or context.list_id,
        vehicle={name: value(name) for name in VEHICLE_FIELDS},
        attributes={name: cell for name, cell in row.items() if name not in mapped_columns and cell},
        effective_ms=effective,
        expires_ms=expires,
    )

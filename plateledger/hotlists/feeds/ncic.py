"""NCIC-style vehicle extracts: CSV with the NCIC vehicle file's field names.

| NCIC | meaning | ours |
|---|---|---|
| LIC, LIS | licence plate number, licence state | plate, region (US state or Canadian province) |
| LIT, LIY | licence plate type, year | attributes |
| VIN, VMA, VMO, VYR, VCO | vehicle id number, make, model, year, colour | vehicle |
| NIC | NCIC record number | attributes; the case number when OCA is empty |
| ORI | originating agency | owner |
| OCA | originating agency's case number | case number |
| MKE | message key: the kind of record | category (see `MESSAGE_KEYS`) |
| DOT | date of theft (CCYYMMDD) | when the entry takes effect |
"""

from __future__ import annotations

from plateledger.hotlists.feeds.base import FeedContext, first, parse_date, register_feed_format
from plateledger.hotlists.model import EntryDraft, EntryError, normalize_category, state_code_region

# Message keys of vehicle, plate and person records as extracts carry them; others become `ncic_<key>`.
MESSAGE_KEYS: dict[str, str] = {
    "EV": "stolen_vehicle",
    "SV": "stolen_vehicle",
    "EF": "felony_vehicle",
    "EVF": "felony_vehicle",
    "FV": "felony_vehicle",
    "EL": "stolen_plate",
    "SL": "stolen_plate",
    "LP": "stolen_plate",
    "EW": "wanted_person",
    "EWJ": "wanted_person",
    "EM": "missing_person",
    "EMD": "missing_person",
    "EME": "missing_person",
    "EMI": "missing_person",
    "EMJ": "missing_person",
    "EMV": "missing_person",
    "EPO": "protection_order",
}
NCIC_FIELDS = ("LIC", "LIS", "LIT", "LIY", "VIN", "VMA", "VMO", "VYR", "VCO", "NIC", "ORI", "OCA", "MKE", "DOT")


@register_feed_format("ncic", required=("LIC", "LIS"))
def ncic_row(row: dict[str, str], context: FeedContext) -> EntryDraft:
    plate = row.get("LIC", "")
    if not plate:
        raise EntryError("LIC", "is empty: an entry without a plate cannot be matched by a camera")
    try:
        region = state_code_region(row.get("LIS", ""))
    except EntryError as error:
        raise EntryError("LIS", error.reason) from None
    key = row.get("MKE", "").upper()
    category = context.category(MESSAGE_KEYS.get(key, f"ncic_{key.lower()}" if key else "stolen_vehicle"))
    nic, ori, oca = row.get("NIC", ""), row.get("ORI", ""), row.get("OCA", "")
    case_number = oca or nic
    if not case_number:
        raise EntryError("OCA", "is empty and so is NIC: an entry needs a case or record number")
    effective = parse_date(row.get("DOT", ""), "DOT")
    if effective is not None and effective > context.now_ms:
        effective = None
    vehicle = {
        "make": row.get("VMA", ""),
        "model": row.get("VMO", ""),
        "colour": row.get("VCO", ""),
        "year": row.get("VYR", ""),
        "vin": row.get("VIN", ""),
    }
    attributes = {name: row[name] for name in ("LIT", "LIY", "NIC", "ORI", "OCA", "MKE", "DOT") if row.get(name)}
    attributes.update({name: value for name, value in row.items() if name not in NCIC_FIELDS and value})
    label = category.replace("_", " ")
    return EntryDraft(
        plate=plate,
        region=region,
        category=normalize_category(category),
        reason=f"NCIC {label} record {nic or oca} entered by {ori or 'an unnamed agency'}",
        case_number=case_number,
        owner=first(row, "ORI") or context.list_id,
        vehicle=vehicle,
        attributes=attributes,
        effective_ms=effective,
    )

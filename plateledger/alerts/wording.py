"""What an alert says to a patrol officer, in plain words: how the read matched, and what to check first.

Every message ends in what to do before acting, because a hit is a lead, not probable cause.
"""

from __future__ import annotations

from plateledger.hotlists.index import MatchType
from plateledger.plates.skeleton import confusable

REGION_NAMES: dict[str, str] = {
    **{
        f"US-{code}": name
        for code, name in {
            "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
            "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "the District of Columbia",
            "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana",
            "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
            "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
            "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
            "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
            "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
            "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
            "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
            "PR": "Puerto Rico", "GU": "Guam", "VI": "the US Virgin Islands", "AS": "American Samoa",
            "MP": "the Northern Mariana Islands",
        }.items()
    },
    **{
        f"CA-{code}": name
        for code, name in {
            "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
            "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "the Northwest Territories",
            "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
            "SK": "Saskatchewan", "YT": "Yukon",
        }.items()
    },
}  # fmt: skip
MATCH_LABELS: dict[MatchType, str] = {
    "exact": "Plate and state match",
    "region_mismatch": "Plate matches, state does not",
    "near": "Possible misread (look-alike characters)",
}
BEFORE_ACTING = "Compare the plate in the image with the entry and confirm the entry with its source before acting."


def region_name(region: str | None) -> str:
    if region is None:
        return "unknown"
    return REGION_NAMES.get(region, region)


def confusions(read_plate: str, entry_plate: str) -> list[str]:
    """The look-alike pairs where a near match differs: ["0/O", "5/S"]."""
    if len(read_plate) != len(entry_plate):
        return []
    pairs: dict[frozenset[str], str] = {}
    for ours, theirs in zip(read_plate, entry_plate, strict=True):
        if ours != theirs and confusable(ours, theirs):
            pairs.setdefault(frozenset((ours, theirs)), f"{ours}/{theirs}")
    return list(pairs.values())


def _region_clause(read_region: str | None, assumed: bool, entry_region: str | None) -> str:
    wanted = region_name(entry_region)
    if read_region is None:
        return f"the camera could not read the state and the entry is for {wanted}"
    if assumed:
        return (
            f"the state was not read (assumed {region_name(read_region)} from the camera's location) "
            f"and the entry is for {wanted}"
        )
    return f"the state read was {region_name(read_region)} and the entry is for {wanted}"


def describe(
    match_type: MatchType,
    read_plate: str,
    read_region: str | None,
    region_assumed: bool,
    entry_plate: str,
    entry_region: str | None,
) -> str:
    """The alert's message, e.g. "Plate matches, but the state read was Arizona and the entry is for California —
    check the state before acting."."""
    if match_type == "region_mismatch":
        clause = _region_clause(read_region, region_assumed, entry_region)
        return f"Plate matches, but {clause} — check the state before acting. {BEFORE_ACTING}"
    if match_type == "near":
        pairs = confusions(read_plate, entry_plate)
        which = f" ({', '.join(pairs)})" if pairs else ""
        text = (
            f"Possible misread: the camera read {read_plate} and the entry is {entry_plate}. They differ only in "
            f"look-alike characters{which}, so this may be a different vehicle — compare the plate in the image "
            "character by character before acting."
        )
        if entry_region is not None and (read_region != entry_region or region_assumed):
            text += f" Also, {_region_clause(read_region, region_assumed, entry_region)}."
        return f"{text} {BEFORE_ACTING}"
    if entry_region is None:
        return (
            f"Plate {entry_plate} matches; the entry is for any state (state read: {region_name(read_region)}). "
            f"{BEFORE_ACTING}"
        )
    return f"Plate {entry_plate} and state {region_name(entry_region)} match the entry. {BEFORE_ACTING}"


def stale_notice(hours_old: float | None, limit_hours: float) -> str:
    age = "was never refreshed" if hours_old is None else f"was last refreshed {hours_old:.0f} hours ago"
    return (
        f"STALE: the feed {age} (its limit is {limit_hours:g} hours). The entry may have been cleared at its "
        "source; this alert cannot be verified as actionable."
    )

"""Regions as ISO 3166-2 codes: "US-CA", or a bare country "DE", or unknown (None)."""

import re

# Subdivision codes per country that the plate formats know; anything else with valid syntax is accepted too,
# since a reader abroad may report a region we have no formats for.
US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    ]
)
CA_PROVINCES = frozenset(["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"])

_ISO_SUBDIVISION = re.compile(r"^([A-Z]{2})-([A-Z0-9]{1,3})$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
UNKNOWN_WORDS = frozenset({"", "UNKNOWN", "UNK", "XX", "??", "NONE"})


class RegionError(ValueError):
    """A region string whose syntax is not ISO 3166-2, a known short form, or unknown."""


def parse_region(text: str | None, default_country: str = "US") -> str | None:
    """Return the ISO 3166-2 code for a region string, or None when the region is unknown.

    Accepts "US-CA", "us-ca", "us_ca", "CA" (read as a subdivision of `default_country` when it is one there,
    else as a country code), "DE" and "unknown". Raises RegionError for anything else.
    """
    if text is None:
        return None
    cleaned = text.strip().upper().replace("_", "-")
    if cleaned in UNKNOWN_WORDS:
        return None
    match = _ISO_SUBDIVISION.match(cleaned)
    if match:
        country, subdivision = match.groups()
        if country == "US" and subdivision not in US_STATES:
            raise RegionError(f"{text!r} is not a US state or territory code")
        return cleaned
    if _COUNTRY.match(cleaned):
        country = default_country.upper()
        if country == "US" and cleaned in US_STATES:
            return f"US-{cleaned}"
        if country == "CA" and cleaned in CA_PROVINCES:
            return f"CA-{cleaned}"
        return cleaned
    raise RegionError(f"{text!r} is not an ISO 3166-2 region like 'US-CA', a short code like 'ca', or 'unknown'")


def country_of(region: str | None) -> str | None:
    """The ISO 3166-1 country of a region code ("US-CA" -> "US")."""
    return region.split("-", 1)[0] if region else None

"""Regions as ISO 3166-2 codes: "US-CA", or a bare country "DE", or unknown (None)."""

import re

# Subdivision codes per country that the plate formats know; anything else with valid syntax is accepted too,
# since a reader abroad may report a region we have no formats for.
US_STATES = frozenset(
    """AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY
    NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP""".split()
)
CA_PROVINCES = frozenset(["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"])

# ISO 3166-1 alpha-2 country codes.
COUNTRIES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
    BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH
    ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT
    HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS
    LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI
    NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG
    SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG
    UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split()
)

_ISO_SUBDIVISION = re.compile(r"^([A-Z]{2})-([A-Z0-9]{1,3})$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
UNKNOWN_WORDS = frozenset({"", "UNKNOWN", "UNK", "XX", "??", "NONE"})


class RegionError(ValueError):
    """A region string whose syntax is not ISO 3166-2, a known short form, or unknown."""


def parse_region(text: str | None, default_country: str = "US") -> str | None:
    """Return the ISO 3166-2 code for a region string, or None when the region is unknown.

    Accepts "US-CA", "us-ca", "us_ca", a country code in upper case as ISO 3166-1 writes it ("DE", "CA":
    Germany, Canada), a short form in lower case ("ca", "de": read as a subdivision of `default_country` when
    it is one there, else as a country), an upper-case code that is no country ("TX": a subdivision of the
    default country), and "unknown". Raises RegionError for anything else.
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
        if text.strip() == cleaned and cleaned in COUNTRIES:
            return cleaned  # written as ISO 3166-1 writes a country: upper case
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

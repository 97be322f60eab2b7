"""Region parsing: ISO 3166-2 codes, short forms and unknown."""

import pytest

from plateledger.plates.regions import CA_PROVINCES, US_STATES, RegionError, country_of, parse_region


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("US-CA", "US-CA"),
        ("us-ca", "US-CA"),
        ("us_ca", "US-CA"),
        (" US-NY ", "US-NY"),
        ("ca", "US-CA"),
        ("TX", "US-TX"),
        ("dc", "US-DC"),
        ("pr", "US-PR"),
        ("de", "US-DE"),  # Delaware: a lower-case short form that is a US state reads as the state
        ("DE", "DE"),  # Germany: upper case is how ISO 3166-1 writes a country
        ("CA", "CA"),
        ("TX", "US-TX"),  # no country is TX: the default country's state
        ("GB", "GB"),
        ("fr", "FR"),
        ("CA-ON", "CA-ON"),
        ("AU-NSW", "AU-NSW"),
        ("GB-ENG", "GB-ENG"),
    ],
)
def test_parse(text: str, expected: str) -> None:
    assert parse_region(text) == expected


@pytest.mark.parametrize("text", [None, "", "   ", "unknown", "UNKNOWN", "unk", "none", "xx", "??"])
def test_unknown_is_none(text: str | None) -> None:
    assert parse_region(text) is None


def test_default_country() -> None:
    assert parse_region("on", default_country="CA") == "CA-ON"
    assert parse_region("qc", default_country="ca") == "CA-QC"
    # A bare code that is not a subdivision there is a country.
    assert parse_region("DE", default_country="CA") == "DE"
    assert parse_region("on", default_country="US") == "ON"


@pytest.mark.parametrize(
    "text",
    ["California", "U.S.", "USA", "US-", "-CA", "US-ZZ", "US CA", "U", "US-CAL1", "12", "US/CA", "é"],
)
def test_invalid_raises(text: str) -> None:
    with pytest.raises(RegionError):
        parse_region(text)


def test_region_error_is_value_error() -> None:
    with pytest.raises(ValueError, match="US-ZZ"):
        parse_region("US-ZZ")


def test_code_sets() -> None:
    assert len(US_STATES - {"PR", "GU", "VI", "AS", "MP"}) == 51  # 50 states + DC
    assert {"ON", "QC", "BC", "AB"} <= CA_PROVINCES
    assert len(CA_PROVINCES) == 13


def test_country_of() -> None:
    assert country_of("US-CA") == "US"
    assert country_of("AU-NSW") == "AU"
    assert country_of("GB") == "GB"
    assert country_of(None) is None

"""Plate formats: generation, plausibility scoring and region ranking."""

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plateledger.plates import formats
from plateledger.plates.formats import (
    FORMATS,
    KNOWN_REGIONS,
    LEGACY_SCORE,
    STANDARD_SCORE,
    UNKNOWN_REGION_SCORE,
    VANITY_SCORE,
    best_regions,
    plausibility,
    random_plate,
    random_region,
)
from plateledger.plates.regions import US_STATES, country_of, parse_region

US_50_AND_DC = sorted(US_STATES - {"PR", "GU", "VI", "AS", "MP"})


def test_coverage() -> None:
    assert len(US_50_AND_DC) == 51
    assert {f"US-{state}" for state in US_50_AND_DC} <= set(KNOWN_REGIONS)
    countries = {country_of(code) for code in KNOWN_REGIONS} - {"US"}
    assert len(countries) >= 10
    assert {"CA", "GB", "DE", "FR", "NL", "IT", "ES", "PL", "BR", "MX", "AU"} <= countries


def test_known_regions_are_sorted_valid_iso_codes() -> None:
    assert list(KNOWN_REGIONS) == sorted(FORMATS)
    for code in KNOWN_REGIONS:
        assert re.fullmatch(r"[A-Z]{2}(-[A-Z0-9]{1,3})?", code), code
        if "-" in code:  # subdivisions round-trip through the region parser
            assert parse_region(code) == code


@pytest.mark.parametrize("region", KNOWN_REGIONS)
def test_random_plates_are_standard_for_their_region(region: str) -> None:
    rng = random.Random(f"formats-{region}")
    for _ in range(200):
        plate = random_plate(region, rng)
        assert re.fullmatch(r"[A-Z0-9]{2,11}", plate), plate
        assert plausibility(plate, region) == STANDARD_SCORE, (region, plate)


def test_random_plate_is_deterministic() -> None:
    for region in ("US-CA", "GB", "NL", "US-ID"):
        first = [random_plate(region, random.Random(7)) for _ in range(3)]
        assert first[0] == first[1] == first[2]
        a, b = random.Random(42), random.Random(42)
        assert [random_plate(region, a) for _ in range(50)] == [random_plate(region, b) for _ in range(50)]
    spread = {random_plate("US-TX", random.Random(seed)) for seed in range(50)}
    assert len(spread) == 50


def test_random_plate_accepts_region_spellings_and_rejects_unknown() -> None:
    assert random_plate("us-ca", random.Random(1)) == random_plate("US-CA", random.Random(1))
    assert random_plate("ca", random.Random(1)) == random_plate("US-CA", random.Random(1))
    with pytest.raises(KeyError):
        random_plate("JP", random.Random(1))
    with pytest.raises(KeyError):
        random_plate("not a region", random.Random(1))


def test_random_plate_follows_format_weights() -> None:
    # Brazil: Mercosur 6 : old national series 4.
    rng = random.Random(3)
    draws = [random_plate("BR", rng) for _ in range(2000)]
    mercosur = sum(plate[4].isalpha() for plate in draws)
    assert 1050 < mercosur < 1350


@pytest.mark.parametrize(
    ("plate", "region"),
    [
        ("7ABC123", "US-CA"),
        ("8XYZ999", "US-CA"),
        ("ABC1234", "US-NY"),
        ("KXD4821", "US-TX"),
        ("HGT5123", "US-PA"),
        ("AB12345", "US-IL"),
        ("AB12345", "US-CT"),
        ("1AB2345", "US-MD"),
        ("ABC12D", "US-AR"),
        ("ABCD12", "US-FL"),
        ("A12BCD", "US-NJ"),
        ("AB1C2D", "US-MO"),
        ("1234567", "US-NH"),
        ("123456", "US-DE"),
        ("1A12345", "US-ID"),
        ("10B1234", "US-ID"),
        ("1ABC234", "AU-WA"),
        ("AB12CD", "AU-NSW"),
        ("ABCD123", "CA-ON"),
        ("AB12CDE", "GB"),
        ("MAB1234", "DE"),
        ("BXY12", "DE"),
        ("HHAB123E", "DE"),
        ("AB123CD", "FR"),
        ("AB123CD", "IT"),
        ("1234BCD", "ES"),
        ("ABC1D23", "BR"),
        ("ABC1234", "BR"),
        ("1ABC123", "BE"),
        ("ZH123456", "CH"),
        ("ABC12D", "SE"),
        ("AB12345", "NO"),
        ("GB123T", "NL"),
        ("XJ123K", "NL"),
        ("99XXB1", "NL"),
        ("WA12345", "PL"),
        ("KR1234A", "PL"),
        ("241D12345", "IE"),
        ("MH12AB1234", "IN"),
    ],
)
def test_real_plates_score_standard(plate: str, region: str) -> None:
    assert plausibility(plate, region) == STANDARD_SCORE
    assert plausibility(plate, None) == STANDARD_SCORE


@pytest.mark.parametrize(
    ("plate", "region"),
    [
        ("7ABC123", "GB"),
        ("7ABC123", "DE"),
        ("7ABC123", "FR"),
        ("AB12CDE", "US-CA"),
        ("AB12CDE", "DE"),
        ("1234BCD", "IT"),
        ("1234ACD", "ES"),  # Spain issues no vowels
        ("AB123CD", "ES"),
        ("AI123CD", "IT"),  # Italy issues no I
        ("ABC1234", "NL"),
        ("ABC12345X", "US-CA"),  # longer than any Californian plate
        ("ABCDE1234", "DE"),  # more than 8 characters
        ("MAB0123", "DE"),  # German numbers never start with 0
        ("12345678", "US-CA"),
    ],
)
def test_wrong_region_scores_low(plate: str, region: str) -> None:
    assert plausibility(plate, region) <= VANITY_SCORE


def test_score_tiers() -> None:
    assert plausibility("7ABC123", "US-CA") == STANDARD_SCORE
    assert plausibility("123ABC", "US-WA") == LEGACY_SCORE  # the older series, still on the road
    assert plausibility("A123BCD", "GB") == LEGACY_SCORE  # prefix-era mark
    assert plausibility("GOBLUE", "US-MI") == VANITY_SCORE
    assert plausibility("ILOVEMYCAR", "US-MI") == 0.0  # longer than any Michigan plate
    assert plausibility("GOBLUE", "DE") == 0.0  # no personalised free text in Germany
    assert plausibility("12345678", "US-NY") == VANITY_SCORE  # New York allows 8 characters
    assert plausibility("12345678", "US-CA") == 0.0
    assert 0 < LEGACY_SCORE < STANDARD_SCORE and 0 < VANITY_SCORE < LEGACY_SCORE


def test_plausibility_edge_cases() -> None:
    assert plausibility("", "US-CA") == 0.0
    assert plausibility("", None) == 0.0
    assert plausibility("7abc-123", "US-CA") == STANDARD_SCORE  # raw text is normalised first
    assert plausibility("7ABC123", "us-ca") == STANDARD_SCORE
    assert plausibility("7ABC123", "ca") == STANDARD_SCORE
    # A region we hold no formats for: neutral, unless absurdly long.
    assert plausibility("品川300あ1234", "JP") == UNKNOWN_REGION_SCORE
    assert plausibility("ABC", "JP") == UNKNOWN_REGION_SCORE
    assert plausibility("A" * 11, "JP") == UNKNOWN_REGION_SCORE  # as long as an Irish plate
    assert plausibility("A" * 12, "JP") == 0.0
    assert plausibility("A" * 11, None) == 0.0


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", max_size=11))
def test_region_free_score_is_best_over_regions(plate: str) -> None:
    best = max(plausibility(plate, region) for region in KNOWN_REGIONS)
    assert plausibility(plate, None) == best
    assert 0.0 <= best <= 1.0
    ranked = best_regions(plate, limit=len(KNOWN_REGIONS))
    assert [score for _, score in ranked] == sorted((score for _, score in ranked), reverse=True)
    assert (ranked[0][1] if ranked else 0.0) == best
    assert all(score == plausibility(plate, region) for region, score in ranked)


def test_best_regions() -> None:
    top = best_regions("7ABC123")
    assert top[0] == ("US-CA", STANDARD_SCORE)
    assert {region for region, _ in top[:2]} == {"US-CA", "AU-WA"}
    assert best_regions("AB12CDE")[0] == ("GB", STANDARD_SCORE)
    assert best_regions("ABC1D23")[0] == ("BR", STANDARD_SCORE)
    assert best_regions("1234BCD", limit=2, country="ES")[0][0] == "ES"
    assert best_regions("XXXXXXXXXXX") == []
    assert best_regions("7ABC123", limit=0) == []
    assert len(best_regions("7ABC123", limit=1)) == 1


def test_best_regions_ties_prefer_home_country_then_bigger_fleets() -> None:
    anywhere = [region for region, _ in best_regions("ABC1234", limit=5)]
    assert anywhere[0] == "DE"  # the largest fleet issuing this shape
    home = [region for region, _ in best_regions("ABC1234", limit=3, country="us")]
    assert home[0] == "US-TX"
    assert all(region.startswith("US-") for region in home)
    vanity = best_regions("GOBLUE", limit=2, country="US")
    assert vanity == [("US-CA", VANITY_SCORE), ("US-TX", VANITY_SCORE)]


def test_random_region() -> None:
    rng = random.Random(5)
    draws = [random_region(rng) for _ in range(3000)]
    assert set(draws) <= set(KNOWN_REGIONS)
    # Weighted by fleet size: California far more often than Vermont.
    assert draws.count("US-CA") > 5 * max(1, draws.count("US-VT"))
    assert all(random_region(rng, "US").startswith("US-") for _ in range(100))
    assert random_region(random.Random(9), "au") in {"AU-NSW", "AU-VIC", "AU-QLD", "AU-WA", "AU-SA"}
    with pytest.raises(KeyError):
        random_region(rng, "JP")


def test_table_is_well_formed() -> None:
    for code, (vehicles, vanity_max, specs) in FORMATS.items():
        assert vehicles > 0, code
        assert vanity_max is None or 2 <= vanity_max <= 8, code
        assert specs, code
        assert any(":0" not in spec.split("/")[0] for spec in specs), code


def test_bad_patterns_are_refused() -> None:
    with pytest.raises(ValueError):
        formats._parse("LL-99")
    with pytest.raises(ValueError):
        formats._parse("(AB|9{2})99")

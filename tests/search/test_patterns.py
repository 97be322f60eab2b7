import re

import pytest

from plateledger.search.patterns import (
    PatternError,
    has_trigram,
    near_neighbourhood,
    parse_wildcard,
    trigram_alternatives,
    wildcard_regex,
)


def test_parse_wildcard_cleans_and_merges_stars() -> None:
    assert parse_wildcard(" 7ab-**23 ") == "7AB*23"


@pytest.mark.parametrize("pattern", ["", "??*", "7?*", "AB!C"])
def test_too_broad_or_malformed_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(PatternError):
        parse_wildcard(pattern)


@pytest.mark.parametrize(("pattern", "expected"), [("7AB?23", True), ("7A?B?23", False), ("7A*B23", True)])
def test_has_trigram(pattern: str, expected: bool) -> None:
    assert has_trigram(pattern) is expected


def test_trigram_alternatives_cover_every_completion_of_the_gap() -> None:
    alternatives = trigram_alternatives("7A?C?23")
    assert alternatives is not None and len(alternatives) == 36
    regex = wildcard_regex("7A?C?23")
    for plate in ["7A0C123", "7AZC923", "7A5C023"]:
        assert regex.match(plate)
        assert any(trigram in plate for trigram in alternatives)


def test_no_alternatives_when_no_gap_of_one() -> None:
    assert trigram_alternatives("A??B??C") is None
    assert trigram_alternatives("AB*CD") is None


def test_wildcard_regex_is_anchored() -> None:
    assert wildcard_regex("7AB*").match("7AB123")
    assert not wildcard_regex("AB?").match("XAB1")
    assert re.fullmatch(wildcard_regex("?AB").pattern.strip("^$"), "XAB")


def test_near_neighbourhood_names_the_edit() -> None:
    near = near_neighbourhood("5SOW350")
    assert near.skeletons[near.skeleton] == "confusable characters"
    assert near.skeletons["550W30"] == "one character missing"  # 5SOW350 without the 5 of 350
    assert near.skeletons["550W3500"] == "one extra character"
    assert "550W750" not in near.skeletons  # 3 -> 7 is not a confusion a near search forgives

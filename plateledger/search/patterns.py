"""Wildcard patterns and near-match neighbourhoods, shared by every store backend."""

import re
from dataclasses import dataclass

from plateledger.plates.normalize import normalize_plate
from plateledger.plates.skeleton import ALPHABET, SKELETON_ALPHABET, skeleton

MIN_FIXED_CHARACTERS = 3
_PATTERN = re.compile(r"^[A-Z0-9?*]+$")


class PatternError(ValueError):
    pass


def parse_wildcard(pattern: str) -> str:
    """Validate a plate wildcard (`?` one character, `*` any run) and return it upper-cased, runs of `*` merged.

    At least 3 fixed characters are required: fewer would match a large share of all plates, which is a
    dragnet rather than a search for a partly-read plate.
    """
    cleaned = re.sub(r"[\s\-.]", "", pattern.upper())
    cleaned = re.sub(r"\*+", "*", cleaned)
    if not cleaned:
        raise PatternError("the pattern is empty")
    if not _PATTERN.match(cleaned):
        raise PatternError("use letters, digits, '?' for one character and '*' for any run")
    fixed = sum(ch not in "?*" for ch in cleaned)
    if fixed < MIN_FIXED_CHARACTERS:
        raise PatternError(f"the pattern has {fixed} fixed characters; at least {MIN_FIXED_CHARACTERS} are needed")
    return cleaned


def has_trigram(pattern: str) -> bool:
    """True when three fixed characters stand in a row: a trigram index answers the pattern directly."""
    run = 0
    for character in pattern:
        run = run + 1 if character not in "?*" else 0
        if run == 3:
            return True
    return False


def trigram_alternatives(pattern: str) -> list[str] | None:
    """Trigrams one of which every match contains, for a pattern with no three fixed characters in a row.

    Two fixed characters next to a `?` ("7A?..." or "...?7A") or either side of one ("7?A") become the 36
    trigrams that `?` can complete; a match must contain one of them. None when the pattern has no such spot.
    """
    for position in range(len(pattern) - 2):
        window = pattern[position : position + 3]
        if "*" in window or window.count("?") != 1:
            continue
        return [window.replace("?", character) for character in ALPHABET]
    return None


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """The anchored regular expression of a parsed wildcard pattern."""
    return re.compile("^" + re.escape(pattern).replace(r"\?", ".").replace(r"\*", ".*") + "$")


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """The skeletons that count as near a plate, each with the edit that relates them, in words."""

    plate: str
    skeleton: str
    skeletons: dict[str, str]


def near_neighbourhood(plate_text: str) -> Neighbourhood:
    """Skeletons within one confusable substitution, one dropped or one extra character of a plate.

    Same skeleton: the plates differ only by confusable characters (5SOW350 / 5S0W35O).
    A deletion of the query's skeleton: the stored plate lacks one character the query has.
    An insertion into the query's skeleton: the stored plate has one character more (the reader added one,
    or the searcher dropped one).
    """
    plate = normalize_plate(plate_text)
    if not plate:
        raise PatternError("the plate is empty")
    base = skeleton(plate)
    found: dict[str, str] = {}
    for position in range(len(base) + 1):
        for character in SKELETON_ALPHABET:
            found.setdefault(base[:position] + character + base[position:], "one extra character")
    if len(base) > 2:
        for position in range(len(base)):
            found.setdefault(base[:position] + base[position + 1 :], "one character missing")
    found[base] = "confusable characters"
    return Neighbourhood(plate, base, found)


def describe_near(query: str, found: str, relation: str) -> tuple[str, str]:
    """(how, detail) for a plate found by near search: exact when it is the same text."""
    if found == query:
        return "exact", "same plate"
    return "near", f"{relation}: searched {query}, read {found}"

"""Licence plate formats by region: generate realistic plates and score how plausible a text is as a plate.

The whole library is one declarative table, `FORMATS`: region -> (vanity max length or None, format specs).
A format spec is a compact string ``PATTERN[:WEIGHT][/EXCLUDED]``:

* PATTERN tokens: ``L`` a letter, ``9`` a digit, ``A`` a letter or digit, ``[1-9]`` / ``[IZ]`` a character
  class, ``(AB|CD|E)`` one of some literal strings; any token may take a ``{n}`` or ``{m,n}`` repeat.
* WEIGHT (default 1) is the format's share of plates issued now; ``0`` marks a legacy format still seen on
  the road but no longer issued: it scores `LEGACY_SCORE` and `random_plate` never draws it.
* EXCLUDED letters are never issued by that format (typically I, O, Q, U, which read as digits).

Regions with a vanity length accept any 2..N alphanumerics at the low `VANITY_SCORE` (personalised plates).
The formats are the standard passenger-car series from public sources (state DMVs, national registration
rules, the Wikipedia plate articles); where a jurisdiction's series are mixed or uncertain a comment says so.
Patterns are compiled to one regex per region and tier at import, so `plausibility` is a few regex calls.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache

from plateledger.plates.normalize import normalize_plate
from plateledger.plates.regions import RegionError, parse_region

STANDARD_SCORE = 1.0
LEGACY_SCORE = 0.8
VANITY_SCORE = 0.25
UNKNOWN_REGION_SCORE = 0.5  # a region we hold no formats for: any sensible length is possible
UNKNOWN_REGION_MAX_LEN = 10

# Letters that most US states leave out of random serials (I/O/Q read as 1/0/0).
_US = "/IOQ"

# fmt: off
FORMATS: dict[str, tuple[int | None, tuple[str, ...]]] = {
    # ---- United States: vanity plates allow 2-7 characters in most states (8 in a few, noted).
    "US-AL": (7, ("[1-9]9?L9999:0",  # county-number prefix series: uncertain, several layouts in use
                  "[1-9]L9{4}" + _US, "[1-9]9L9{4}" + _US, "[1-9]9L{2}9{3}" + _US)),
    "US-AK": (7, ("LLL999:10" + _US,)),
    "US-AZ": (7, ("LLL9999:10" + _US, "LLL99L:0" + _US, "999LLL:0" + _US)),
    "US-AR": (7, ("LLL99L:10" + _US, "999LLL:0" + _US)),
    "US-CA": (7, ("[1-9]LLL999:10" + _US,)),
    "US-CO": (7, ("LLLL99:10" + _US, "LLL999:0" + _US, "999LLL:0" + _US)),
    "US-CT": (7, ("LL99999:10" + _US, "9LLLL9:0" + _US, "999LLL:0" + _US)),
    "US-DE": (7, ("[1-9]9{3,6}:10",)),  # plain numbers; low numbers are collectors' items
    "US-DC": (7, ("LL9999:10" + _US,)),
    "US-FL": (7, ("LLLL99:5" + _US, "999LLL:0" + _US, "LLL9L9:0" + _US)),
    "US-GA": (7, ("LLL9999:10" + _US,)),
    "US-HI": (6, ("LLL999:10" + _US,)),
    "US-ID": (7, ("[1-9]L9{4,5}:10" + _US, "[1-9]L{2}9{3,4}:0" + _US)),  # county letter+digit prefix
    "US-IL": (7, ("LL99999:10" + _US, "L999999:0" + _US, "LLL999:0" + _US)),
    "US-IN": (8, ("999LLL:5" + _US, "999LL:2" + _US, "LLL999:3" + _US)),
    "US-IA": (7, ("LLL999:10" + _US, "LLL9999:3" + _US)),
    "US-KS": (7, ("999LLL:10" + _US, "LLL999:3" + _US)),
    "US-KY": (6, ("999LLL:5" + _US, "L99LLL:5" + _US)),
    "US-LA": (7, ("999LLL:10" + _US, "LLL999:0" + _US)),
    "US-ME": (7, ("9999LL:10" + _US, "999LL:0" + _US)),
    "US-MD": (7, ("[1-9]LL9999:10" + _US, "LLL999:0" + _US)),
    "US-MA": (7, ("[1-9]LLL99:5" + _US, "[1-9]LL999:3" + _US, "999LL9:2" + _US)),
    "US-MI": (7, ("LLL9999:10" + _US, "[1-9]LLL99:0" + _US)),
    "US-MN": (7, ("LLL999:6" + _US, "999LLL:4" + _US)),
    "US-MS": (7, ("LLL9999:10" + _US, "LLL999:0" + _US)),
    "US-MO": (6, ("LL9L9L:10" + _US,)),
    "US-MT": (7, ("[1-9]9?9{4}L:10" + _US,)),  # county number + serial + letter; uncertain
    "US-NE": (7, ("LLL999:6" + _US, "[1-9]9?L9{3,4}:4" + _US)),  # big counties alpha, others county-coded
    "US-NV": (7, ("999L99:6" + _US, "[1-9]L9999:4" + _US)),
    "US-NH": (7, ("[1-9]9{5,6}:10",)),
    "US-NJ": (7, ("L99LLL:10" + _US, "LLL99L:0" + _US)),
    "US-NM": (7, ("LLL999:6" + _US, "999LLL:4" + _US)),
    "US-NY": (8, ("LLL9999:10" + _US,)),
    "US-NC": (8, ("LLL9999:10" + _US,)),
    "US-ND": (7, ("999LLL:10" + _US,)),
    "US-OH": (7, ("LLL9999:10" + _US, "LL99LL:0" + _US)),
    "US-OK": (7, ("LLL999:10" + _US, "999LLL:0" + _US)),
    "US-OR": (6, ("999LLL:5" + _US, "LLL999:5" + _US)),
    "US-PA": (8, ("LLL9999:10" + _US,)),
    "US-RI": (7, ("[1-9]9{2,5}:5", "LL999:3" + _US, "[1-9]LL999:2" + _US)),
    "US-SC": (7, ("LLL999:6" + _US, "9999LL:4" + _US)),
    "US-SD": (7, ("[1-9]9?L9{3,4}:10" + _US,)),  # county number prefix
    "US-TN": (7, ("LLL9999:6" + _US, "999LLL:4" + _US)),
    "US-TX": (7, ("LLL9999:10" + _US, "LL9L999:0" + _US, "999LLL:0" + _US)),
    "US-UT": (7, ("L999LL:6" + _US, "999L9L:4" + _US)),
    "US-VT": (7, ("LLL999:10" + _US,)),
    "US-VA": (8, ("LLL9999:10" + _US,)),
    "US-WA": (7, ("LLL9999:10" + _US, "999LLL:0" + _US)),
    "US-WV": (8, ("[1-9]LL999:6" + _US, "LLL999:4" + _US)),
    "US-WI": (7, ("LLL9999:10" + _US, "999LLL:0" + _US)),
    "US-WY": (7, ("[1-9]9?9{3,4}:10",)),  # county number 1-23 + serial
    # ---- Canada (provinces that hold most registrations).
    "CA-ON": (8, ("LLLL999:10" + _US, "LLL999:0" + _US)),
    "CA-QC": (7, ("L99LLL:6" + _US, "999LLL:4" + _US)),
    "CA-BC": (7, ("LL999L:6" + _US, "LLL999:4" + _US)),
    "CA-AB": (7, ("LLL9999:10" + _US, "LLL999:0" + _US)),
    # ---- Other countries.
    "GB": (None, ("LL99LLL:100/IQ", "LL[IZ]9{1,4}:3",  # current GB series; Northern Ireland
                  "L9{1,3}LLL:0/IQUZ", "LLL9{1,3}L:0/IQUZ", "L{1,3}9{1,4}:0", "9{1,4}L{1,3}:0")),
    "DE": (None, ("L{2,4}[1-9]9{0,3}:10", "L{5}[1-9]9{0,2}:1")),  # 1-3 area + 1-2 letters + 1-4 digits
    "FR": (None, ("LL999LL:10/IOU", "[1-9]9{0,3}L{2,3}(99|2A|2B):0")),
    "NL": (None, ("LL99LL:1/AEIOUCQMWY", "LLLL99:1/AEIOUCQMWY", "99LLLL:2/AEIOUCQMWY",
                  "99LLL9:3/AEIOUCQMWY", "9LLL99:3/AEIOUCQMWY", "LL999L:3/AEIOUCQMWY",
                  "L999LL:3/AEIOUCQMWY", "LLL99L:2/AEIOUCQMWY", "L99LLL:1/AEIOUCQMWY")),
    "IT": (None, ("LL999LL:10/IOQU",)),
    "ES": (None, ("9999LLL:10/AEIOUQ", "L{1,2}9999L{0,2}:0")),
    "PL": (None, ("LL99999:3", "LL9999L:3", "LL999LL:2", "LLL9999:2", "LLL999L:1", "LLL99LL:1")),
    "BR": (None, ("LLL9L99:6", "LLL9999:4")),
    "MX": (None, ("LLL999L:5/IOQ", "LLL9999:3/IOQ", "L99LLL:2/IOQ")),  # state series vary; uncertain
    "BE": (None, ("[1-2]LLL999:10", "LLL999:0")),
    "CH": (None, ("(AG|AI|AR|BE|BL|BS|FR|GE|GL|GR|JU|LU|NE|NW|OW|SG|SH|SO|SZ|TG|TI|UR|VD|VS|ZG|ZH)"
                  "[1-9]9{0,5}:10",)),
    "SE": (None, ("LLL99A:10/IQV",)),
    "NO": (None, ("LL99999:10/GIMOQW",)),
    "IE": (None, ("99[12]?(C|CE|CN|CW|D|DL|G|KE|KK|KY|L|LD|LH|LM|LS|MH|MN|MO|OY|RN|SO|T|W|WH|WX|WW)"
                  "[1-9]9{0,5}:10",)),
    "IN": (None, ("(AP|AR|AS|BR|CG|DL|GA|GJ|HR|HP|JH|JK|KA|KL|LA|MP|MH|MN|ML|MZ|NL|OD|PB|PY|RJ|SK|TN|TS|TR"
                  "|UP|UK|WB)99L{1,2}9999:10/IO",)),
    "AU-NSW": (6, ("LL99LL:10/IOQ",)),
    "AU-VIC": (6, ("[1-9]LL9LL:10/IOQ", "LLL999:0")),
    "AU-QLD": (8, ("999LLL:10/IOQ",)),
    "AU-WA": (8, ("[1-9]LLL999:10/IOQ",)),
    "AU-SA": (7, ("S999LLL:10/IOQ",)),
}
# fmt: on

_TOKEN = re.compile(r"(L|9|A|\[[^\]]+\]|\([^)]+\)|[A-Z0-9])(\?|\{(\d+)(?:,(\d+))?\})?")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"


@dataclass(frozen=True, slots=True)
class _Format:
    pattern: str
    weight: float
    score: float
    tokens: tuple[tuple[tuple[str, ...], int, int], ...]  # (choices, min repeat, max repeat)
    regex: str


def _class_members(body: str) -> str:
    members = []
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            members.extend(chr(c) for c in range(ord(body[i]), ord(body[i + 2]) + 1))
            i += 3
        else:
            members.append(body[i])
            i += 1
    return "".join(members)


def _parse(spec: str) -> _Format:
    pattern, _, excluded = spec.partition("/")
    pattern, _, weight_text = pattern.partition(":")
    weight = float(weight_text) if weight_text else 1.0
    letters = "".join(ch for ch in _LETTERS if ch not in excluded)
    tokens: list[tuple[tuple[str, ...], int, int]] = []
    parts: list[str] = []
    pos = 0
    while pos < len(pattern):
        match = _TOKEN.match(pattern, pos)
        if match is None:
            raise ValueError(f"bad plate pattern {pattern!r} at {pos}")
        atom, repeat, low, high = match.groups()
        if atom == "L":
            choices: tuple[str, ...] = tuple(letters)
        elif atom == "9":
            choices = tuple(_DIGITS)
        elif atom == "A":
            choices = tuple(letters + _DIGITS)
        elif atom.startswith("["):
            choices = tuple(_class_members(atom[1:-1]))
        elif atom.startswith("("):
            choices = tuple(atom[1:-1].split("|"))
        else:
            choices = (atom,)
        lo, hi = (0, 1) if repeat == "?" else (int(low), int(high or low)) if repeat else (1, 1)
        tokens.append((choices, lo, hi))
        if all(len(c) == 1 for c in choices):
            body = re.escape(choices[0]) if len(choices) == 1 else "[" + "".join(choices) + "]"
        else:
            body = "(?:" + "|".join(re.escape(c) for c in choices) + ")"
        parts.append(body if (lo, hi) == (1, 1) else f"{body}{{{lo},{hi}}}")
        pos = match.end()
    score = STANDARD_SCORE if weight > 0 else LEGACY_SCORE
    return _Format(pattern, weight, score, tuple(tokens), "".join(parts))


@dataclass(frozen=True, slots=True)
class _Region:
    formats: tuple[_Format, ...]  # index order matches the capture groups of `standard` then `legacy`
    issued: tuple[_Format, ...]
    standard: re.Pattern[str] | None
    legacy: re.Pattern[str] | None
    standard_share: tuple[float, ...]
    vanity_max: int | None


def _alternation(formats: list[_Format]) -> re.Pattern[str] | None:
    if not formats:
        return None
    return re.compile("(?:" + "|".join(f"({f.regex})" for f in formats) + r")\Z")


def _build(vanity_max: int | None, specs: tuple[str, ...]) -> _Region:
    parsed = [_parse(spec) for spec in specs]
    issued = [f for f in parsed if f.weight > 0]
    legacy = [f for f in parsed if f.weight == 0]
    total = sum(f.weight for f in issued)
    return _Region(
        formats=(*issued, *legacy),
        issued=tuple(issued),
        standard=_alternation(issued),
        legacy=_alternation(legacy),
        standard_share=tuple(f.weight / total for f in issued),
        vanity_max=vanity_max,
    )


_REGIONS: dict[str, _Region] = {code: _build(*entry) for code, entry in FORMATS.items()}
KNOWN_REGIONS: tuple[str, ...] = tuple(sorted(_REGIONS))
_NORMALISED = re.compile(r"[A-Z0-9]+\Z")


def _region_key(region: str) -> str | None:
    if region in _REGIONS:
        return region
    try:
        parsed = parse_region(region)
    except RegionError:
        return None
    return parsed if parsed in _REGIONS else None


def random_plate(region: str, rng: random.Random) -> str:
    """A plate in one of the region's currently issued formats, drawn by format weight (deterministic per rng)."""
    key = _region_key(region)
    if key is None:
        raise KeyError(f"no plate formats for region {region!r}")
    info = _REGIONS[key]
    fmt = rng.choices(info.issued, weights=[f.weight for f in info.issued])[0]
    out = []
    for choices, lo, hi in fmt.tokens:
        for _ in range(rng.randint(lo, hi)):
            out.append(rng.choice(choices))
    return "".join(out)


def _score(plate: str, info: _Region) -> tuple[float, float]:
    """(plausibility, share of the matching format among issued ones) for a normalised plate."""
    if info.standard is not None:
        match = info.standard.match(plate)
        if match:
            return STANDARD_SCORE, info.standard_share[match.lastindex - 1]  # type: ignore[operator]
    if info.legacy is not None and info.legacy.match(plate):
        return LEGACY_SCORE, 0.0
    if info.vanity_max is not None and 2 <= len(plate) <= info.vanity_max:
        return VANITY_SCORE, 0.0
    return 0.0, 0.0


@lru_cache(maxsize=65536)
def _all_scores(plate: str) -> tuple[tuple[str, float, float], ...]:
    return tuple((code, *_score(plate, info)) for code, info in _REGIONS.items())


def plausibility(plate: str, region: str | None) -> float:
    """How plausible `plate` (normalised text) is as a plate of `region`, in [0, 1].

    1.0 matches a currently issued passenger format, `LEGACY_SCORE` an older format still on the road,
    `VANITY_SCORE` only the region's personalised-plate length, 0 nothing the region issues. With `region`
    None the best score over all known regions; a region without formats scores `UNKNOWN_REGION_SCORE` for
    any text of sensible length.
    """
    if not _NORMALISED.match(plate):
        plate = normalize_plate(plate)
        if not plate:
            return 0.0
    if region is None:
        return max(score for _, score, _ in _all_scores(plate))
    key = _region_key(region)
    if key is None:
        return UNKNOWN_REGION_SCORE if len(plate) <= UNKNOWN_REGION_MAX_LEN else 0.0
    return _score(plate, _REGIONS[key])[0]


def best_regions(plate: str, limit: int = 3) -> list[tuple[str, float]]:
    """The `limit` most plausible known regions for a text, best first; regions scoring 0 are left out.

    Ties on plausibility go to the region where the matching format is a larger share of what is issued.
    """
    if not _NORMALISED.match(plate):
        plate = normalize_plate(plate)
        if not plate:
            return []
    ranked = sorted((s for s in _all_scores(plate) if s[1] > 0), key=lambda s: (-s[1], -s[2], s[0]))
    return [(code, score) for code, score, _ in ranked[:limit]]

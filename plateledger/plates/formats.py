"""Licence plate formats by region: draw realistic plates, and score how plausible a text is as a plate.

The library is one declarative table, `FORMATS`: region -> (registered vehicles in millions, vanity max length
or None, format specs). The vehicle count is a rough public figure used only to rank ties in `best_regions`
and to draw regions in `random_region`. A format spec is a compact string ``PATTERN[:WEIGHT][/EXCLUDED]``:

* PATTERN tokens: ``L`` a letter, ``9`` a digit, ``A`` a letter or digit, ``[1-9]`` / ``[DNO]`` a character
  class, ``(AB|CD|E)`` one of some literal strings, a bare letter or digit itself; any token may take a
  ``{n}``, ``{m,n}`` or ``?`` repeat.
* WEIGHT (default 1) is the format's share of the plates issued now. ``0`` marks a legacy format still on
  the road but no longer issued: it scores `LEGACY_SCORE`, and `random_plate` never draws it.
* EXCLUDED letters are left out of that format's ``L`` and ``A`` tokens (typically I, O, Q, which read as
  digits); character classes and literals are taken as written.

Regions with a vanity length also accept any 2..N alphanumerics, at the low `VANITY_SCORE` (personalised
plates). Formats are the standard passenger-car series as publicly documented (DMV pages, national
registration rules, the Wikipedia plate articles); where a jurisdiction's series are mixed or the split
between them is uncertain, a comment says so. Patterns compile to one regex per region and tier at import,
so `plausibility` costs a couple of regex calls (and `region=None` one cached pass over all regions).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache

from plateledger.plates.normalize import normalize_plate
from plateledger.plates.regions import RegionError, country_of, parse_region

STANDARD_SCORE = 1.0
LEGACY_SCORE = 0.8
VANITY_SCORE = 0.25
UNKNOWN_REGION_SCORE = 0.5  # a region we hold no formats for: any text of sensible length may be a plate

# Letters that most US states leave out of random serials (I/O/Q read as 1/0/0).
_US = "/IOQ"
_NL = "/ACEIMOQUWY"  # the Netherlands: consonants only, and not C, Q, M or W
# Idaho county codes: the county's initial, preceded by its rank among counties with that initial.
_ID = (
    "(1A|2A|1B|2B|3B|4B|5B|6B|7B|8B|9B|10B|1C|2C|3C|4C|5C|6C|7C|E|1F|2F|1G|2G|I|1J|2J|K|1L|2L|3L|4L"
    "|1M|2M|N|1O|2O|1P|2P|S|1T|2T|V|W)"
)
_PL = "/BDIOZ"
_PL2 = "[BCDEFGKLNOPRSTWZ][A-Z]"  # Polish voivodeship letter + district letter
_PL3 = "[BCDEFGKLNOPRSTWZ][A-Z]{2}"

# fmt: off
FORMATS: dict[str, tuple[float, int | None, tuple[str, ...]]] = {
    # ---- United States. Vanity plates: 2-7 characters in most states, 8 where the state allows it.
    # Alabama: county number (1-67) + county-sequence letters/digits, several layouts; approximate.
    "US-AL": (5, 7, ("[1-9]L9999L:3" + _US, "[1-9]L99LLL:2" + _US, "[1-9]L99L9L:2" + _US,
                     "[1-6]9L999L:1" + _US, "[1-6]9L99L9:1" + _US, "[1-6]9L9L99:1" + _US,
                     "[1-9]LL9999:0" + _US, "[1-6]9LL999:0" + _US)),
    "US-AK": (0.8, 7, ("LLL999:10" + _US,)),
    # Arizona: six characters, the fourth always a digit, the others letters or digits.
    "US-AZ": (6, 7, ("AAA9AA:10/IOQU", "LLL9999:0" + _US)),
    "US-AR": (3, 7, ("LLL99L:10" + _US, "999LLL:0" + _US)),
    "US-CA": (36, 7, ("[1-9]LLL999:10" + _US,)),
    "US-CO": (5, 7, ("LLLL99:10" + _US, "999LLL:0" + _US, "LLL999:0" + _US)),
    "US-CT": (2.9, 7, ("LL99999:10" + _US, "[1-9]LLLL9:0" + _US, "[1-9]99LLL:0" + _US)),
    "US-DE": (1, 7, ("[1-9]9{5}:10", "[1-9]9{1,4}:1")),  # all-numeric; short numbers are heirlooms
    "US-DC": (0.3, 7, ("LL9999:10" + _US,)),
    # Florida issues from several six-character blocks at once.
    "US-FL": (18, 7, ("LLLL99:5" + _US, "L999LL:1" + _US, "99LLLL:1" + _US, "9999LL:1" + _US,
                      "LL99LL:1" + _US, "L9999L:1" + _US, "LLL999:1" + _US)),
    "US-GA": (8.5, 7, ("LLL9999:10" + _US,)),
    "US-HI": (1.2, 6, ("LLL999:10" + _US,)),  # first letter codes the island
    # Idaho: county code (optional ordinal + county initial) then serial.
    "US-ID": (2, 7, (_ID + "9{4,5}:5" + _US, _ID + "L9{3,4}:3" + _US, _ID + "LL9{3}:2" + _US)),
    "US-IL": (10.5, 7, ("LL99999:10" + _US, "L999999:0" + _US)),
    "US-IN": (6, 8, ("999LLL:5" + _US, "999LL:2" + _US, "999L:1" + _US)),
    "US-IA": (3.8, 7, ("LLL999:10" + _US,)),
    "US-KS": (2.6, 7, ("9999LLL:10" + _US, "999LLL:0" + _US)),
    "US-KY": (4, 7, ("LLL999:10" + _US, "999LLL:0" + _US)),
    "US-LA": (4, 7, ("999LLL:10" + _US, "LLL999:0" + _US)),
    "US-ME": (1.1, 7, ("9999LL:10" + _US, "999LL:2" + _US)),
    "US-MD": (5, 7, ("[1-9]LL9999:10" + _US, "LLL999:0" + _US)),
    # Massachusetts: last digit of some series codes the expiry month; mixed blocks.
    "US-MA": (5, 7, ("[1-9]LLL99:5" + _US, "[1-9]LL999:2" + _US, "999LL9:2" + _US, "99LL99:1" + _US)),
    "US-MI": (8.5, 7, ("LLL9999:10" + _US, "[1-9]LLL99:0" + _US, "999LLL:0" + _US)),
    "US-MN": (5.5, 7, ("LLL999:5" + _US, "999LLL:5" + _US)),
    "US-MS": (2, 7, ("LLL9999:10" + _US, "LLL999:0" + _US)),
    "US-MO": (5.5, 7, ("LL9L9L:10" + _US,)),
    "US-MT": (1.8, 7, ("[1-9]9{5}L:10" + _US,)),  # county number (1-56) + serial + letter
    # Nebraska: sequential three-letter serials in the big counties, county number + serial elsewhere.
    "US-NE": (2, 7, ("LLL999:6" + _US, "[1-9]L9999:2" + _US, "[1-9]9L999:1" + _US, "[1-9]9LL99:1" + _US)),
    "US-NV": (2.5, 7, ("99L999:10" + _US, "999LLL:0" + _US)),
    "US-NH": (1.3, 7, ("[1-9]9{6}:10", "[1-9]9{5}:0")),
    "US-NJ": (6, 7, ("L99LLL:10" + _US, "LLL99L:0" + _US)),
    "US-NM": (1.8, 7, ("LLL999:5" + _US, "999LLL:5" + _US)),
    "US-NY": (11, 8, ("LLL9999:10" + _US, "LLL999:0" + _US)),
    "US-NC": (9, 8, ("LLL9999:10" + _US, "LLL999:0" + _US)),
    "US-ND": (1, 7, ("999LLL:10" + _US,)),
    "US-OH": (10.5, 7, ("LLL9999:10" + _US, "LLL999:0" + _US)),
    "US-OK": (3.5, 7, ("LLL999:10" + _US, "999LLL:0" + _US)),
    "US-OR": (4, 7, ("999LLL:5" + _US, "LLL999:5" + _US)),
    "US-PA": (10.5, 8, ("LLL9999:10" + _US, "LLL999:0" + _US)),
    "US-RI": (0.9, 7, ("[1-9]9{5}:8", "[1-9]9{2,4}:1", "[1-9]LL999:1" + _US)),  # mainly numeric; uncertain
    "US-SC": (4.5, 7, ("LLL999:6" + _US, "9999LL:4" + _US)),  # uncertain split between the two series
    # South Dakota: county number (1-67) + letters + digits.
    "US-SD": (1.3, 7, ("[1-9]LL999:3" + _US, "[1-9]LLL99:2" + _US, "[1-6]9L999:2" + _US, "[1-6]9LL99:2" + _US,
                       "[1-6]9LLL9:1" + _US)),
    # Tennessee: ABC1234 on the standard plate, 123ABCD on the "In God We Trust" variant.
    "US-TN": (6, 7, ("LLL9999:7" + _US, "999LLLL:3" + _US, "LLL999:0" + _US, "999LLL:0" + _US)),
    "US-TX": (24, 7, ("LLL9999:10" + _US, "LL9L999:0" + _US, "LLL999:0" + _US)),
    "US-UT": (2.5, 7, ("L999LL:10" + _US, "999LLL:0" + _US)),
    "US-VT": (0.6, 7, ("LLL999:10" + _US,)),
    "US-VA": (8, 8, ("LLL9999:10" + _US, "LLL999:0" + _US)),
    "US-WA": (7, 7, ("LLL9999:10" + _US, "999LLL:0" + _US)),
    # West Virginia: the first character codes the expiry month (1-9, then O, N, D).
    "US-WV": (1.6, 8, ("[1-9DNO]LL9999:6" + _US, "[1-9DNO]9L9999:4" + _US, "[1-9DNO]LL999:0" + _US)),
    "US-WI": (5.5, 7, ("LLL9999:10" + _US, "999LLL:0" + _US)),
    "US-WY": (0.8, 7, ("[1-9]9{5}:6", "[1-9]9{4}L:2" + _US, "[12]99{5}:2")),  # county number (1-23) + serial
    # ---- Canada (the provinces holding most registrations).
    "CA-ON": (9, 8, ("LLLL999:10" + _US, "LLL999:0" + _US)),
    "CA-QC": (6, 7, ("L99LLL:6" + _US, "999LLL:4" + _US, "LLL999:0" + _US)),  # uncertain split
    "CA-BC": (3.5, 7, ("LL999L:6" + _US, "LLL999:4" + _US, "999LLL:0" + _US)),
    "CA-AB": (3.5, 7, ("LLL9999:10" + _US, "LLL999:0" + _US)),
    "CA-MB": (1, 7, ("LLL999:10" + _US,)),
    "CA-SK": (1, 7, ("999LLL:10" + _US,)),
    # ---- Other countries.
    # GB: current series (area letters, age digits, random letters); Northern Ireland (letter + two-letter
    # county code holding I or Z + 1-4 digits); older prefix, suffix and dateless marks, still common.
    "GB": (41, None, ("LL[0-7]9LLL:100/IQ",
                      "L(IA|IB|IG|IJ|IL|IW|OI|UI|XI|AZ|BZ|CZ|DZ|EZ|FZ|GZ|HZ|JZ|KZ|LZ|MZ|NZ|PZ|RZ|SZ|TZ|UZ|WZ|XZ|YZ)"
                      "[1-9]9{0,3}:3",
                      "L[1-9]9{0,2}LLL:0/IQUZ", "LLL[1-9]9{0,2}L:0/IQUZ", "L{1,3}[1-9]9{0,3}:0",
                      "[1-9]9{0,3}L{1,3}:0")),
    # DE: district 1-3 letters + 1-2 letters + 1-4 digits (no leading 0), at most 8; E/H suffix for
    # electric and historic vehicles.
    "DE": (49, None, ("L{2,4}[1-9]9{0,3}:20", "LLLLL[1-9]9{0,2}:2", "L{2,4}[1-9]9{0,3}(E|H):1")),
    # FR: SIV series since 2009; the older FNI series ended with the departement number.
    "FR": (39, None, ("LL999LL:10/IOU", "[1-9]9{0,3}L{2,3}99:0",
                      "[1-9]9{0,3}L{2,3}(2A|2B|971|972|973|974|976):0")),
    # NL: passenger-car sidecodes 4-14 (letters are consonants only, without C, Q, M, W); 1-3 are old.
    "NL": (9, None, ("LL99LL:1" + _NL, "LLLL99:1" + _NL, "99LLLL:2" + _NL, "99LLL9:2" + _NL, "9LLL99:3" + _NL,
                     "LL999L:2" + _NL, "L999LL:3" + _NL, "LLL99L:3" + _NL, "L99LLL:3" + _NL, "9LL999:2" + _NL,
                     "999LL9:1" + _NL, "LL9999:0" + _NL, "9999LL:0" + _NL, "99LL99:0" + _NL)),
    "IT": (40, None, ("LL999LL:10/IOQU",)),
    # ES: national series since 2000 (no vowels, no Q); older provincial series.
    "ES": (29, None, ("9999LLL:10/AEIOUQ", "L{1,2}9999L{0,2}:0")),
    # PL: voivodeship letter + 1-2 district letters, then an individual part (which avoids B, D, I, O, Z).
    "PL": (26, None, (_PL2 + "99999:3" + _PL, _PL2 + "9999L:2" + _PL, _PL2 + "999LL:2" + _PL,
                      _PL2 + "9L999:1" + _PL, _PL2 + "9LL99:1" + _PL, _PL3 + "9999:2" + _PL,
                      _PL3 + "999L:1" + _PL, _PL3 + "99LL:1" + _PL, _PL3 + "L999:1" + _PL, _PL3 + "9L99:1" + _PL)),
    "BR": (60, None, ("LLL9L99:6", "LLL9999:4")),  # Mercosur series and the older national series
    "MX": (35, None, ("LLL999L:5/IOQ", "LLL9999:3/IOQ", "L99LLL:2/IOQ")),  # state series vary; uncertain
    "BE": (6, None, ("[12]LLL999:10", "LLL999:0", "999LLL:0")),
    "CH": (5, None, ("(AG|AI|AR|BE|BL|BS|FR|GE|GL|GR|JU|LU|NE|NW|OW|SG|SH|SO|SZ|TG|TI|UR|VD|VS|ZG|ZH)"
                     "[1-9]9{0,5}:10",)),
    "SE": (5, None, ("LLL99A:10/IQVW",)),
    "NO": (3, None, ("LL[1-9]9999:10/IMOQW",)),
    # IE: year (+ half-year digit since 2013), county code, sequence.
    "IE": (2.5, None, ("[12]9[12](C|CE|CN|CW|D|DL|G|KE|KK|KY|L|LD|LH|LM|LS|MH|MN|MO|OY|RN|SO|T|W|WH|WX|WW)"
                       "[1-9]9{0,5}:10",
                       "9{2}(C|CE|CN|CW|D|DL|G|KE|KK|KY|L|LD|LH|LK|LM|LS|MH|MN|MO|OY|RN|SO|TN|TS|W|WD|WH|WX|WW)"
                       "[1-9]9{0,5}:0")),
    # IN: state code + district number + series letters + number; the national BH series.
    "IN": (50, None, ("(AP|AR|AS|BR|CG|DL|GA|GJ|HR|HP|JH|JK|KA|KL|LA|MP|MH|MN|ML|MZ|NL|OD|PB|PY|RJ|SK|TN|TS|TR"
                      "|UP|UK|WB)99L{1,2}9999:10/IO", "99BH9999L{1,2}:1/IO")),
    "AU-NSW": (5.5, 6, ("LL99LL:10/IOQ",)),
    "AU-VIC": (5, 6, ("[1-9]LL9LL:10/IOQ", "LLL999:0")),
    "AU-QLD": (4, 6, ("999LLL:8/IOQ", "999LL9:2/IOQ")),
    "AU-WA": (2.3, 7, ("[1-9]LLL999:10/IOQ", "[1-9]LL999:0")),
    "AU-SA": (1.4, 7, ("S999LLL:10/IOQ", "LLL999:0")),
}
# fmt: on

_TOKEN = re.compile(r"(L|9|A|\[[^\]]+\]|\([^)]+\)|[A-Z0-9])(\?|\{(\d+)(?:,(\d+))?\})?")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
_NORMALISED = re.compile(r"[A-Z0-9]+\Z")

_Token = tuple[tuple[str, ...], int, int]  # (choices, fewest repeats, most repeats)


@dataclass(frozen=True, slots=True)
class _Format:
    weight: float
    tokens: tuple[_Token, ...]
    regex: str


def _class_members(body: str) -> str:
    """The characters of a class body such as "1-9" or "0-25-7DNO"."""
    members: list[str] = []
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
    letters = "".join(ch for ch in _LETTERS if ch not in excluded)
    tokens: list[_Token] = []
    parts: list[str] = []
    pos = 0
    while pos < len(pattern):
        match = _TOKEN.match(pattern, pos)
        if match is None:
            raise ValueError(f"bad plate pattern {pattern!r} at position {pos}")
        atom, repeat, low, high = match.groups()
        if atom == "L":
            choices: tuple[str, ...] = tuple(letters)
        elif atom == "9":
            choices = tuple(_DIGITS)
        elif atom == "A":
            choices = tuple(letters + _DIGITS)
        elif atom[0] == "[":
            choices = tuple(_class_members(atom[1:-1]))
        elif atom[0] == "(":
            choices = tuple(atom[1:-1].split("|"))
        else:
            choices = (atom,)
        if not all(_NORMALISED.match(choice) for choice in choices):
            raise ValueError(f"plate pattern {pattern!r}: {atom!r} must hold only letters and digits")
        lo, hi = (0, 1) if repeat == "?" else (int(low), int(high or low)) if repeat else (1, 1)
        tokens.append((choices, lo, hi))
        if all(len(choice) == 1 for choice in choices):
            body = choices[0] if len(choices) == 1 else "[" + "".join(choices) + "]"
        else:
            body = "(?:" + "|".join(choices) + ")"
        parts.append(body if (lo, hi) == (1, 1) else f"{body}{{{lo},{hi}}}")
        pos = match.end()
    return _Format(float(weight_text or 1), tuple(tokens), "".join(parts))


@dataclass(frozen=True, slots=True)
class _Region:
    vehicles: float
    vanity_max: int | None
    issued: tuple[_Format, ...]
    issued_weights: tuple[float, ...]
    shares: tuple[float, ...]  # each issued format's share, in the order of `standard`'s groups
    standard: re.Pattern[str]
    legacy: re.Pattern[str] | None
    legacy_regexes: tuple[str, ...]


def _alternation(formats: list[_Format]) -> re.Pattern[str] | None:
    if not formats:
        return None
    return re.compile("(?:" + "|".join(f"({fmt.regex})" for fmt in formats) + r")\Z")


def _build(code: str, vehicles: float, vanity_max: int | None, specs: tuple[str, ...]) -> _Region:
    parsed = [_parse(spec) for spec in specs]
    issued = [fmt for fmt in parsed if fmt.weight > 0]
    if not issued:
        raise ValueError(f"{code}: no currently issued format")
    legacy = [fmt for fmt in parsed if fmt.weight == 0]
    total = sum(fmt.weight for fmt in issued)
    standard = _alternation(issued)
    assert standard is not None
    return _Region(
        vehicles=vehicles,
        vanity_max=vanity_max,
        issued=tuple(issued),
        issued_weights=tuple(fmt.weight for fmt in issued),
        shares=tuple(fmt.weight / total for fmt in issued),
        standard=standard,
        legacy=_alternation(legacy),
        legacy_regexes=tuple(fmt.regex for fmt in legacy),
    )


_REGIONS: dict[str, _Region] = {code: _build(code, *row) for code, row in FORMATS.items()}
KNOWN_REGIONS: tuple[str, ...] = tuple(sorted(_REGIONS))
# For region None: one alternation over every region's patterns answers "best score anywhere" directly.
_ANY_STANDARD = re.compile(
    "(?:" + "|".join(sorted({fmt.regex for info in _REGIONS.values() for fmt in info.issued})) + r")\Z"
)
_ANY_LEGACY = re.compile(
    "(?:" + "|".join(sorted({regex for info in _REGIONS.values() for regex in info.legacy_regexes})) + r")\Z"
)
_ANY_VANITY_MAX = max(info.vanity_max or 0 for info in _REGIONS.values())
# The longest plate any known region issues (Ireland, 11): a region without formats gets no longer ones.
UNKNOWN_REGION_MAX_LEN = max(
    sum(hi * max(map(len, choices)) for choices, _, hi in fmt.tokens)
    for info in _REGIONS.values()
    for fmt in info.issued
)


def _region_key(region: str) -> str | None:
    """The table key for a region string ("US-CA", "us-ca", "ca"), or None when we hold no formats for it."""
    if region in _REGIONS:
        return region
    try:
        parsed = parse_region(region)
    except RegionError:
        return None
    return parsed if parsed in _REGIONS else None


def random_region(rng: random.Random, country: str | None = None) -> str:
    """A known region drawn by registered vehicles, optionally within one country ("US" -> a US state)."""
    codes = [code for code in KNOWN_REGIONS if country is None or country_of(code) == country.upper()]
    if not codes:
        raise KeyError(f"no plate formats for country {country!r}")
    return rng.choices(codes, weights=[_REGIONS[code].vehicles for code in codes])[0]


def random_plate(region: str, rng: random.Random) -> str:
    """A normalised plate in one of the region's issued formats, drawn by weight; deterministic per rng state."""
    key = _region_key(region)
    if key is None:
        raise KeyError(f"no plate formats for region {region!r}")
    info = _REGIONS[key]
    fmt = rng.choices(info.issued, weights=info.issued_weights)[0]
    out: list[str] = []
    for choices, lo, hi in fmt.tokens:
        out.extend(rng.choice(choices) for _ in range(rng.randint(lo, hi)))
    return "".join(out)


def _score(plate: str, info: _Region) -> tuple[float, float]:
    """(plausibility, share of the matching issued format) of a normalised plate in one region."""
    match = info.standard.match(plate)
    if match is not None and match.lastindex is not None:
        return STANDARD_SCORE, info.shares[match.lastindex - 1]
    if info.legacy is not None and info.legacy.match(plate):
        return LEGACY_SCORE, 0.0
    if info.vanity_max is not None and 2 <= len(plate) <= info.vanity_max:
        return VANITY_SCORE, 0.0
    return 0.0, 0.0


@lru_cache(maxsize=65536)
def _all_scores(plate: str) -> tuple[tuple[str, float, float], ...]:
    return tuple((code, *_score(plate, info)) for code, info in _REGIONS.items())


def _clean(plate: str) -> str:
    return plate if _NORMALISED.match(plate) else normalize_plate(plate)


def plausibility(plate: str, region: str | None) -> float:
    """How plausible `plate` is as a plate of `region`, in [0, 1].

    1.0 for a currently issued passenger format, `LEGACY_SCORE` for an older series still on the road,
    `VANITY_SCORE` when only the region's personalised-plate length fits, 0 when the region issues nothing
    like it (too long, wrong shape where no personalised plates exist). `region` None scores against every
    known region and returns the best; a region we hold no formats for scores `UNKNOWN_REGION_SCORE` for any
    text up to `UNKNOWN_REGION_MAX_LEN`. `plate` should be normalised; other text is normalised first.
    `region` is an ISO 3166-2 code as `parse_region` returns it ("DE" is Germany here); other spellings
    ("us-ca", "ca") go through `parse_region`.
    """
    plate = _clean(plate)
    if not plate:
        return 0.0
    if region is None:
        if _ANY_STANDARD.match(plate):
            return STANDARD_SCORE
        if _ANY_LEGACY.match(plate):
            return LEGACY_SCORE
        return VANITY_SCORE if 2 <= len(plate) <= _ANY_VANITY_MAX else 0.0
    key = _region_key(region)
    if key is None:
        return UNKNOWN_REGION_SCORE if len(plate) <= UNKNOWN_REGION_MAX_LEN else 0.0
    return _score(plate, _REGIONS[key])[0]


def best_regions(plate: str, limit: int = 3, country: str | None = None) -> list[tuple[str, float]]:
    """The `limit` most plausible known regions for a text as (region, plausibility), best first.

    Regions scoring 0 are left out. Ties on plausibility go first to regions of `country` when given (a
    deployment's home country), then to the larger expected count of such plates: the matching format's
    share of issuance times the region's registered vehicles, then to the region with more vehicles.
    """
    plate = _clean(plate)
    if not plate or limit <= 0:
        return []
    home = country.upper() if country else None

    def rank(entry: tuple[str, float, float]) -> tuple[float, bool, float, float, str]:
        code, score, share = entry
        vehicles = _REGIONS[code].vehicles
        return -score, country_of(code) != home, -share * vehicles, -vehicles, code

    ranked = sorted((entry for entry in _all_scores(plate) if entry[1] > 0), key=rank)
    return [(code, score) for code, score, _ in ranked[:limit]]

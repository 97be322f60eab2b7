"""The plate read: what a camera reports, validated, and what the store gives back.

Times are integers of milliseconds since the Unix epoch (UTC) on the hot paths: ingest and lookup handle
millions of reads, and a datetime per read costs more than the rest of the work. `to_datetime` and
`to_epoch_ms` convert at the edges.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from plateledger.plates.normalize import normalize_plate
from plateledger.plates.regions import RegionError, parse_region

MAX_FUTURE_MS = 5 * 60 * 1000
MAX_RAW_LENGTH = 32  # OCR text of one plate, with spaces and punctuation
MAX_SOURCE_ID_LENGTH = 60  # characters; UTF-8 keeps it within the frame format's 255 bytes
CONFIDENCE_RANGE = (0.0, 100.0)


def to_epoch_ms(moment: datetime) -> int:
    """Milliseconds since the epoch for an aware datetime (naive datetimes are refused: they hide bugs)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give a timezone")
    return int(moment.timestamp() * 1000)


def to_datetime(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class Candidate:
    """An alternative OCR reading of the same plate, as the engine reported it."""

    plate: str
    confidence: float


class NewRead(NamedTuple):
    """A read as a camera reported it, before it is stored. (A named tuple: cheap to build by the million.)

    `plate_raw` is the OCR text exactly as received; the normalised plate is derived from it. `confidence` is a
    percentage (0-100); adapters convert 0-1 scores. `lat`/`lon` may be left out for a fixed camera, whose
    registered position is then used. `source_id` is the camera software's own id for the read, when it has
    one: it makes ingest idempotent.
    """

    plate_raw: str
    observed_ms: int
    camera_id: str
    confidence: float = 100.0
    region: str | None = None
    region_assumed: bool = False
    lat: float | None = None
    lon: float | None = None
    heading: float | None = None
    source_id: str | None = None
    candidates: tuple[Candidate, ...] = ()


class StoredRead(NamedTuple):
    """A read as the store returns it. `id` is the store's id; `pass_id` groups the frames of one pass.

    A named tuple rather than a dataclass: searches build thousands per query, and a tuple is built several
    times faster than a frozen dataclass.
    """

    id: int
    pass_id: int
    plate: str
    plate_raw: str
    region: str | None
    region_assumed: bool
    confidence: float
    observed_ms: int
    lat: float
    lon: float
    heading: float | None
    camera_id: str
    agency_id: str
    source_id: str | None = None
    candidates: tuple[Candidate, ...] = ()
    is_best: bool = False

    @property
    def observed_at(self) -> datetime:
        return to_datetime(self.observed_ms)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why one item of a batch was not stored: the field at fault and the reason, in words."""

    index: int
    field: str
    reason: str


@dataclass(slots=True)
class BatchResult:
    """The outcome of a batch append, item by item: stored ids, or refusals naming field and reason."""

    stored: dict[int, int] = field(default_factory=dict)  # batch index -> read id
    duplicates: dict[int, int] = field(default_factory=dict)  # batch index -> id of the read stored before
    refused: list[Refusal] = field(default_factory=list)

    @property
    def stored_count(self) -> int:
        return len(self.stored)

    def outcome(self, index: int) -> dict[str, object]:
        """The per-item answer an API returns: stored (with id), duplicate, or refused (with field, reason)."""
        if index in self.stored:
            return {"index": index, "status": "stored", "id": self.stored[index]}
        if index in self.duplicates:
            return {"index": index, "status": "duplicate", "id": self.duplicates[index]}
        for refusal in self.refused:
            if refusal.index == index:
                return {"index": index, "status": "refused", "field": refusal.field, "reason": refusal.reason}
        raise KeyError(index)


class InvalidRead(ValueError):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


# Ingest sees the same raw plate texts and region strings over and over; these caches keep validation cheap.
_PLATES: dict[str, str] = {}
_REGIONS: dict[tuple[str | None, str], str | None] = {}
_CACHE_LIMIT = 500_000


def _normalized(raw: str) -> str:
    plate = _PLATES.get(raw)
    if plate is None:
        if len(_PLATES) > _CACHE_LIMIT:
            _PLATES.clear()
        plate = _PLATES[raw] = normalize_plate(raw)
    return plate


def _region(text: str | None, default_country: str) -> str | None:
    key = (text, default_country)
    try:
        return _REGIONS[key]
    except KeyError:
        pass
    try:
        region = parse_region(text, default_country)
    except RegionError as error:
        raise InvalidRead("region", str(error)) from None
    if len(_REGIONS) > _CACHE_LIMIT:
        _REGIONS.clear()
    _REGIONS[key] = region
    return region


def validate_read(read: NewRead, now: int, default_country: str = "US") -> tuple[str, str | None]:
    """Check one read; return its normalised plate and region, or raise InvalidRead naming field and reason."""
    raw = read.plate_raw
    if not isinstance(raw, str):
        raise InvalidRead("plate", "must be text")
    plate = _normalized(raw)
    if not plate:
        raise InvalidRead("plate", "is empty after removing spaces and punctuation")
    if len(raw) > MAX_RAW_LENGTH:
        raise InvalidRead("plate", f"raw text of {len(raw)} characters is longer than {MAX_RAW_LENGTH}")
    if len(plate) > 12:
        raise InvalidRead("plate", f"{len(plate)} characters is longer than any plate (12 at most)")
    observed = read.observed_ms
    if type(observed) is not int:
        raise InvalidRead("observed_at", "must be a time")
    if observed > now + MAX_FUTURE_MS:
        raise InvalidRead("observed_at", "is more than 5 minutes in the future")
    if observed < 0:
        raise InvalidRead("observed_at", "is before 1970")
    low, high = CONFIDENCE_RANGE
    if not low <= read.confidence <= high:
        raise InvalidRead("confidence", f"{read.confidence} is outside {low:g}-{high:g}")
    lat, lon = read.lat, read.lon
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            raise InvalidRead("lat" if lat is None else "lon", "latitude and longitude come together")
        if not -90.0 <= lat <= 90.0:
            raise InvalidRead("lat", f"{lat} is outside -90..90")
        if not -180.0 <= lon <= 180.0:
            raise InvalidRead("lon", f"{lon} is outside -180..180")
    if read.heading is not None and not 0.0 <= read.heading < 360.0:
        raise InvalidRead("heading", f"{read.heading} is outside 0..360")
    if not read.camera_id:
        raise InvalidRead("camera_id", "is empty")
    if read.source_id is not None and not 0 < len(read.source_id) <= MAX_SOURCE_ID_LENGTH:
        raise InvalidRead("source_id", f"must be 1 to {MAX_SOURCE_ID_LENGTH} characters")
    return plate, _region(read.region, default_country)


# A read that passed validation: (batch index, the read, its normalised plate, its region).
Accepted = tuple[int, NewRead, str, str | None]


def validate_batch(
    reads: Sequence[NewRead], now: int, default_country: str = "US"
) -> tuple[list[Accepted], list[Refusal]]:
    """Validate every read of a batch: the valid ones go on with their batch index, the others are refused."""
    clean = _validate_clean_batch(reads, now, default_country)
    if clean is not None:
        return clean, []
    accepted: list[Accepted] = []
    refused: list[Refusal] = []
    for index, read in enumerate(reads):
        try:
            plate, region = validate_read(read, now, default_country)
        except InvalidRead as error:
            refused.append(Refusal(index, error.field, error.reason))
            continue
        accepted.append((index, read, plate, region))
    return accepted, refused


def _validate_clean_batch(reads: Sequence[NewRead], now: int, default_country: str) -> list[Accepted] | None:
    """The same checks as `validate_read`, column by column; None when any read might fail one of them.

    Bulk ingest validates a million reads in about a second this way: each check is one call over a whole
    column (min, max, count, map) that runs in C. A batch that fails any check goes read by read instead, so
    every refusal names its field and reason exactly as `validate_read` gives them.
    """
    if not reads:
        return []
    try:
        raws, observed, cameras, confidences, regions, _, lats, lons, headings, source_ids, _ = zip(*reads, strict=True)
        if set(map(type, raws)) != {str} or set(map(type, observed)) != {int}:
            return None
        plates = [_PLATES.get(raw) or _normalized(raw) for raw in raws]
        if "" in plates or max(map(len, raws)) > MAX_RAW_LENGTH or max(map(len, plates)) > 12:
            return None
        if max(observed) > now + MAX_FUTURE_MS or min(observed) < 0:
            return None
        if not _all_within(confidences, *CONFIDENCE_RANGE) or not all(cameras):
            return None
        if [lat is None for lat in lats] != [lon is None for lon in lons]:
            return None  # a latitude without its longitude, or the reverse
        if not _all_within([v for v in lats if v is not None], -90.0, 90.0):
            return None
        if not _all_within([v for v in lons if v is not None], -180.0, 180.0):
            return None
        present = [v for v in headings if v is not None]
        if not _all_within(present, 0.0, 360.0) or 360.0 in present:
            return None
        lengths = [len(v) for v in source_ids if v is not None]
        if lengths and (min(lengths) < 1 or max(lengths) > MAX_SOURCE_ID_LENGTH):
            return None
        region_of = {text: _region(text, default_country) for text in set(regions)}
    except (TypeError, ValueError):  # InvalidRead is a ValueError
        return None
    return list(zip(range(len(reads)), reads, plates, map(region_of.__getitem__, regions), strict=True))


def _all_within(values: Sequence[float], low: float, high: float) -> bool:
    """Every value in [low, high]. A NaN makes the sum NaN, which equals nothing (min and max can miss it)."""
    if not values:
        return True
    total = sum(values)
    return total == total and low <= min(values) and max(values) <= high

"""The store contract: what every backend (SQLite, PostgreSQL) offers, in backend-neutral types.

Nothing here names a database. Search takes the agencies whose reads it may return: the policy gate decides
that set; the store only filters by it. Times are epoch milliseconds (see plateledger.reads).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, Protocol

from plateledger.reads import BatchResult, NewRead, StoredRead

AgencyKind = Literal["local", "state", "federal", "private"]
CameraKind = Literal["fixed", "mobile"]
MatchKind = Literal["exact", "near", "wildcard", "area"]


class StoreError(Exception):
    """A request the store cannot carry out, explained in words (unknown camera, schema too new...)."""


class NotFound(StoreError):
    pass


class SchemaTooNew(StoreError):
    pass


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    name: str
    kind: AgencyKind
    jurisdiction: str  # ISO 3166-2, e.g. "US-CA"


@dataclass(frozen=True, slots=True)
class Camera:
    id: str
    agency_id: str
    kind: CameraKind
    description: str = ""
    lat: float | None = None  # fixed cameras: registered position; mobile: None (GPS on each read)
    lon: float | None = None
    heading: float | None = None
    created_ms: int = 0


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A closed interval of observation times, epoch milliseconds."""

    start_ms: int
    end_ms: int

    def __post_init__(self) -> None:
        if self.end_ms < self.start_ms:
            raise ValueError("time window ends before it starts")


@dataclass(frozen=True, slots=True)
class Circle:
    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True, slots=True)
class Polygon:
    points: tuple[tuple[float, float], ...]  # (lat, lon) vertices, at least 3, not closed


Area = Circle | Polygon


class Hit(NamedTuple):
    """One read in a search result, and how it matched: `how` is the kind, `detail` says it in words."""

    read: StoredRead
    how: MatchKind
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    hits: list[Hit]
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class PassSummary:
    """The frames of one vehicle at one camera within seconds, with the best frame."""

    id: int
    camera_id: str
    agency_id: str
    first_ms: int
    last_ms: int
    best: StoredRead
    frames: list[StoredRead] = field(default_factory=list)


class ReadStore(Protocol):
    """A plate read store. Every backend passes tests/store/test_contract.py."""

    # -- registry ---------------------------------------------------------------------------------------
    def add_agency(self, agency: Agency) -> None: ...
    def get_agency(self, agency_id: str) -> Agency: ...
    def list_agencies(self) -> list[Agency]: ...
    def add_camera(self, camera: Camera) -> None: ...
    def move_camera(self, camera_id: str, lat: float, lon: float, heading: float | None, since_ms: int) -> None: ...
    def get_camera(self, camera_id: str) -> Camera: ...
    def list_cameras(self, agency_id: str | None = None) -> list[Camera]: ...

    # -- reads ------------------------------------------------------------------------------------------
    def append(self, reads: Sequence[NewRead]) -> BatchResult:
        """Validate and durably store a batch. Valid items are stored even when others are refused."""
        ...

    def get_read(self, read_id: int) -> StoredRead: ...
    def get_pass(self, pass_id: int) -> PassSummary: ...
    def count_reads(self) -> int: ...

    # -- search: none of these scans every read ------------------------------------------------------------
    def search_exact(
        self,
        plate: str,
        window: TimeWindow,
        *,
        region: str | None = None,
        agencies: Collection[str] | None = None,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page: ...

    def search_near(
        self,
        plate: str,
        window: TimeWindow,
        *,
        agencies: Collection[str] | None = None,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page: ...

    def search_wildcard(
        self,
        pattern: str,
        window: TimeWindow,
        *,
        agencies: Collection[str] | None = None,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page: ...

    def search_area(
        self,
        area: Area,
        window: TimeWindow,
        *,
        agencies: Collection[str] | None = None,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page: ...

    def close(self) -> None: ...

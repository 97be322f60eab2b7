"""What the SQLite and PostgreSQL read stores share: registry calls, single reads and the four searches.

Both backends keep the same layout (passes with packed frames, a dictionary of distinct plates). This base
class holds the logic that does not depend on the database: normalising the query, building the match
judge, paging. A backend supplies its connections and transactions and the few SQL statements that differ
(placeholders, array parameters, its trigram index), through the hooks at the top of the class.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from plateledger.plates.normalize import normalize_plate
from plateledger.plates.regions import RegionError, parse_region
from plateledger.reads import BatchResult, NewRead, StoredRead
from plateledger.search.patterns import describe_near, near_neighbourhood, parse_wildcard, wildcard_regex
from plateledger.store.contract import Agency, Area, Camera, NotFound, Page, PassSummary, TimeWindow
from plateledger.store.frames import split_read_id
from plateledger.store.gcpause import gc_paused
from plateledger.store.geo import bounding_box, cells_covering, contains, to_e6, validate_area
from plateledger.store.paging import check_page_arguments, window_bounds

if TYPE_CHECKING:  # the backends' classes, for types only: they import this module
    from plateledger.store.sqlite.dictionary import PlateDictionary
    from plateledger.store.sqlite.reader import PassReader, PassRow
    from plateledger.store.sqlite.registry import Registry

MAX_WILDCARD_PLATES = 5_000
AREA_MARGIN_DEGREES = 0.003  # about 300 m: a vehicle moves a little between the frames of a pass

# (SQL yielding pass ids with their first_ms, with `{keyset}` where the cursor condition goes; parameters)
Selection = tuple[str, Sequence[object]]
# (min_lat_e6, max_lat_e6, min_lon_e6, max_lon_e6)
Box = tuple[int, int, int, int]


class PassStore:
    default_country: str
    _registry: Registry
    _plates: PlateDictionary
    _reader: PassReader

    # -- what a backend supplies ---------------------------------------------------------------------------------
    def _read_connection(self) -> Any:
        raise NotImplementedError

    def _write(self, action: Any, *args: Any) -> None:
        """Run a registry change in one write transaction."""
        raise NotImplementedError

    def _append(self, reads: Sequence[NewRead]) -> BatchResult:
        raise NotImplementedError

    def _pass_row(self, connection: Any, pass_id: int) -> PassRow | None:
        raise NotImplementedError

    def _plate_id(self, connection: Any, plate: str) -> int | None:
        return self._plates.id_of(connection, plate)

    def _plate_selections(self, plate_ids: Collection[int], window: TimeWindow) -> list[Selection]:
        """Passes of these plates (or holding a frame read as one of them) with first_ms in the window."""
        raise NotImplementedError

    def _plates_with_skeletons(self, connection: Any, skeletons: list[str]) -> Iterable[tuple[int, str, str]]:
        """(id, plate, skeleton) of every stored plate whose skeleton is one of these."""
        raise NotImplementedError

    def _wildcard_plate_ids(self, connection: Any, parsed: str, cap: int) -> list[int]:
        """Ids of the plates matching a parsed wildcard, at most `cap` of them, from the trigram index."""
        raise NotImplementedError

    def _area_selection(self, cell: int, low: int, high: int, sites: list[int], box: Box) -> Selection:
        """Passes in this cell with first_ms in [low, high], at one of these sites or with GPS in the box."""
        raise NotImplementedError

    # -- registry ------------------------------------------------------------------------------------------------
    def add_agency(self, agency: Agency) -> None:
        self._write(self._registry.add_agency, agency)

    def get_agency(self, agency_id: str) -> Agency:
        for agency in self.list_agencies():
            if agency.id == agency_id:
                return agency
        raise NotFound(f"agency {agency_id!r} does not exist")

    def list_agencies(self) -> list[Agency]:
        return self._registry.agencies(self._read_connection())

    def add_camera(self, camera: Camera) -> None:
        self._write(self._registry.add_camera, camera)

    def move_camera(self, camera_id: str, lat: float, lon: float, heading: float | None, since_ms: int) -> None:
        self._write(self._registry.move_camera, camera_id, lat, lon, heading, since_ms)

    def get_camera(self, camera_id: str) -> Camera:
        connection = self._read_connection()
        if self._registry.stale(connection):  # moved by another process: show where it stands now
            self._registry.load(connection)
        return self._registry.camera_record(connection, camera_id)

    def list_cameras(self, agency_id: str | None = None) -> list[Camera]:
        connection = self._read_connection()
        self._registry.load(connection)
        return [
            self._registry.camera_record(connection, code)
            for code, row in sorted(self._registry.cameras.items())
            if agency_id is None or row.agency_code == agency_id
        ]

    # -- reads ----------------------------------------------------------------------------------------------------
    def append(self, reads: Sequence[NewRead]) -> BatchResult:
        with gc_paused():
            return self._append(reads)

    def _pass_reads(self, pass_id: int) -> list[StoredRead]:
        connection = self._read_connection()
        row = self._pass_row(connection, pass_id)
        if row is None:
            raise NotFound(f"pass {pass_id} does not exist")
        return sorted(self._reader.decode(connection, [row])[0], key=lambda read: read.id)  # in frame order

    def get_read(self, read_id_value: int) -> StoredRead:
        pass_id, index = split_read_id(read_id_value)
        try:
            reads = self._pass_reads(pass_id)
        except NotFound:
            raise NotFound(f"read {read_id_value} does not exist") from None
        if index >= len(reads):
            raise NotFound(f"read {read_id_value} does not exist")
        return reads[index]

    def get_pass(self, pass_id: int) -> PassSummary:
        reads = self._pass_reads(pass_id)
        best = next(read for read in reads if read.is_best)
        return PassSummary(
            id=pass_id,
            camera_id=best.camera_id,
            agency_id=best.agency_id,
            first_ms=min(read.observed_ms for read in reads),
            last_ms=max(read.observed_ms for read in reads),
            best=best,
            frames=reads,
        )

    def count_reads(self) -> int:
        row = self._read_connection().execute("SELECT value FROM counters WHERE name = 'reads'").fetchone()
        return int(row[0])

    # -- search ---------------------------------------------------------------------------------------------------
    def search_exact(
        self,
        plate: str,
        window: TimeWindow,
        *,
        region: str | None = None,
        agencies: Collection[str] | None = None,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page:
        check_page_arguments(limit, cursor)
        wanted = normalize_plate(plate)
        if not wanted:
            raise ValueError("plate is empty")
        try:
            wanted_region = parse_region(region, self.default_country) if region else None
        except RegionError as error:
            raise ValueError(str(error)) from None
        connection = self._read_connection()
        plate_id = self._plate_id(connection, wanted)
        if plate_id is None:
            return Page([])

        def judge(read: StoredRead) -> tuple[str, str] | None:
            if read.plate != wanted or (wanted_region is not None and read.region != wanted_region):
                return None
            return "exact", "same plate and region" if wanted_region else "same plate"

        selections = self._plate_selections([plate_id], window)
        return self._reader.page(connection, selections, window, judge, agencies, limit, cursor)

    def search_near(
        self,
        plate: str,
        window: TimeWindow,
        *,
        agencies: Collection[str] | None = None,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page:
        check_page_arguments(limit, cursor)
        neighbourhood = near_neighbourhood(plate)
        connection = self._read_connection()
        relation_of: dict[str, str] = {}
        plate_ids: list[int] = []
        for plate_id, text, found_skeleton in self._plates_with_skeletons(connection, list(neighbourhood.skeletons)):
            plate_ids.append(plate_id)
            relation_of[text] = neighbourhood.skeletons[found_skeleton]
        if not plate_ids:
            return Page([])

        def judge(read: StoredRead) -> tuple[str, str] | None:
            relation = relation_of.get(read.plate)
            return None if relation is None else describe_near(neighbourhood.plate, read.plate, relation)  # type: ignore[return-value]

        selections = self._plate_selections(plate_ids, window)
        return self._reader.page(connection, selections, window, judge, agencies, limit, cursor)

    def search_wildcard(
        self,
        pattern: str,
        window: TimeWindow,
        *,
        agencies: Collection[str] | None = None,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page:
        check_page_arguments(limit, cursor)
        parsed = parse_wildcard(pattern)
        connection = self._read_connection()
        plate_ids = self._wildcard_plate_ids(connection, parsed, MAX_WILDCARD_PLATES + 1)
        if len(plate_ids) > MAX_WILDCARD_PLATES:
            raise ValueError(f"pattern {parsed} matches more than {MAX_WILDCARD_PLATES} plates: add characters")
        if not plate_ids:
            return Page([])
        regex = wildcard_regex(parsed)

        def judge(read: StoredRead) -> tuple[str, str] | None:
            return ("wildcard", f"{read.plate} matches {parsed}") if regex.match(read.plate) else None

        selections = self._plate_selections(plate_ids, window)
        return self._reader.page(connection, selections, window, judge, agencies, limit, cursor)

    def search_area(
        self,
        area: Area,
        window: TimeWindow,
        *,
        agencies: Collection[str] | None = None,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page:
        check_page_arguments(limit, cursor)
        validate_area(area)
        cells = cells_covering(area)
        low, high = window_bounds(window)
        # Fixed sites inside the area are known from the registry; passes with their own GPS position are kept
        # by a bounding box with a margin. Only those passes are decoded; the exact test runs on each frame.
        connection = self._read_connection()
        sites_inside = self._registry.sites_inside(connection, area)
        min_lat, min_lon, max_lat, max_lon = bounding_box(area)
        box = (
            to_e6(min_lat - AREA_MARGIN_DEGREES),
            to_e6(max_lat + AREA_MARGIN_DEGREES),
            to_e6(min_lon - AREA_MARGIN_DEGREES),
            to_e6(max_lon + AREA_MARGIN_DEGREES),
        )

        inside: dict[tuple[float, float], bool] = {}  # most reads sit at a few fixed sites: test each spot once

        def judge(read: StoredRead) -> tuple[str, str] | None:
            spot = (read.lat, read.lon)
            verdict = inside.get(spot)
            if verdict is None:
                verdict = inside[spot] = contains(area, read.lat, read.lon)
            return ("area", "inside the area") if verdict else None

        # One selection per cell: each walks its (cell, first_ms) range newest first and stops at the chunk
        # size, where one `cell IN (...)` query would sort every pass of the day in all cells, chunk after chunk.
        selections = [self._area_selection(cell, low, high, sites_inside, box) for cell in cells]
        return self._reader.page(connection, selections, window, judge, agencies, limit, cursor)

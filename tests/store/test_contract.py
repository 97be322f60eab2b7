"""The read store contract: every backend passes this suite, which uses nothing backend-specific.

Backends come from the `store` / `new_store` fixtures in tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plateledger.reads import Candidate, NewRead, StoredRead, now_ms
from plateledger.store.contract import (
    Agency,
    Camera,
    Circle,
    Hit,
    NotFound,
    Page,
    Polygon,
    ReadStore,
    StoreError,
    TimeWindow,
)

SECOND = 1_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
METRES_PER_DEGREE_LAT = 6_371_008.8 * math.pi / 180  # along a meridian, on the mean-radius sphere


def read(plate: str, at: int, camera: str = "fixed-1", **fields: object) -> NewRead:
    return NewRead(plate_raw=plate, observed_ms=at, camera_id=camera, **fields)  # type: ignore[arg-type]


def stored_one(store: ReadStore, new_read: NewRead) -> StoredRead:
    result = store.append([new_read])
    assert result.refused == [], result.refused
    return store.get_read(result.stored[0])


def all_hits(search: Callable[..., Page], limit: int = 1000) -> list[Hit]:
    """Every hit of a search, page by page, checking each page's size on the way."""
    hits: list[Hit] = []
    cursor = None
    for _ in range(10_000):
        page = search(limit=limit, cursor=cursor)
        assert len(page.hits) <= limit
        hits.extend(page.hits)
        if page.next_cursor is None:
            return hits
        assert len(page.hits) == limit, "a page with more to come is full"
        cursor = page.next_cursor
    raise AssertionError("paging never ended")


def ids(hits: list[Hit]) -> list[int]:
    return [hit.read.id for hit in hits]


def everything(t0: int) -> TimeWindow:
    return TimeWindow(t0 - 30 * 24 * HOUR, t0 + 30 * 24 * HOUR)


def north_of(lat: float, lon: float, metres: float) -> tuple[float, float]:
    return lat + metres / METRES_PER_DEGREE_LAT, lon


# -- registry -----------------------------------------------------------------------------------------------------


def test_agencies_are_listed_and_fetched(store: ReadStore) -> None:
    first = Agency("metro-pd", "Metro Police Department", "local", "US-CA")
    second = Agency("chp", "California Highway Patrol", "state", "US-CA")
    store.add_agency(first)
    store.add_agency(second)
    assert store.get_agency("chp") == second
    assert store.get_agency("metro-pd") == first
    assert sorted(store.list_agencies(), key=lambda agency: agency.id) == [second, first]
    with pytest.raises(NotFound):
        store.get_agency("nobody")


def test_an_agency_is_added_once(store: ReadStore, agency: Agency) -> None:
    store.add_agency(agency)
    with pytest.raises(StoreError):
        store.add_agency(Agency(agency.id, "Another name", "state", "US-NV"))
    assert store.list_agencies() == [agency]


def test_cameras_round_trip_and_list_by_agency(
    registered_store: ReadStore, fixed_camera: Camera, mobile_camera: Camera
) -> None:
    store = registered_store
    other = Agency("chp", "California Highway Patrol", "state", "US-CA")
    store.add_agency(other)
    theirs = Camera("chp-1", other.id, "fixed", lat=38.5816, lon=-121.4944, created_ms=5)
    store.add_camera(theirs)
    assert store.get_camera(fixed_camera.id) == fixed_camera
    assert store.get_camera(mobile_camera.id) == mobile_camera
    assert store.get_camera(theirs.id) == theirs
    assert {camera.id for camera in store.list_cameras()} == {fixed_camera.id, mobile_camera.id, theirs.id}
    assert sorted(store.list_cameras(fixed_camera.agency_id), key=lambda camera: camera.id) == [
        fixed_camera,
        mobile_camera,
    ]
    assert store.list_cameras(other.id) == [theirs]
    with pytest.raises(NotFound):
        store.get_camera("nope")


def test_a_camera_is_added_once(registered_store: ReadStore, fixed_camera: Camera) -> None:
    moved = Camera(fixed_camera.id, fixed_camera.agency_id, "fixed", lat=1.0, lon=2.0)
    with pytest.raises(StoreError):
        registered_store.add_camera(moved)
    assert registered_store.get_camera(fixed_camera.id) == fixed_camera


def test_a_camera_needs_a_known_agency(store: ReadStore) -> None:
    with pytest.raises(NotFound):
        store.add_camera(Camera("orphan", "no-such-agency", "fixed", lat=1.0, lon=2.0))
    assert store.list_cameras() == []


def test_a_fixed_camera_needs_a_position(store: ReadStore, agency: Agency) -> None:
    store.add_agency(agency)
    with pytest.raises(StoreError):
        store.add_camera(Camera("nowhere", agency.id, "fixed"))
    with pytest.raises(NotFound):
        store.get_camera("nowhere")


def test_moving_a_camera_keeps_earlier_reads_where_they_were(
    registered_store: ReadStore, fixed_camera: Camera, t0: int
) -> None:
    store = registered_store
    before = stored_one(store, read("7ABC123", t0))
    moved_at = t0 + HOUR
    store.move_camera(fixed_camera.id, 37.8044, -122.2712, 180.0, since_ms=moved_at)
    after = stored_one(store, read("7ABC123", moved_at + HOUR))

    camera = store.get_camera(fixed_camera.id)
    assert (camera.lat, camera.lon, camera.heading) == (37.8044, -122.2712, 180.0)
    assert (store.get_read(before.id).lat, store.get_read(before.id).lon) == (fixed_camera.lat, fixed_camera.lon)
    assert store.get_read(before.id).heading == fixed_camera.heading
    assert (after.lat, after.lon, after.heading) == (37.8044, -122.2712, 180.0)
    old_place = Circle(fixed_camera.lat, fixed_camera.lon, 50)  # type: ignore[arg-type]
    assert ids(store.search_area(old_place, everything(t0)).hits) == [before.id]
    assert ids(store.search_area(Circle(37.8044, -122.2712, 50), everything(t0)).hits) == [after.id]


def test_a_read_uploaded_after_a_move_is_placed_by_its_time(
    registered_store: ReadStore, fixed_camera: Camera, t0: int
) -> None:
    store = registered_store
    moved_at = t0 + HOUR
    store.move_camera(fixed_camera.id, 37.8044, -122.2712, 180.0, since_ms=moved_at)
    # A read the camera buffered before the move and uploaded after it: its time says where it was taken.
    late = stored_one(store, read("7ABC123", moved_at - 5 * MINUTE))
    assert (late.lat, late.lon) == (fixed_camera.lat, fixed_camera.lon)


def test_a_move_right_after_a_read_does_not_pull_the_next_read_back(
    registered_store: ReadStore, fixed_camera: Camera, t0: int
) -> None:
    store = registered_store
    # 30 m east: the same grid cell in any cell-based index, so only the move separates the two reads.
    before = stored_one(store, read("7ABC123", t0))
    store.move_camera(fixed_camera.id, fixed_camera.lat, -122.41906, 90.0, since_ms=t0 + 1)  # type: ignore[arg-type]
    after = stored_one(store, read("7ABC123", t0 + 2 * SECOND))
    assert after.pass_id != before.pass_id
    assert (after.lat, after.lon) == (fixed_camera.lat, -122.41906)
    assert store.get_read(before.id).lon == fixed_camera.lon


def test_only_a_known_fixed_camera_moves(registered_store: ReadStore, mobile_camera: Camera, t0: int) -> None:
    with pytest.raises(NotFound):
        registered_store.move_camera("nope", 1.0, 2.0, None, since_ms=t0)
    with pytest.raises(StoreError):
        registered_store.move_camera(mobile_camera.id, 1.0, 2.0, None, since_ms=t0)


# -- append -------------------------------------------------------------------------------------------------------


def test_a_mixed_batch_stores_the_valid_items(registered_store: ReadStore, t0: int) -> None:
    store = registered_store
    batch = [
        read("7ABC123", t0),
        read(" -- ", t0),
        read("8XYZ999", t0 + SECOND, confidence=75.5),
        read("5SOW350", t0, camera="no-such-camera"),
    ]
    result = store.append(batch)
    assert sorted(result.stored) == [0, 2]
    assert result.duplicates == {}
    assert {(refusal.index, refusal.field) for refusal in result.refused} == {(1, "plate"), (3, "camera_id")}
    assert result.outcome(0) == {"index": 0, "status": "stored", "id": result.stored[0]}
    assert result.outcome(3)["status"] == "refused"
    assert store.count_reads() == 2
    assert store.get_read(result.stored[2]).plate == "8XYZ999"
    assert store.get_read(result.stored[2]).confidence == 75.5
    assert len(set(result.stored.values())) == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"plate_raw": ""}, "plate", id="empty plate"),
        pytest.param({"plate_raw": "- . -"}, "plate", id="only punctuation"),
        pytest.param({"lat": 90.5, "lon": -122.0}, "lat", id="lat above 90"),
        pytest.param({"lat": -91.0, "lon": -122.0}, "lat", id="lat below -90"),
        pytest.param({"lat": 37.0, "lon": 180.5}, "lon", id="lon above 180"),
        pytest.param({"lat": 37.0, "lon": -181.0}, "lon", id="lon below -180"),
        pytest.param({"observed_ms": "future"}, "observed_at", id="in the future"),
        pytest.param({"confidence": 100.1}, "confidence", id="confidence above 100"),
        pytest.param({"confidence": -0.5}, "confidence", id="confidence below 0"),
        pytest.param({"region": "California!!"}, "region", id="region syntax"),
        pytest.param({"camera_id": "no-such-camera"}, "camera_id", id="unknown camera"),
        pytest.param({"camera_id": "mobile-1"}, "lat", id="mobile without gps"),
        pytest.param({"camera_id": "mobile-1", "lat": 0.0, "lon": 0.0}, "lat", id="mobile at 0,0"),
        pytest.param({"observed_ms": "before registration"}, "observed_at", id="before the camera existed"),
    ],
)
def test_a_bad_item_is_refused_naming_field_and_reason(
    registered_store: ReadStore, fixed_camera: Camera, t0: int, fields: dict[str, object], field: str
) -> None:
    store = registered_store
    if fields.get("observed_ms") == "future":
        fields = {**fields, "observed_ms": now_ms() + 10 * MINUTE}
    elif fields.get("observed_ms") == "before registration":
        fields = {**fields, "observed_ms": fixed_camera.created_ms - 1}
    bad = NewRead(**{"plate_raw": "7ABC123", "observed_ms": t0, "camera_id": fixed_camera.id, **fields})  # type: ignore[arg-type]
    good = read("8XYZ999", t0 + HOUR)
    result = store.append([good, bad])
    assert list(result.stored) == [0]
    assert len(result.refused) == 1
    refusal = result.refused[0]
    assert (refusal.index, refusal.field) == (1, field)
    assert isinstance(refusal.reason, str)
    assert refusal.reason.strip()
    assert result.outcome(1) == {"index": 1, "status": "refused", "field": field, "reason": refusal.reason}
    assert store.count_reads() == 1


def test_a_read_a_few_minutes_ahead_is_accepted(registered_store: ReadStore) -> None:
    # Camera clocks drift: up to 5 minutes ahead is tolerated.
    result = registered_store.append([read("7ABC123", now_ms() + 4 * MINUTE)])
    assert list(result.stored) == [0]


def test_a_source_id_is_stored_once_across_batches(registered_store: ReadStore, t0: int) -> None:
    store = registered_store
    first = store.append([read("7ABC123", t0, source_id="cam-0001")])
    again = store.append([read("7ABC123", t0, source_id="cam-0001"), read("8XYZ999", t0, source_id="cam-0002")])
    assert again.duplicates == {0: first.stored[0]}
    assert list(again.stored) == [1]
    assert again.outcome(0) == {"index": 0, "status": "duplicate", "id": first.stored[0]}
    assert store.count_reads() == 2
    assert store.get_read(first.stored[0]).source_id == "cam-0001"


def test_a_source_id_is_stored_once_within_a_batch(registered_store: ReadStore, t0: int) -> None:
    store = registered_store
    result = store.append(
        [
            read("7ABC123", t0, source_id="cam-0001"),
            read("8XYZ999", t0 + SECOND, source_id="cam-0002"),
            read("7ABC123", t0, source_id="cam-0001"),
        ]
    )
    assert sorted(result.stored) == [0, 1]
    assert result.duplicates == {2: result.stored[0]}
    assert store.count_reads() == 2
    window = everything(t0)
    assert len(store.search_exact("7ABC123", window).hits) == 1


def test_source_ids_belong_to_their_agency(registered_store: ReadStore, t0: int) -> None:
    store = registered_store
    store.add_agency(Agency("chp", "California Highway Patrol", "state", "US-CA"))
    store.add_camera(Camera("chp-1", "chp", "fixed", lat=38.5816, lon=-121.4944))
    ours = store.append([read("7ABC123", t0, source_id="0001")])
    theirs = store.append([read("7ABC123", t0, camera="chp-1", source_id="0001")])
    assert list(ours.stored) == [0]
    assert list(theirs.stored) == [0]
    assert store.count_reads() == 2


def test_raw_text_is_kept_beside_the_normalised_plate(registered_store: ReadStore, t0: int) -> None:
    store = registered_store
    messy = stored_one(store, read("5sow-350", t0))
    assert (messy.plate, messy.plate_raw) == ("5SOW350", "5sow-350")
    clean = stored_one(store, read("5SOW350", t0 + HOUR))
    assert (clean.plate, clean.plate_raw) == ("5SOW350", "5SOW350")
    spaced = stored_one(store, read("5 SOW 350", t0 + 2 * HOUR))
    assert (spaced.plate, spaced.plate_raw) == ("5SOW350", "5 SOW 350")


# Normalises to a plausible plate, but its raw text runs to 256 bytes: a cut at 255 falls inside a character.
OVERSIZED_RAW = "7ABC1234" + "\u00b7" * 124
OVERSIZED_SOURCE = "unit-12/" + "\u00e9" * 124


@pytest.mark.parametrize("fields", [{"plate_raw": OVERSIZED_RAW}, {"source_id": OVERSIZED_SOURCE}])
def test_long_texts_are_kept_whole_or_refused_alone(
    registered_store: ReadStore, t0: int, fields: dict[str, str]
) -> None:
    store = registered_store
    long = NewRead(**{"plate_raw": "7ABC1234", "observed_ms": t0, "camera_id": "fixed-1", **fields})  # type: ignore[arg-type]
    result = store.append([read("8XYZ999", t0), long])
    assert list(result.stored)[:1] == [0], "the other item is stored"
    if result.refused:
        assert [(refusal.index, refusal.field) for refusal in result.refused] in (
            [(1, "plate")],
            [(1, "plate_raw")],
            [(1, "source_id")],
        )
        return
    stored = store.get_read(result.stored[1])
    assert (stored.plate_raw, stored.source_id) == (long.plate_raw, long.source_id)


@pytest.mark.parametrize("fields", [{"plate_raw": OVERSIZED_RAW}, {"source_id": OVERSIZED_SOURCE}])
def test_long_texts_never_make_stored_reads_unreadable(
    registered_store: ReadStore, t0: int, fields: dict[str, str]
) -> None:
    store = registered_store
    first = stored_one(store, read("7ABC1234", t0, confidence=90.0))
    long = NewRead(**{"plate_raw": "7ABC1234", "observed_ms": t0 + 500, "camera_id": "fixed-1", **fields})  # type: ignore[arg-type]
    with contextlib.suppress(ValueError):  # refusing the whole batch is crude, but it keeps what was stored
        result = store.append([long])
        if result.stored:
            stored = store.get_read(result.stored[0])
            assert (stored.plate_raw, stored.source_id) == (long.plate_raw, long.source_id)
    assert store.get_read(first.id) == first
    assert first.id in ids(store.search_exact("7ABC1234", everything(t0)).hits)
    assert store.append([read("7ABC1234", t0 + SECOND)]).stored, "the store still takes reads"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("ca", "US-CA"),
        ("US-TX", "US-TX"),
        ("us_nv", "US-NV"),
        ("FR", "FR"),
        ("de", "US-DE"),
        ("unknown", None),
        (None, None),
    ],
)
def test_regions_are_kept_as_iso_codes(
    registered_store: ReadStore, t0: int, given: str | None, kept: str | None
) -> None:
    stored = stored_one(registered_store, read("7ABC123", t0, region=given))
    assert stored.region == kept


def test_every_field_of_a_read_round_trips(
    registered_store: ReadStore, fixed_camera: Camera, mobile_camera: Camera, t0: int
) -> None:
    store = registered_store
    candidates = (Candidate("8ABC123", 61.5), Candidate("7A8C123", 40.0))
    from_mobile = stored_one(
        store,
        read(
            "7abc123",
            t0,
            camera=mobile_camera.id,
            confidence=93.5,
            region="ca",
            region_assumed=True,
            lat=37.7793,
            lon=-122.4192,
            heading=271.5,
            source_id="unit-12/000042",
            candidates=candidates,
        ),
    )
    assert from_mobile.plate == "7ABC123"
    assert from_mobile.plate_raw == "7abc123"
    assert from_mobile.region == "US-CA"
    assert from_mobile.region_assumed is True
    assert from_mobile.confidence == 93.5
    assert from_mobile.observed_ms == t0
    assert (from_mobile.lat, from_mobile.lon, from_mobile.heading) == (37.7793, -122.4192, 271.5)
    assert (from_mobile.camera_id, from_mobile.agency_id) == (mobile_camera.id, mobile_camera.agency_id)
    assert from_mobile.source_id == "unit-12/000042"
    assert from_mobile.candidates == candidates

    at_fixed = stored_one(store, read("8XYZ999", t0 + HOUR, confidence=50.0))
    assert (at_fixed.lat, at_fixed.lon) == (fixed_camera.lat, fixed_camera.lon)
    assert (at_fixed.camera_id, at_fixed.agency_id) == (fixed_camera.id, fixed_camera.agency_id)
    assert at_fixed.region is None
    assert at_fixed.region_assumed is False
    assert at_fixed.source_id is None
    assert at_fixed.candidates == ()
    assert at_fixed.observed_at.year == 2024
    assert store.get_read(from_mobile.id) == from_mobile


def test_unknown_ids_are_not_found(registered_store: ReadStore, t0: int) -> None:
    stored = stored_one(registered_store, read("7ABC123", t0))
    for missing in (stored.id + 1, stored.id + 10_000, 0):
        with pytest.raises(NotFound):
            registered_store.get_read(missing)
    with pytest.raises(NotFound):
        registered_store.get_pass(stored.pass_id + 1_000)


def test_count_reads_counts_stored_reads_only(registered_store: ReadStore, t0: int) -> None:
    store = registered_store
    assert store.count_reads() == 0
    store.append([read("7ABC123", t0), read("7ABC123", t0 + SECOND), read("", t0)])
    store.append([read("8XYZ999", t0 + HOUR, source_id="a"), read("8XYZ999", t0 + HOUR, source_id="a")])
    assert store.count_reads() == 3


# -- passes -------------------------------------------------------------------------------------------------------


def test_frames_seconds_apart_form_one_pass_with_its_best_frame(
    registered_store: ReadStore, fixed_camera: Camera, t0: int
) -> None:
    store = registered_store
    result = store.append(
        [
            read("7ABC123", t0, confidence=71.0),
            read("7ABC123", t0 + 400, confidence=96.5),
            read("7ABC123", t0 + 900, confidence=88.0),
        ]
    )
    reads = [store.get_read(result.stored[index]) for index in range(3)]
    assert len({stored.pass_id for stored in reads}) == 1
    summary = store.get_pass(reads[0].pass_id)
    assert summary.id == reads[0].pass_id
    assert (summary.camera_id, summary.agency_id) == (fixed_camera.id, fixed_camera.agency_id)
    assert (summary.first_ms, summary.last_ms) == (t0, t0 + 900)
    assert summary.best.id == reads[1].id
    assert summary.best.confidence == 96.5
    assert sorted(frame.id for frame in summary.frames) == sorted(stored.id for stored in reads)
    assert [frame.id for frame in summary.frames if frame.is_best] == [reads[1].id]
    assert [stored.is_best for stored in reads] == [False, True, False]


def test_a_pass_continues_across_batches(registered_store: ReadStore, t0: int) -> None:
    store = registered_store
    first = stored_one(store, read("7ABC123", t0, confidence=60.0))
    second = stored_one(store, read("7ABC123", t0 + 2 * SECOND, confidence=90.0))
    third = stored_one(store, read("7ABC123", t0 + 4 * SECOND, confidence=80.0))
    assert first.pass_id == second.pass_id == third.pass_id
    summary = store.get_pass(first.pass_id)
    assert summary.best.id == second.id
    assert (summary.first_ms, summary.last_ms) == (t0, t0 + 4 * SECOND)
    assert len(summary.frames) == 3
    assert store.get_read(first.id).is_best is False
    assert store.get_read(second.id).is_best is True


def test_writers_on_one_database_continue_each_others_passes(
    registered_store: ReadStore, second_handle: Callable[[ReadStore], ReadStore], t0: int
) -> None:
    # Two server processes on one database (or one restarted in the middle of a pass): each must see the frames
    # the other stored, or the pass splits in two and, worse, two frames get the same read id.
    first_writer, second_writer = registered_store, second_handle(registered_store)
    first = stored_one(first_writer, read("7ABC123", t0, confidence=60.0))
    second = stored_one(second_writer, read("7ABC123", t0 + 2 * SECOND, confidence=90.0))
    third = stored_one(first_writer, read("7ABC123", t0 + 4 * SECOND, confidence=80.0))
    fourth = stored_one(second_writer, read("7A8C123", t0 + 5 * SECOND, confidence=70.0))  # B read as 8
    assert first.pass_id == second.pass_id == third.pass_id == fourth.pass_id
    assert len({first.id, second.id, third.id, fourth.id}) == 4
    for handle in (first_writer, second_writer):
        summary = handle.get_pass(first.pass_id)
        assert [frame.observed_ms for frame in summary.frames] == [
            t0,
            t0 + 2 * SECOND,
            t0 + 4 * SECOND,
            t0 + 5 * SECOND,
        ]
        assert summary.best.id == second.id
        found = all_hits(lambda **page: handle.search_exact("7ABC123", everything(t0), **page))  # noqa: B023
        assert sorted(ids(found)) == sorted([first.id, second.id, third.id])


def test_a_pass_left_out_of_a_resume_is_still_joined(
    registered_store: ReadStore, second_handle: Callable[[ReadStore], ReadStore], t0: int
) -> None:
    # After another writer, a writer reloads the open passes of its batch's plates only; a pass it wrote
    # before, of another plate, must still take that vehicle's next frame.
    writer, other = registered_store, second_handle(registered_store)
    first = stored_one(writer, read("7ABC123", t0))
    stored_one(other, read("4XYZ987", t0 + SECOND))
    stored_one(writer, read("5JKL456", t0 + 2 * SECOND))  # reloads 5JKL456's passes, not 7ABC123's
    again = stored_one(writer, read("7ABC123", t0 + 3 * SECOND))  # nobody wrote in between
    assert again.pass_id == first.pass_id
    assert [frame.id for frame in writer.get_pass(first.pass_id).frames] == [first.id, again.id]


def test_a_camera_moved_through_another_handle_places_later_reads_there(
    registered_store: ReadStore, second_handle: Callable[[ReadStore], ReadStore], fixed_camera: Camera, t0: int
) -> None:
    writer, other = registered_store, second_handle(registered_store)
    before = stored_one(writer, read("7ABC123", t0))  # the writer's camera cache is warm
    other.move_camera(fixed_camera.id, 37.8044, -122.2712, 180.0, since_ms=t0 + HOUR)
    after = stored_one(writer, read("7ABC123", t0 + 2 * HOUR))
    assert (after.lat, after.lon, after.heading) == (37.8044, -122.2712, 180.0)
    assert (before.lat, before.lon) == (fixed_camera.lat, fixed_camera.lon)


def test_registry_changes_through_another_handle_are_seen(
    store: ReadStore, second_handle: Callable[[ReadStore], ReadStore], agency: Agency, fixed_camera: Camera
) -> None:
    other = second_handle(store)
    store.list_cameras()  # this handle's registry cache is loaded (and empty)
    other.add_agency(agency)
    store.add_camera(fixed_camera)  # the agency is another handle's
    assert other.get_camera(fixed_camera.id).lat == fixed_camera.lat  # other's cache is warm
    store.move_camera(fixed_camera.id, 37.8044, -122.2712, 180.0, since_ms=fixed_camera.created_ms + HOUR)
    moved = other.get_camera(fixed_camera.id)
    assert (moved.lat, moved.lon, moved.heading) == (37.8044, -122.2712, 180.0)


def test_a_frame_half_a_minute_later_starts_a_new_pass(registered_store: ReadStore, t0: int) -> None:
    store = registered_store
    result = store.append([read("7ABC123", t0), read("7ABC123", t0 + 30 * SECOND)])
    first, later = (store.get_read(result.stored[index]) for index in (0, 1))
    assert first.pass_id != later.pass_id
    assert first.is_best and later.is_best
    assert [frame.id for frame in store.get_pass(later.pass_id).frames] == [later.id]


def test_cameras_never_share_a_pass(registered_store: ReadStore, mobile_camera: Camera, t0: int) -> None:
    store = registered_store
    result = store.append(
        [
            read("7ABC123", t0),
            read("7ABC123", t0 + 200, camera=mobile_camera.id, lat=37.7749, lon=-122.4194),
            read("7ABC123", t0 + 400),
        ]
    )
    at_fixed, at_mobile, at_fixed_again = (store.get_read(result.stored[index]) for index in range(3))
    assert at_fixed.pass_id == at_fixed_again.pass_id
    assert at_mobile.pass_id != at_fixed.pass_id
    assert store.get_pass(at_mobile.pass_id).camera_id == mobile_camera.id


def test_different_plates_never_share_a_pass(registered_store: ReadStore, t0: int) -> None:
    result = registered_store.append([read("7ABC123", t0), read("8XYZ999", t0 + 100)])
    assert len({registered_store.get_read(identifier).pass_id for identifier in result.stored.values()}) == 2


# -- exact search -------------------------------------------------------------------------------------------------


def test_exact_search_respects_both_ends_of_the_window(registered_store: ReadStore, t0: int) -> None:
    store = registered_store
    window = TimeWindow(t0, t0 + MINUTE)
    result = store.append(
        [
            read("7ABC123", t0 - 1),
            read("7ABC123", t0),
            read("7ABC123", t0 + MINUTE),
            read("7ABC123", t0 + MINUTE + 1),
            read("7ABC123", t0 - HOUR),
            read("7ABC123", t0 + HOUR),
        ]
    )
    found = store.search_exact("7ABC123", window)
    assert sorted(ids(found.hits)) == sorted([result.stored[1], result.stored[2]])
    assert found.next_cursor is None
    assert all(hit.how == "exact" and hit.read.plate == "7ABC123" for hit in found.hits)
    assert ids(store.search_exact("7ABC123", TimeWindow(t0, t0)).hits) == [result.stored[1]]


def test_exact_search_normalises_the_query(registered_store: ReadStore, t0: int) -> None:
    stored = stored_one(registered_store, read("7ABC123", t0))
    assert ids(registered_store.search_exact("7abc-123", everything(t0)).hits) == [stored.id]
    assert registered_store.search_exact("7ABC124", everything(t0)).hits == []


def test_exact_search_filters_by_region(registered_store: ReadStore, t0: int) -> None:
    store = registered_store
    result = store.append(
        [
            read("7ABC123", t0, region="US-CA"),
            read("7ABC123", t0 + HOUR, region="nv"),
            read("7ABC123", t0 + 2 * HOUR),
            read("7ABC123", t0 + 3 * HOUR, region="ca"),
        ]
    )
    window = everything(t0)
    california = [result.stored[3], result.stored[0]]
    assert ids(store.search_exact("7ABC123", window, region="ca").hits) == california
    assert ids(store.search_exact("7ABC123", window, region="US-CA").hits) == california
    assert ids(store.search_exact("7ABC123", window, region="US-NV").hits) == [result.stored[1]]
    assert len(store.search_exact("7ABC123", window).hits) == 4
    with pytest.raises(ValueError):
        store.search_exact("7ABC123", window, region="California!!")


def test_exact_search_returns_only_the_agencies_allowed(registered_store: ReadStore, t0: int) -> None:
    store = registered_store
    store.add_agency(Agency("chp", "California Highway Patrol", "state", "US-CA"))
    store.add_camera(Camera("chp-1", "chp", "fixed", lat=38.5816, lon=-121.4944))
    ours = store.append([read("7ABC123", t0 + minute * MINUTE) for minute in range(3)])
    theirs = store.append([read("7ABC123", t0 + minute * MINUTE + 1, camera="chp-1") for minute in range(3)])
    window = everything(t0)
    for allowed, expected in [
        ({"metro-pd"}, ours),
        ({"chp"}, theirs),
        (["chp", "nobody"], theirs),
    ]:
        hits = all_hits(
            lambda allowed=allowed, **paging: store.search_exact("7ABC123", window, agencies=allowed, **paging), limit=2
        )
        assert sorted(ids(hits)) == sorted(expected.stored.values())
        assert {hit.read.agency_id for hit in hits} <= set(allowed)
    assert store.search_exact("7ABC123", window, agencies=set()).hits == []
    assert len(store.search_exact("7ABC123", window, agencies=None).hits) == 6
    assert len(store.search_exact("7ABC123", window, agencies={"metro-pd", "chp"}).hits) == 6


def test_exact_search_returns_newest_first(registered_store: ReadStore, mobile_camera: Camera, t0: int) -> None:
    store = registered_store
    store.append([read("7ABC123", t0 + HOUR), read("7ABC123", t0 + HOUR + 500), read("7ABC123", t0 + HOUR + 1200)])
    store.append([read("7ABC123", t0 - 3 * HOUR, camera=mobile_camera.id, lat=37.78, lon=-122.41)])
    store.append([read("7ABC123", t0), read("7ABC123", t0 + 2 * HOUR)])
    times = [hit.read.observed_ms for hit in store.search_exact("7ABC123", everything(t0)).hits]
    assert times == sorted(times, reverse=True)
    assert len(times) == 6


@pytest.mark.parametrize("page_size", [1, 2, 7, 1000])
def test_paging_returns_every_read_once(
    registered_store: ReadStore, mobile_camera: Camera, t0: int, page_size: int
) -> None:
    store = registered_store
    batch = []
    for hour in range(6):
        start = t0 + hour * HOUR
        # A pass of several frames at the fixed camera, one frame at the mobile camera at the same instant
        # (two passes starting at the same millisecond), and a single-frame pass a minute later.
        batch += [read("7ABC123", start + frame * 300, confidence=50.0 + frame) for frame in range(hour % 4 + 1)]
        batch.append(read("7ABC123", start, camera=mobile_camera.id, lat=37.78, lon=-122.41))
        batch.append(read("7ABC123", start + MINUTE))
        batch.append(read("8XYZ999", start + 100))
    result = store.append(batch)
    expected = sorted(identifier for index, identifier in result.stored.items() if batch[index].plate_raw == "7ABC123")
    window = TimeWindow(t0, t0 + 5 * HOUR + 2 * MINUTE)
    hits = all_hits(lambda **paging: store.search_exact("7ABC123", window, **paging), limit=page_size)
    assert len(ids(hits)) == len(set(ids(hits))), "no read twice"
    assert sorted(ids(hits)) == expected
    assert ids(hits) == ids(store.search_exact("7ABC123", window, limit=1000).hits), "paging keeps the order"


def test_a_garbage_cursor_is_refused(registered_store: ReadStore, t0: int) -> None:
    stored_one(registered_store, read("7ABC123", t0))
    with pytest.raises(ValueError):
        registered_store.search_exact("7ABC123", everything(t0), cursor="not a cursor")
    with pytest.raises(ValueError):
        registered_store.search_exact("7ABC123", everything(t0), limit=0)


def test_a_differing_frame_inside_a_pass_is_found_by_its_own_text(registered_store: ReadStore, t0: int) -> None:
    store = registered_store
    result = store.append(
        [
            read("5SOW350", t0, confidence=90.0),
            read("5S0W350", t0 + 300, confidence=70.0),
            read("5SOW350", t0 + 600, confidence=85.0),
        ]
    )
    first, odd, last = (store.get_read(result.stored[index]) for index in range(3))
    assert first.pass_id == odd.pass_id == last.pass_id, "a confusable reading stays in its pass"
    assert odd.plate == "5S0W350"
    window = everything(t0)
    assert ids(store.search_exact("5S0W350", window).hits) == [odd.id]
    assert sorted(ids(store.search_exact("5SOW350", window).hits)) == sorted([first.id, last.id])
    # Also when the differing frame arrives in a later batch.
    late = stored_one(store, read("5SOW35O", t0 + 900))
    assert late.pass_id == first.pass_id
    assert ids(store.search_exact("5SOW35O", window).hits) == [late.id]


# -- near search --------------------------------------------------------------------------------------------------


@pytest.fixture
def near_plates(registered_store: ReadStore, t0: int) -> dict[str, int]:
    """Plates around 5SOW350, each in a pass of its own: plate -> read id."""
    plates = ["5SOW350", "5S0W35O", "SOW350", "5SOW3500", "5SOW750", "7ABC123", "5SW350", "5SOOW350"]
    result = registered_store.append([read(plate, t0 + index * HOUR) for index, plate in enumerate(plates)])
    assert not result.refused
    return {plate: result.stored[index] for index, plate in enumerate(plates)}


def test_near_search_finds_confusable_readings(
    registered_store: ReadStore, near_plates: dict[str, int], t0: int
) -> None:
    hits = {hit.read.plate: hit for hit in registered_store.search_near("5SOW350", everything(t0)).hits}
    confusable = hits["5S0W35O"]
    assert confusable.how == "near"
    assert confusable.detail
    assert confusable.read.id == near_plates["5S0W35O"]
    assert hits["5SOW350"].how == "exact"
    assert hits["5SOW350"].read.id == near_plates["5SOW350"]
    # The other way round too.
    back = {hit.read.plate: hit.how for hit in registered_store.search_near("5S0W35O", everything(t0)).hits}
    assert back["5SOW350"] == "near"
    assert back["5S0W35O"] == "exact"


def test_near_search_finds_one_character_dropped_or_added(
    registered_store: ReadStore, near_plates: dict[str, int], t0: int
) -> None:
    hits = {hit.read.plate: hit for hit in registered_store.search_near("5SOW350", everything(t0)).hits}
    for plate in ("SOW350", "5SW350", "5SOW3500", "5SOOW350"):
        assert plate in hits, plate
        assert hits[plate].how == "near"
        assert hits[plate].detail
        assert hits[plate].read.id == near_plates[plate]


def test_near_search_leaves_out_other_plates(registered_store: ReadStore, near_plates: dict[str, int], t0: int) -> None:
    found = {hit.read.plate for hit in registered_store.search_near("5SOW350", everything(t0)).hits}
    assert "5SOW750" not in found, "3 and 7 are not confusable: a different plate"
    assert "7ABC123" not in found
    assert found == {"5SOW350", "5S0W35O", "SOW350", "5SW350", "5SOW3500", "5SOOW350"}


def test_near_search_respects_window_and_agencies(
    registered_store: ReadStore, near_plates: dict[str, int], t0: int
) -> None:
    store = registered_store
    first_hour = TimeWindow(t0, t0 + HOUR)
    assert {hit.read.plate for hit in store.search_near("5SOW350", first_hour).hits} == {"5SOW350", "5S0W35O"}
    assert store.search_near("5SOW350", everything(t0), agencies={"chp"}).hits == []
    hits = all_hits(lambda **paging: store.search_near("5SOW350", everything(t0), **paging), limit=2)
    assert len(hits) == 6
    assert len(set(ids(hits))) == 6


# -- wildcard search ----------------------------------------------------------------------------------------------


@pytest.fixture
def wildcard_plates(registered_store: ReadStore, t0: int) -> dict[str, int]:
    plates = ["5SOW350", "5SOW351", "5SOW35", "15SOW350", "7ABC123", "7ABD123"]
    result = registered_store.append([read(plate, t0 + index * HOUR) for index, plate in enumerate(plates)])
    assert not result.refused
    return {plate: result.stored[index] for index, plate in enumerate(plates)}


@pytest.mark.parametrize(
    ("pattern", "plates"),
    [
        ("5SOW35?", {"5SOW350", "5SOW351"}),
        ("5sow-35?", {"5SOW350", "5SOW351"}),
        ("5SOW35*", {"5SOW350", "5SOW351", "5SOW35"}),
        ("*5SOW350", {"5SOW350", "15SOW350"}),
        ("*SOW3*", {"5SOW350", "5SOW351", "5SOW35", "15SOW350"}),
        ("7AB?123", {"7ABC123", "7ABD123"}),
        ("7?B?1?3", {"7ABC123", "7ABD123"}),
        ("5SOW3?", {"5SOW35"}),
        ("5SOW?", set()),
        ("9ZZ*", set()),
    ],
)
def test_wildcard_search_matches_whole_plates(
    registered_store: ReadStore, wildcard_plates: dict[str, int], t0: int, pattern: str, plates: set[str]
) -> None:
    hits = registered_store.search_wildcard(pattern, everything(t0)).hits
    assert {hit.read.plate for hit in hits} == plates
    assert sorted(ids(hits)) == sorted(wildcard_plates[plate] for plate in plates)
    assert all(hit.how == "wildcard" and hit.detail for hit in hits)


@pytest.mark.parametrize("pattern", ["5S?", "??*", "5?*?", "*", "", "AB*", "5SOW#50"])
def test_wildcard_search_refuses_vague_or_malformed_patterns(
    registered_store: ReadStore, wildcard_plates: dict[str, int], t0: int, pattern: str
) -> None:
    with pytest.raises(ValueError):
        registered_store.search_wildcard(pattern, everything(t0))


def test_wildcard_search_respects_window_and_agencies(
    registered_store: ReadStore, wildcard_plates: dict[str, int], t0: int
) -> None:
    store = registered_store
    hits = store.search_wildcard("5SOW35*", TimeWindow(t0 + HOUR, t0 + 2 * HOUR)).hits
    assert {hit.read.plate for hit in hits} == {"5SOW351", "5SOW35"}
    assert store.search_wildcard("5SOW35*", everything(t0), agencies=set()).hits == []
    paged = all_hits(lambda **paging: store.search_wildcard("*SOW3*", everything(t0), **paging), limit=1)
    assert sorted(ids(paged)) == sorted(
        wildcard_plates[plate] for plate in ("5SOW350", "5SOW351", "5SOW35", "15SOW350")
    )


# -- area search --------------------------------------------------------------------------------------------------


def test_circle_search_includes_the_inside_and_excludes_just_outside(
    registered_store: ReadStore, fixed_camera: Camera, mobile_camera: Camera, t0: int
) -> None:
    store = registered_store
    centre = (fixed_camera.lat, fixed_camera.lon)
    assert centre[0] is not None and centre[1] is not None
    inside = north_of(*centre, 480)
    outside = north_of(*centre, 520)
    result = store.append(
        [
            read("7ABC123", t0),
            read("8XYZ999", t0 + MINUTE, camera=mobile_camera.id, lat=inside[0], lon=inside[1]),
            read("9DEF456", t0 + 2 * MINUTE, camera=mobile_camera.id, lat=outside[0], lon=outside[1]),
        ]
    )
    hits = store.search_area(Circle(centre[0], centre[1], 500), everything(t0)).hits
    assert sorted(ids(hits)) == sorted([result.stored[0], result.stored[1]])
    assert all(hit.how == "area" for hit in hits)
    wider = store.search_area(Circle(centre[0], centre[1], 600), everything(t0)).hits
    assert len(wider) == 3


def test_circle_search_crosses_grid_lines(registered_store: ReadStore, mobile_camera: Camera, t0: int) -> None:
    # A circle centred on a round coordinate: any grid-based index has cell edges right through it.
    store = registered_store
    points = [(37.78 + dlat, -122.42 + dlon) for dlat in (-0.0009, 0.0009) for dlon in (-0.0009, 0.0009)]
    result = store.append(
        [
            read(f"7ABC{index}00", t0 + index * MINUTE, camera=mobile_camera.id, lat=lat, lon=lon)
            for index, (lat, lon) in enumerate(points)
        ]
    )
    hits = store.search_area(Circle(37.78, -122.42, 200), everything(t0)).hits
    assert sorted(ids(hits)) == sorted(result.stored.values())


def test_polygon_search_uses_the_shape_not_its_bounding_box(
    registered_store: ReadStore, mobile_camera: Camera, t0: int
) -> None:
    store = registered_store
    # An L: the square (37.70..37.72, -122.50..-122.48) without its north-east quarter.
    shape = Polygon(
        (
            (37.70, -122.50),
            (37.72, -122.50),
            (37.72, -122.49),
            (37.71, -122.49),
            (37.71, -122.48),
            (37.70, -122.48),
        )
    )
    places = {
        "7ABC101": (37.705, -122.495, True),  # south-west
        "7ABC102": (37.715, -122.495, True),  # north-west
        "7ABC103": (37.705, -122.485, True),  # south-east
        "7ABC104": (37.715, -122.485, False),  # the missing quarter
        "7ABC105": (37.725, -122.495, False),  # north of it all
    }
    result = store.append(
        [
            read(plate, t0 + index * MINUTE, camera=mobile_camera.id, lat=lat, lon=lon)
            for index, (plate, (lat, lon, _)) in enumerate(places.items())
        ]
    )
    hits = store.search_area(shape, everything(t0)).hits
    expected = [result.stored[index] for index, (_, _, inside) in enumerate(places.values()) if inside]
    assert sorted(ids(hits)) == sorted(expected)


def test_area_search_respects_window_and_agencies(registered_store: ReadStore, fixed_camera: Camera, t0: int) -> None:
    store = registered_store
    result = store.append([read("7ABC123", t0 + hour * HOUR) for hour in range(5)])
    circle = Circle(fixed_camera.lat, fixed_camera.lon, 100)  # type: ignore[arg-type]
    hits = store.search_area(circle, TimeWindow(t0 + HOUR, t0 + 3 * HOUR)).hits
    assert ids(hits) == [result.stored[3], result.stored[2], result.stored[1]]
    paged = all_hits(lambda **paging: store.search_area(circle, everything(t0), **paging), limit=2)
    assert ids(paged) == [result.stored[index] for index in (4, 3, 2, 1, 0)]
    assert store.search_area(circle, everything(t0), agencies={"chp"}).hits == []
    # Another agency's camera on the same corner: each agency sees its own reads only.
    store.add_agency(Agency("chp", "California Highway Patrol", "state", "US-CA"))
    store.add_camera(Camera("chp-1", "chp", "fixed", lat=fixed_camera.lat, lon=fixed_camera.lon))
    theirs = store.append([read("8XYZ999", t0 + hour * HOUR + 1, camera="chp-1") for hour in range(5)])
    for allowed, expected in [({"chp"}, theirs), ({"metro-pd"}, result)]:
        hits = all_hits(
            lambda allowed=allowed, **paging: store.search_area(circle, everything(t0), agencies=allowed, **paging),
            limit=3,
        )
        assert sorted(ids(hits)) == sorted(expected.stored.values())
    assert len(store.search_area(circle, everything(t0)).hits) == 10


def test_mobile_reads_are_placed_by_their_own_gps(registered_store: ReadStore, mobile_camera: Camera, t0: int) -> None:
    store = registered_store
    oakland = (37.8044, -122.2712)
    san_jose = (37.3382, -121.8863)
    result = store.append(
        [
            read("7ABC123", t0, camera=mobile_camera.id, lat=oakland[0], lon=oakland[1]),
            read("7ABC123", t0 + 40 * MINUTE, camera=mobile_camera.id, lat=san_jose[0], lon=san_jose[1]),
            # Two frames of one pass while driving: the second is 40 m further on.
            read("8XYZ999", t0 + HOUR, camera=mobile_camera.id, lat=oakland[0], lon=oakland[1]),
            read("8XYZ999", t0 + HOUR + 2 * SECOND, camera=mobile_camera.id, lat=oakland[0] + 0.00036, lon=oakland[1]),
        ]
    )
    near_oakland = store.search_area(Circle(*oakland, 1_000), everything(t0)).hits
    assert sorted(ids(near_oakland)) == sorted([result.stored[0], result.stored[2], result.stored[3]])
    near_san_jose = store.search_area(Circle(*san_jose, 1_000), everything(t0)).hits
    assert ids(near_san_jose) == [result.stored[1]]
    just_the_second = store.search_area(Circle(oakland[0] + 0.00036, oakland[1], 10), everything(t0)).hits
    assert ids(just_the_second) == [result.stored[3]]
    assert store.get_read(result.stored[3]).lat == oakland[0] + 0.00036


def test_an_invalid_area_is_refused(registered_store: ReadStore, t0: int) -> None:
    for area in (Circle(95.0, 0.0, 100), Circle(37.0, -122.0, 0), Polygon(((37.0, -122.0), (37.1, -122.0)))):
        with pytest.raises(ValueError):
            registered_store.search_area(area, everything(t0))


# -- a property: paging through an exact search is the brute-force filter -------------------------------------------

PLATES = ("5SOW350", "5S0W350", "5SOW35O", "7ABC123")
CAMERAS = ("fixed-1", "fixed-2")

_reads = st.lists(
    st.tuples(
        st.sampled_from(PLATES),
        st.sampled_from(CAMERAS),
        st.integers(min_value=0, max_value=120 * SECOND),
        st.integers(min_value=0, max_value=1000),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    reads=_reads,
    batch_size=st.integers(min_value=1, max_value=25),
    query=st.sampled_from(PLATES),
    window=st.tuples(st.integers(0, 120 * SECOND), st.integers(0, 120 * SECOND)).map(sorted),
    page_size=st.integers(min_value=1, max_value=6),
)
def test_exact_search_paging_is_the_brute_force_filter(
    new_store: Callable[[], ReadStore],
    agency: Agency,
    t0: int,
    reads: list[tuple[str, str, int, int]],
    batch_size: int,
    query: str,
    window: list[int],
    page_size: int,
) -> None:
    store = new_store()
    store.add_agency(agency)
    store.add_camera(Camera("fixed-1", agency.id, "fixed", lat=37.7749, lon=-122.4194))
    store.add_camera(Camera("fixed-2", agency.id, "fixed", lat=37.7750, lon=-122.4194))
    batch = [read(plate, t0 + offset, camera, confidence=tenths / 10) for plate, camera, offset, tenths in reads]
    stored: dict[int, NewRead] = {}
    for start in range(0, len(batch), batch_size):
        result = store.append(batch[start : start + batch_size])
        assert not result.refused
        stored.update({identifier: batch[start + index] for index, identifier in result.stored.items()})
    search_window = TimeWindow(t0 + window[0], t0 + window[1])
    expected = {
        identifier
        for identifier, new_read in stored.items()
        if new_read.plate_raw == query and search_window.start_ms <= new_read.observed_ms <= search_window.end_ms
    }
    hits = all_hits(lambda **paging: store.search_exact(query, search_window, **paging), limit=page_size)
    assert len(ids(hits)) == len(set(ids(hits)))
    assert set(ids(hits)) == expected
    for hit in hits:
        assert hit.read.observed_ms == stored[hit.read.id].observed_ms
        assert hit.read.camera_id == stored[hit.read.id].camera_id

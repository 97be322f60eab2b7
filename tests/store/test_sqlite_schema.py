"""SQLite-specific behaviour: schema versions and upgrades, WAL, and query plans that use the indexes."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

import plateledger.store.sqlite.store as sqlite_store_module
from plateledger.plates.skeleton import skeleton
from plateledger.reads import Candidate, NewRead
from plateledger.store.contract import Agency, Camera, Circle, Polygon, SchemaTooNew, TimeWindow
from plateledger.store.frames import encode_frame, pack_frames, read_id
from plateledger.store.geo import cell_of
from plateledger.store.sqlite import SqliteReadStore
from plateledger.store.sqlite.schema import SCHEMA_VERSION, migrate

T0 = 1_717_200_000_000  # 2024-06-01 00:00 UTC
WINDOW = TimeWindow(T0 - 86_400_000, T0 + 86_400_000)
CAMERA_LAT, CAMERA_LON = 37.7749, -122.4194


def user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute("PRAGMA user_version").fetchone()[0]


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "reads.db"


# -- upgrades -------------------------------------------------------------------------------------------------------


def write_version_1_file(path: Path) -> None:
    """A file as plateledger wrote it at schema version 1: one camera, and two passes written by hand.

    Pass 1 (5SOW350) has two frames, the second read as 5S0W350, with a source id and candidates on the first;
    pass 2 (7ABC123) has one frame with its raw text.
    """
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        assert migrate(connection, target=1) == 0
        connection.executescript(
            f"""
            BEGIN;
            INSERT INTO agencies (id, code, name, kind, jurisdiction)
                VALUES (1, 'metro-pd', 'Metro Police Department', 'local', 'US-CA');
            INSERT INTO cameras (id, code, agency, kind, description, created_ms, site)
                VALUES (1, 'fixed-1', 1, 'fixed', 'Market St', 0, 1);
            INSERT INTO sites (id, camera, lat_e6, lon_e6, heading_x10, since_ms)
                VALUES (1, 1, {round(CAMERA_LAT * 1e6)}, {round(CAMERA_LON * 1e6)}, 900, 0);
            INSERT INTO regions (id, code) VALUES (1, 'US-CA');
            INSERT INTO plates (id, plate, skeleton) VALUES
                (1, '5SOW350', '{skeleton("5SOW350")}'),
                (2, '5S0W350', '{skeleton("5S0W350")}'),
                (3, '7ABC123', '{skeleton("7ABC123")}');
            INSERT INTO pass_plates (plate, first_ms, pass) VALUES (2, {T0}, 1);
            INSERT INTO read_sources (agency, source_id, read_id) VALUES (1, 'cam-0001', {read_id(1, 0)});
            INSERT INTO read_candidates (read_id, candidates)
                VALUES ({read_id(1, 0)}, '[{{"plate": "5S0W35O", "confidence": 40.5}}]');
            UPDATE counters SET value = 3 WHERE name = 'reads';
            COMMIT;
            """
        )
        pass_1 = pack_frames(
            [encode_frame(0, 912, source_id="cam-0001", has_candidates=True), encode_frame(400, 955, plate_id=2)]
        )
        pass_2 = pack_frames([encode_frame(0, 870, raw="7abc-123")])
        cell = cell_of(CAMERA_LAT, CAMERA_LON)
        connection.executemany(
            "INSERT INTO passes (id, plate, region, site, first_ms, cell, lat_e6, lon_e6, best, frames) "
            "VALUES (?, ?, ?, 1, ?, ?, NULL, NULL, ?, ?)",
            [(1, 1, 1, T0, cell, 1, pass_1), (2, 3, 0, T0 + 3_600_000, cell, 0, pass_2)],
        )
    assert user_version(path) == 1


def test_a_version_1_file_upgrades_in_place_and_still_answers(store_path: Path) -> None:
    write_version_1_file(store_path)
    store = SqliteReadStore(store_path)
    try:
        assert user_version(store_path) == SCHEMA_VERSION
        assert store.count_reads() == 3
        assert store.get_camera("fixed-1").lat == CAMERA_LAT

        first = store.get_read(read_id(1, 0))
        assert (first.plate, first.region, first.confidence, first.source_id) == ("5SOW350", "US-CA", 91.2, "cam-0001")
        assert first.candidates == (Candidate("5S0W35O", 40.5),)
        assert (first.lat, first.lon, first.heading) == (CAMERA_LAT, CAMERA_LON, 90.0)
        summary = store.get_pass(1)
        assert summary.best.id == read_id(1, 1)
        assert summary.best.plate == "5S0W350"
        assert store.get_read(read_id(2, 0)).plate_raw == "7abc-123"

        assert [hit.read.id for hit in store.search_exact("5SOW350", WINDOW).hits] == [read_id(1, 0)]
        assert [hit.read.id for hit in store.search_exact("5S0W350", WINDOW).hits] == [read_id(1, 1)]
        near = {hit.read.plate: hit.how for hit in store.search_near("5SOW350", WINDOW).hits}
        assert near == {"5SOW350": "exact", "5S0W350": "near"}
        area = store.search_area(Circle(CAMERA_LAT, CAMERA_LON, 100), WINDOW).hits
        assert sorted(hit.read.id for hit in area) == [read_id(1, 0), read_id(1, 1), read_id(2, 0)]
        with closing(sqlite3.connect(store_path)) as connection:  # migration 3 rebuilt the area index
            columns = [row[2] for row in connection.execute("PRAGMA index_info(passes_by_cell)")]
        assert columns == ["cell", "first_ms", "site", "lat_e6", "lon_e6"]
        # Wildcard search needs migration 2's trigram index: the plates written before it must be in it.
        wildcard = store.search_wildcard("5S?W35*", WINDOW).hits
        assert sorted(hit.read.plate for hit in wildcard) == ["5S0W350", "5SOW350"]
        assert [hit.read.plate for hit in store.search_wildcard("*ABC1*", WINDOW).hits] == ["7ABC123"]

        # New reads go in beside the old ones; the old source id still makes ingest idempotent.
        result = store.append(
            [
                NewRead("5SOW351", T0 + 7_200_000, "fixed-1", 88.0),
                NewRead("5SOW350", T0 + 7_300_000, "fixed-1", source_id="cam-0001"),
            ]
        )
        assert result.duplicates == {1: read_id(1, 0)}
        assert list(result.stored) == [0]
        assert store.count_reads() == 4
        assert sorted(hit.read.plate for hit in store.search_wildcard("5SOW35?", WINDOW).hits) == [
            "5SOW350",
            "5SOW351",
        ]
    finally:
        store.close()

    reopened = SqliteReadStore(store_path)
    try:
        assert user_version(store_path) == SCHEMA_VERSION
        assert reopened.count_reads() == 4
        assert len(reopened.search_wildcard("5S?W35*", WINDOW).hits) == 3
    finally:
        reopened.close()


def test_a_file_from_a_newer_plateledger_is_refused(store_path: Path) -> None:
    with closing(sqlite3.connect(store_path)) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNew) as refused:
        SqliteReadStore(store_path)
    message = str(refused.value)
    assert str(SCHEMA_VERSION + 1) in message
    assert str(SCHEMA_VERSION) in message
    assert "upgrade" in message
    assert user_version(store_path) == SCHEMA_VERSION + 1
    with closing(sqlite3.connect(store_path)) as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def test_migrate_stops_at_its_target_and_reports_what_it_found(store_path: Path) -> None:
    with closing(sqlite3.connect(store_path, isolation_level=None)) as connection:
        assert migrate(connection, target=1) == 0
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "passes" in tables
        assert "plate_trigrams" not in tables
        assert migrate(connection) == 1
        assert migrate(connection) == SCHEMA_VERSION
    assert user_version(store_path) == SCHEMA_VERSION


def test_the_file_is_in_wal_mode(store_path: Path) -> None:
    store = SqliteReadStore(store_path)
    try:
        store.add_agency(Agency("metro-pd", "Metro Police Department", "local", "US-CA"))
        with closing(sqlite3.connect(store_path)) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store_path.with_name(store_path.name + "-wal").exists()
    finally:
        store.close()


# -- query plans --------------------------------------------------------------------------------------------------

# Tables that grow with the reads: no query may walk them whole.
BIG_TABLES = ("passes", "pass_plates", "plates", "read_sources", "read_candidates")
FULL_SCAN = re.compile(rf"\bSCAN ({'|'.join(BIG_TABLES)})\b")


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement the SQLite store sends from now on (stores opened after this fixture)."""
    sent: list[str] = []
    real_connect = sqlite_store_module.connect

    def traced_connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        connection = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        connection.set_trace_callback(sent.append)
        return connection

    monkeypatch.setattr(sqlite_store_module, "connect", traced_connect)
    return sent


@pytest.fixture
def filled_store(store_path: Path, statements: list[str]) -> Iterator[SqliteReadStore]:
    """A store with some thousands of reads over many plates, three fixed cameras and a patrol car."""
    store = SqliteReadStore(store_path)
    store.add_agency(Agency("metro-pd", "Metro Police Department", "local", "US-CA"))
    positions = [(37.7749, -122.4194), (37.8044, -122.2712), (37.3382, -121.8863)]
    for number, (lat, lon) in enumerate(positions):
        store.add_camera(Camera(f"fixed-{number}", "metro-pd", "fixed", lat=lat, lon=lon))
    store.add_camera(Camera("mobile-1", "metro-pd", "mobile"))
    batch = []
    for number in range(3_000):
        plate = f"{number % 9}ABC{number % 600:03d}"
        at = T0 - 43_200_000 + number * 20_000
        if number % 4 == 3:
            lat, lon = 37.70 + (number % 50) / 500, -122.45 + (number % 70) / 500
            batch.append(NewRead(plate, at, "mobile-1", 80.0, lat=lat, lon=lon, source_id=f"m-{number}"))
        else:
            batch.append(NewRead(plate, at, f"fixed-{number % 3}", 80.0 + number % 20, source_id=f"f-{number}"))
    for start in range(0, len(batch), 500):
        assert not store.append(batch[start : start + 500]).refused
    yield store
    store.close()


def plans_of(path: Path, sent: list[str]) -> list[tuple[str, list[str]]]:
    """EXPLAIN QUERY PLAN of each SELECT sent (the trace gives them with their values bound)."""
    with closing(sqlite3.connect(path)) as connection:
        return [
            (sql, [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}")])
            for sql in sent
            if sql.lstrip().upper().startswith(("SELECT", "WITH"))
        ]


def assert_no_full_scan(plans: list[tuple[str, list[str]]]) -> None:
    for sql, plan in plans:
        scans = [line for line in plan if FULL_SCAN.search(line)]
        assert not scans, f"{scans} in the plan of {sql}"


def plan_of_search(
    store: SqliteReadStore, path: Path, sent: list[str], search: Callable[[], object]
) -> list[tuple[str, list[str]]]:
    sent.clear()
    search()
    plans = plans_of(path, sent)
    assert any("FROM passes" in sql for sql, _ in plans), "the search queried passes (is the trace wired?)"
    return plans


SEARCHES: dict[str, tuple[Callable[[SqliteReadStore], object], str]] = {
    "exact": (lambda store: store.search_exact("3ABC123", WINDOW, limit=5), "passes_by_plate"),
    "exact, paged": (
        lambda store: store.search_exact(
            "3ABC123", WINDOW, limit=1, cursor=store.search_exact("3ABC123", WINDOW, limit=1).next_cursor
        ),
        "passes_by_plate",
    ),
    "near": (lambda store: store.search_near("3A8C123", WINDOW, limit=5), "passes_by_plate"),
    "wildcard": (lambda store: store.search_wildcard("3ABC12?", WINDOW, limit=5), "passes_by_plate"),
    "circle": (lambda store: store.search_area(Circle(37.7749, -122.4194, 300), WINDOW), "passes_by_cell"),
    "polygon": (
        lambda store: store.search_area(
            Polygon(((37.70, -122.45), (37.75, -122.45), (37.75, -122.40), (37.70, -122.40))), WINDOW, limit=20
        ),
        "passes_by_cell",
    ),
}


@pytest.mark.parametrize("analyzed", [False, True], ids=["fresh", "analyzed"])
@pytest.mark.parametrize("kind", list(SEARCHES))
def test_searches_use_an_index_and_never_scan(
    filled_store: SqliteReadStore, store_path: Path, statements: list[str], kind: str, analyzed: bool
) -> None:
    if analyzed:
        with closing(sqlite3.connect(store_path)) as connection:
            connection.execute("ANALYZE")
    search, index = SEARCHES[kind]
    assert search(filled_store), "the search ran"
    plans = plan_of_search(filled_store, store_path, statements, lambda: search(filled_store))
    assert_no_full_scan(plans)
    page_plans = [plan for sql, plan in plans if "FROM passes" in sql]
    uses_index = re.compile(rf"^SEARCH passes USING (COVERING )?INDEX {index} ")
    assert any(uses_index.search(line) for plan in page_plans for line in plan), page_plans
    if index == "passes_by_cell":
        # The area filter (site, own position) is answered from the index: no pass row read to be thrown away.
        assert all(
            line.startswith(f"SEARCH passes USING COVERING INDEX {index} ")
            for plan in page_plans
            for line in plan
            if index in line
        ), page_plans


def test_ingest_with_source_ids_does_not_scan(
    filled_store: SqliteReadStore, store_path: Path, statements: list[str]
) -> None:
    statements.clear()
    result = filled_store.append(
        [
            NewRead("7XYZ001", T0 + 60_000, "fixed-0", source_id="f-1"),
            NewRead("7XYZ002", T0, "fixed-1", source_id="new"),
        ]
    )
    assert result.duplicates and result.stored
    plans = plans_of(store_path, statements)
    assert_no_full_scan(plans)
    # A search on the agency alone walks all of that agency's source ids: as bad as a scan.
    lookups = [line for _, plan in plans for line in plan if "read_sources" in line]
    assert lookups
    assert all("(agency=? AND source_id=?)" in line for line in lookups), lookups

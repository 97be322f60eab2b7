"""PostgreSQL-specific behaviour: schema versions and upgrades, concurrent writers, and query plans on indexes.

Each test works in a schema of its own (unique per session, dropped afterwards); without a reachable server
the tests are skipped, saying why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from plateledger.plates.skeleton import skeleton
from plateledger.reads import Candidate, NewRead
from plateledger.store.contract import Camera, Circle, SchemaTooNew, TimeWindow
from plateledger.store.frames import encode_frame, pack_frames, read_id
from plateledger.store.geo import cell_of
from plateledger.store.postgres import PostgresReadStore
from plateledger.store.postgres.connection import connect
from plateledger.store.postgres.schema import SCHEMA_VERSION, migrate, schema_version
from plateledger.store.postgres.testing import ScratchSchemas

pytestmark = pytest.mark.postgres

T0 = 1_717_200_000_000  # 2024-06-01 00:00 UTC
WINDOW = TimeWindow(T0 - 86_400_000, T0 + 86_400_000)
CAMERA_LAT, CAMERA_LON = 37.7749, -122.4194
SCRATCH = ScratchSchemas()


@pytest.fixture
def schema() -> Iterator[str]:
    """A fresh schema name (the schema itself is not created); dropped after the test."""
    reason = SCRATCH.unreachable()
    if reason:
        pytest.skip(reason)
    name = SCRATCH.new_name()
    yield name
    SCRATCH.drop(name)


@pytest.fixture
def admin(schema: str) -> Iterator[psycopg.Connection]:
    """A plain connection with the test schema on its search path."""
    connection = connect(SCRATCH.dsn, [schema])
    yield connection
    connection.close()


def open_store(schema: str) -> PostgresReadStore:
    return PostgresReadStore(SCRATCH.dsn, schema=schema)


# -- upgrades -------------------------------------------------------------------------------------------------------


def write_version_1_schema(connection: psycopg.Connection, schema: str) -> None:
    """A schema as plateledger wrote it at version 1: one camera, and two passes written by hand.

    Pass 1 (5SOW350) has two frames, the second read as 5S0W350, with a source id and candidates on the first;
    pass 2 (7ABC123) has one frame with its raw text.
    """
    connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    assert migrate(connection, target=1) == 0
    pass_1 = pack_frames(
        [encode_frame(0, 912, source_id="cam-0001", has_candidates=True), encode_frame(400, 955, plate_id=2)]
    )
    pass_2 = pack_frames([encode_frame(0, 870, raw="7abc-123")])
    cell = cell_of(CAMERA_LAT, CAMERA_LON)
    candidates = json.dumps([{"plate": "5S0W35O", "confidence": 40.5}])
    with connection.transaction():
        connection.execute(
            "INSERT INTO agencies (id, code, name, kind, jurisdiction) "
            "VALUES (1, 'metro-pd', 'Metro Police Department', 'local', 'US-CA')"
        )
        connection.execute(
            "INSERT INTO cameras (id, code, agency, kind, description, created_ms, site) "
            "VALUES (1, 'fixed-1', 1, 'fixed', 'Market St', 0, 1)"
        )
        connection.execute(
            "INSERT INTO sites (id, camera, lat_e6, lon_e6, heading_x10, since_ms) VALUES (1, 1, %s, %s, 900, 0)",
            (round(CAMERA_LAT * 1e6), round(CAMERA_LON * 1e6)),
        )
        connection.execute("INSERT INTO regions (id, code) VALUES (1, 'US-CA')")
        for plate_id, plate in enumerate(("5SOW350", "5S0W350", "7ABC123"), start=1):
            connection.execute("INSERT INTO plates VALUES (%s, %s, %s)", (plate_id, plate, skeleton(plate)))
        connection.execute("INSERT INTO pass_plates (plate, first_ms, pass) VALUES (2, %s, 1)", (T0,))
        connection.execute("INSERT INTO read_sources VALUES (1, 'cam-0001', %s)", (read_id(1, 0),))
        connection.execute("INSERT INTO read_candidates VALUES (%s, %s)", (read_id(1, 0), candidates))
        connection.execute("UPDATE counters SET value = 3 WHERE name = 'reads'")
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO passes (id, plate, region, site, first_ms, cell, lat_e6, lon_e6, best, frames) "
                "VALUES (%s, %s, %s, 1, %s, %s, NULL, NULL, %s, %s)",
                [(1, 1, 1, T0, cell, 1, pass_1), (2, 3, 0, T0 + 3_600_000, cell, 0, pass_2)],
            )
    assert schema_version(connection) == 1


def test_a_version_1_schema_upgrades_in_place_and_still_answers(schema: str, admin: psycopg.Connection) -> None:
    write_version_1_schema(admin, schema)
    store = open_store(schema)
    try:
        assert schema_version(admin) == SCHEMA_VERSION
        assert store.count_reads() == 3
        assert store.get_camera("fixed-1").lat == CAMERA_LAT

        first = store.get_read(read_id(1, 0))
        assert (first.plate, first.region, first.confidence, first.source_id) == ("5SOW350", "US-CA", 91.2, "cam-0001")
        assert first.candidates == (Candidate("5S0W35O", 40.5),)
        assert (first.lat, first.lon, first.heading) == (CAMERA_LAT, CAMERA_LON, 90.0)
        assert store.get_pass(1).best.plate == "5S0W350"
        assert store.get_read(read_id(2, 0)).plate_raw == "7abc-123"

        assert [hit.read.id for hit in store.search_exact("5SOW350", WINDOW).hits] == [read_id(1, 0)]
        assert [hit.read.id for hit in store.search_exact("5S0W350", WINDOW).hits] == [read_id(1, 1)]
        near = {hit.read.plate: hit.how for hit in store.search_near("5SOW350", WINDOW).hits}
        assert near == {"5SOW350": "exact", "5S0W350": "near"}
        area = store.search_area(Circle(CAMERA_LAT, CAMERA_LON, 100), WINDOW).hits
        assert sorted(hit.read.id for hit in area) == [read_id(1, 0), read_id(1, 1), read_id(2, 0)]
        # Wildcard search needs migration 2's trigram index, built over the plates written before it.
        wildcard = store.search_wildcard("5S?W35*", WINDOW).hits
        assert sorted(hit.read.plate for hit in wildcard) == ["5S0W350", "5SOW350"]

        # New reads, plates and cameras get ids after the hand-written ones; old source ids still count.
        store.add_camera(Camera("fixed-2", "metro-pd", "fixed", lat=CAMERA_LAT, lon=CAMERA_LON + 0.01))
        result = store.append(
            [
                NewRead("5SOW351", T0 + 7_200_000, "fixed-2", 88.0),
                NewRead("5SOW350", T0 + 7_300_000, "fixed-1", source_id="cam-0001"),
            ]
        )
        assert result.duplicates == {1: read_id(1, 0)}
        assert result.stored == {0: read_id(3, 0)}
        assert store.count_reads() == 4
        assert sorted(hit.read.plate for hit in store.search_wildcard("5SOW35?", WINDOW).hits) == [
            "5SOW350",
            "5SOW351",
        ]
    finally:
        store.close()

    reopened = open_store(schema)
    try:
        assert reopened.count_reads() == 4
        assert len(reopened.search_wildcard("5S?W35*", WINDOW).hits) == 3
    finally:
        reopened.close()


def test_a_schema_from_a_newer_plateledger_is_refused(schema: str, admin: psycopg.Connection) -> None:
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    admin.execute("CREATE TABLE schema_version (version integer NOT NULL)")
    admin.execute("INSERT INTO schema_version VALUES (%s)", (SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaTooNew) as refused:
        open_store(schema)
    message = str(refused.value)
    assert str(SCHEMA_VERSION + 1) in message
    assert str(SCHEMA_VERSION) in message
    assert "upgrade" in message
    assert schema_version(admin) == SCHEMA_VERSION + 1
    tables = admin.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,)).fetchone()
    assert tables == (1,), "nothing but schema_version"


def test_migrate_stops_at_its_target_and_reports_what_it_found(schema: str, admin: psycopg.Connection) -> None:
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    assert migrate(admin, target=1) == 0
    indexes = {row[0] for row in admin.execute("SELECT indexname FROM pg_indexes WHERE schemaname = %s", (schema,))}
    assert {"passes_by_plate", "passes_by_cell", "plates_by_skeleton"} <= indexes
    assert "plates_by_trigram" not in indexes
    assert migrate(admin) == 1
    assert migrate(admin) == SCHEMA_VERSION
    assert schema_version(admin) == SCHEMA_VERSION
    (definition,) = admin.execute(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = 'passes_by_cell'", (schema,)
    ).fetchone()
    assert definition.endswith("(cell, first_ms) INCLUDE (site, lat_e6, lon_e6)"), definition


def test_commits_are_durable(admin: psycopg.Connection) -> None:
    assert admin.execute("SHOW synchronous_commit").fetchone() == ("on",)
    assert admin.execute("SHOW fsync").fetchone() == ("on",)

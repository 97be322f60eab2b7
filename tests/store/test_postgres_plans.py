"""PostgreSQL query plans: every search reaches passes through an index, and concurrent writers stay safe.

The plans are EXPLAINed with the values each search actually sent. On tables of a few thousand rows the
planner may find a sequential scan cheaper than an index, which says nothing about large tables; so the
plans are taken with `enable_seqscan = off`, which still lets a scan through when no index can serve the
query (it only makes it look expensive): a query without a usable index still shows `Seq Scan`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

import plateledger.store.postgres.store as postgres_store_module
from plateledger.reads import NewRead
from plateledger.store.contract import Agency, Camera, Circle, Polygon, TimeWindow
from plateledger.store.postgres import PostgresReadStore
from plateledger.store.postgres.connection import connect
from plateledger.store.postgres.testing import ScratchSchemas

pytestmark = pytest.mark.postgres

T0 = 1_717_200_000_000
WINDOW = TimeWindow(T0 - 86_400_000, T0 + 86_400_000)
SCRATCH = ScratchSchemas()
BIG_TABLES = ("passes", "pass_plates", "plates", "read_sources", "read_candidates")
SEQ_SCAN = re.compile(rf"Seq Scan on ({'|'.join(BIG_TABLES)})\b")

Sent = list[tuple[str, Any]]


class TracingCursor(psycopg.Cursor[Any]):
    sent: Sent | None = None

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        if TracingCursor.sent is not None and isinstance(query, str):
            TracingCursor.sent.append((query, params))
        return super().execute(query, params, **kwargs)


@pytest.fixture
def schema() -> Iterator[str]:
    reason = SCRATCH.unreachable()
    if reason:
        pytest.skip(reason)
    name = SCRATCH.new_name()
    yield name
    SCRATCH.drop(name)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sent]:
    """Every statement the store sends from connections opened after this fixture, with its values."""
    statements: Sent = []
    real_connect = postgres_store_module.connect

    def traced_connect(*args: Any, **kwargs: Any) -> psycopg.Connection:
        connection = real_connect(*args, **kwargs)
        connection.cursor_factory = TracingCursor
        return connection

    monkeypatch.setattr(postgres_store_module, "connect", traced_connect)
    TracingCursor.sent = statements
    yield statements
    TracingCursor.sent = None


def fill(store: PostgresReadStore) -> None:
    """Some thousands of reads over many plates, three fixed cameras and a patrol car."""
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


@pytest.fixture
def filled_store(schema: str, sent: Sent) -> Iterator[PostgresReadStore]:
    store = PostgresReadStore(SCRATCH.dsn, schema=schema)
    fill(store)
    yield store
    store.close()


def plans_of(schema: str, statements: Sent) -> list[tuple[str, str]]:
    """(statement, plan text) of each SELECT sent, EXPLAINed with the values it was sent with."""
    with connect(SCRATCH.dsn, [schema]) as connection:
        connection.execute("SET enable_seqscan = off")
        plans = []
        for query, params in statements:
            if query.lstrip().upper().startswith("SELECT") and "pg_" not in query:
                rows = connection.execute(f"EXPLAIN {query}", params).fetchall()  # type: ignore[arg-type]
                plans.append((query, "\n".join(row[0] for row in rows)))
        return plans


SEARCHES: dict[str, tuple[Callable[[PostgresReadStore], object], str]] = {
    "exact": (lambda store: store.search_exact("3ABC123", WINDOW, limit=5), "passes_by_plate"),
    "exact, paged": (
        lambda store: store.search_exact(
            "3ABC123", WINDOW, limit=1, cursor=store.search_exact("3ABC123", WINDOW, limit=1).next_cursor
        ),
        "passes_by_plate",
    ),
    "near": (lambda store: store.search_near("3A8C123", WINDOW, limit=5), "passes_by_plate"),
    "wildcard": (lambda store: store.search_wildcard("3ABC12?", WINDOW, limit=5), "passes_by_plate"),
    "wildcard, gapped": (lambda store: store.search_wildcard("3A?C1?3", WINDOW, limit=5), "passes_by_plate"),
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
    filled_store: PostgresReadStore, schema: str, sent: Sent, kind: str, analyzed: bool
) -> None:
    if analyzed:
        with connect(SCRATCH.dsn, [schema]) as connection:
            connection.execute("ANALYZE")
    search, index = SEARCHES[kind]
    assert search(filled_store), "the search ran"
    sent.clear()
    search(filled_store)
    plans = plans_of(schema, sent)
    assert any("FROM passes" in query for query, _ in plans), "the search queried passes (is the trace wired?)"
    for query, plan in plans:
        assert not SEQ_SCAN.search(plan), f"{plan}\nis the plan of {query}"
    assert any(index in plan for query, plan in plans if "FROM passes" in query), plans
    if kind.startswith("wildcard"):
        assert any("plates_by_trigram" in plan for _, plan in plans), plans


def test_ingest_with_source_ids_does_not_scan(filled_store: PostgresReadStore, schema: str, sent: Sent) -> None:
    sent.clear()
    result = filled_store.append(
        [
            NewRead("7XYZ001", T0 + 60_000, "fixed-0", source_id="f-1"),
            NewRead("7XYZ002", T0, "fixed-1", source_id="new"),
        ]
    )
    assert result.duplicates and result.stored
    plans = plans_of(schema, sent)
    for query, plan in plans:
        assert not SEQ_SCAN.search(plan), f"{plan}\nis the plan of {query}"
    lookups = [plan for query, plan in plans if "read_sources" in query]
    assert lookups
    assert all("read_sources_pkey" in plan and "source_id" in plan for plan in lookups), lookups


# -- concurrent writers ---------------------------------------------------------------------------------------------


def test_two_stores_on_one_schema_write_concurrently_without_clashing(schema: str) -> None:
    """Two store objects (as two processes would have) append at once: ids never collide, nothing is lost."""
    first = PostgresReadStore(SCRATCH.dsn, schema=schema)
    second = PostgresReadStore(SCRATCH.dsn, schema=schema)
    try:
        first.add_agency(Agency("metro-pd", "Metro Police Department", "local", "US-CA"))
        first.add_camera(Camera("fixed-1", "metro-pd", "fixed", lat=37.7749, lon=-122.4194))
        second.add_camera(Camera("fixed-2", "metro-pd", "fixed", lat=37.8044, lon=-122.2712))
        stored: list[int] = []
        errors: list[BaseException] = []

        def ingest(store: PostgresReadStore, camera: str) -> None:
            try:
                for batch in range(20):
                    reads = [
                        NewRead(f"{batch % 3}SHARED{number % 7}", T0 + batch * 60_000 + number * 11_000, camera)
                        for number in range(5)
                    ]
                    stored.extend(store.append(reads).stored.values())
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=ingest, args=pair) for pair in ((first, "fixed-1"), (second, "fixed-2"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        assert len(stored) == len(set(stored)) == 200
        assert first.count_reads() == second.count_reads() == 200
        for identifier in stored[::17]:
            assert second.get_read(identifier).id == identifier
        hits = first.search_exact("0SHARED0", WINDOW).hits
        assert {hit.read.camera_id for hit in hits} == {"fixed-1", "fixed-2"}
    finally:
        first.close()
        second.close()

"""Shared fixtures. The read store ones are parametrised over backends: add a backend by adding an opener."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from plateledger.store.contract import Agency, Camera, ReadStore
from plateledger.store.postgres import PostgresReadStore
from plateledger.store.postgres.testing import ScratchSchemas
from plateledger.store.sqlite import SqliteReadStore

# 2024-05-31 00:00 UTC: the cameras below are registered then; tests read a day later (see `t0`).
REGISTERED_MS = 1_717_113_600_000
DAY_MS = 86_400_000


def _open_sqlite(directory: Path) -> ReadStore:
    return SqliteReadStore(directory / "reads.db")


POSTGRES = ScratchSchemas()  # a schema per store, unique to this session, dropped when the store closes


def _open_postgres(directory: Path) -> ReadStore:
    reason = POSTGRES.unreachable()
    if reason:
        pytest.skip(reason)
    return POSTGRES.open_store()


# Backend name -> a function opening a fresh, empty store in an empty directory of its own.
STORE_OPENERS: dict[str, Callable[[Path], ReadStore]] = {"postgres": _open_postgres, "sqlite": _open_sqlite}


@pytest.fixture(params=sorted(STORE_OPENERS))
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], ReadStore]]:
    """A function opening a fresh empty store of the backend under test (closed after the test)."""
    opener = STORE_OPENERS[request.param]
    opened: list[ReadStore] = []
    numbers = itertools.count()

    def open_store() -> ReadStore:
        directory = tmp_path / f"store-{next(numbers)}"
        directory.mkdir()
        store = opener(directory)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()


def _second_handle(store: ReadStore) -> ReadStore:
    """Another store object on the same database, as a second process (or this one restarted) would open."""
    if isinstance(store, SqliteReadStore):
        return SqliteReadStore(store.path)
    assert isinstance(store, PostgresReadStore)
    return PostgresReadStore(POSTGRES.dsn, schema=store.schema)


@pytest.fixture
def second_handle() -> Iterator[Callable[[ReadStore], ReadStore]]:
    """A function opening another handle on a store's database (closed after the test)."""
    opened: list[ReadStore] = []

    def open_another(store: ReadStore) -> ReadStore:
        opened.append(_second_handle(store))
        return opened[-1]

    yield open_another
    for handle in opened:
        handle.close()


@pytest.fixture
def store(new_store: Callable[[], ReadStore]) -> ReadStore:
    """An empty store of the backend under test."""
    return new_store()


@pytest.fixture
def agency() -> Agency:
    return Agency("metro-pd", "Metro Police Department", "local", "US-CA")


@pytest.fixture
def fixed_camera(agency: Agency) -> Camera:
    return Camera(
        "fixed-1",
        agency.id,
        "fixed",
        description="Market St at 5th, eastbound",
        lat=37.7749,
        lon=-122.4194,
        heading=90.0,
        created_ms=REGISTERED_MS,
    )


@pytest.fixture
def mobile_camera(agency: Agency) -> Camera:
    return Camera("mobile-1", agency.id, "mobile", description="patrol car 12", created_ms=REGISTERED_MS)


@pytest.fixture
def registered_store(store: ReadStore, agency: Agency, fixed_camera: Camera, mobile_camera: Camera) -> ReadStore:
    """A store with one agency, its fixed camera and its mobile camera registered."""
    store.add_agency(agency)
    store.add_camera(fixed_camera)
    store.add_camera(mobile_camera)
    return store


@pytest.fixture
def t0() -> int:
    """A moment a day after the cameras were registered, in epoch milliseconds."""
    return REGISTERED_MS + DAY_MS

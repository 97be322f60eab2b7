"""`PLATELEDGER_READS_DSN` puts the read store on the PostgreSQL server; the rest of the app is unchanged."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from plateledger.api.services import open_services
from plateledger.config import Settings
from plateledger.reads import NewRead, now_ms
from plateledger.store import Agency, Camera, TimeWindow
from plateledger.store.postgres import PostgresReadStore
from plateledger.store.postgres.testing import test_dsn as postgres_dsn


@pytest.fixture
def schema() -> Iterator[str]:
    name = f"pl_services_{uuid.uuid4().hex[:10]}"
    try:
        psycopg.connect(postgres_dsn(), autocommit=True).close()
    except psycopg.Error as error:
        pytest.skip(f"PostgreSQL is unreachable: {error}")
    yield name
    with psycopg.connect(postgres_dsn(), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def test_services_open_the_postgres_read_store_when_a_dsn_is_set(tmp_path: Path, schema: str) -> None:
    settings = Settings(data_dir=tmp_path, reads_dsn=postgres_dsn(), reads_schema=schema)
    services = open_services(settings)
    try:
        assert isinstance(services.store, PostgresReadStore)
        assert not (tmp_path / "reads.db").exists()
        services.store.add_agency(Agency("sfpd", "SFPD", "local", "US-CA"))
        services.store.add_camera(Camera("gate", "sfpd", "fixed", "gate", 37.77, -122.42, 90.0))
        moment = now_ms() - 60_000
        assert services.store.append([NewRead("7ABC123", moment, "gate", 93.0, "US-CA")]).stored_count == 1
        page = services.store.search_exact("7ABC123", TimeWindow(moment - 1, moment + 1))
        assert [hit.read.camera_id for hit in page.hits] == ["gate"]
    finally:
        services.close()


def test_without_a_dsn_the_embedded_store_is_used(tmp_path: Path) -> None:
    services = open_services(Settings(data_dir=tmp_path))
    try:
        assert not isinstance(services.store, PostgresReadStore)
        assert (tmp_path / "reads.db").exists()
    finally:
        services.close()

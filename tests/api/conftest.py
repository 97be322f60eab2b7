from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared world lives in tests/access

from access.world import World, build_world

from api.ingest_world import add_ingest_cameras


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.services.close()


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(world.app) as test_client:
        yield test_client


@pytest.fixture
def ingest_world(world: World) -> World:
    """The world with the ingest cameras and keys of api/ingest_world.py."""
    add_ingest_cameras(world)
    return world


@pytest.fixture
def http(ingest_world: World) -> Iterator[TestClient]:
    with TestClient(ingest_world.app) as client:
        yield client

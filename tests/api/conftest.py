from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared world lives in tests/access

from access.world import World, world_fixtures

from api.ingest_world import add_ingest_cameras

world, client = world_fixtures()


@pytest.fixture
def ingest_world(world: World) -> World:
    """The world with the ingest cameras and keys of api/ingest_world.py."""
    add_ingest_cameras(world)
    return world


@pytest.fixture
def http(ingest_world: World) -> Iterator[TestClient]:
    with TestClient(ingest_world.app) as client:
        yield client

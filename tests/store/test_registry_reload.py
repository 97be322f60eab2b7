"""The registry cache is reloaded while ingest reads it: a reader never sees a camera without its site."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from plateledger.store.contract import Agency, Camera
from plateledger.store.sqlite import SqliteReadStore
from plateledger.store.sqlite.connection import connect


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteReadStore]:
    store = SqliteReadStore(tmp_path / "reads.db")
    store.add_agency(Agency("alpha", "Alpha Police", "local", "US-CA"))
    for number in range(60):
        store.add_camera(Camera(f"cam-{number}", "alpha", "fixed", "", 37.0 + number / 1000, -122.0, 90.0, 0))
    yield store
    store.close()


def test_a_reload_never_shows_a_camera_without_its_site(store: SqliteReadStore, tmp_path: Path) -> None:
    registry = store._registry
    connection = connect(tmp_path / "reads.db")
    stop = threading.Event()

    def reload_again_and_again() -> None:  # what list_cameras does in a request thread
        while not stop.is_set():
            registry.load(connection)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # hand the GIL over as often as possible, to open any window
    reloader = threading.Thread(target=reload_again_and_again)
    reloader.start()
    missing = []
    try:
        for _ in range(3000):  # what the ingest writer does for each batch
            for camera in list(registry.cameras.values()):
                if registry.sites.get(camera.site) is None or camera.id not in registry.history:
                    missing.append(camera.code)
    finally:
        stop.set()
        reloader.join()
        sys.setswitchinterval(interval)
        connection.close()
    assert missing == []

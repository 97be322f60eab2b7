"""Fixtures for ingest tests: a store whose cameras exist since 1970 (the published payloads are old), image
and record files in tmp_path, real JPEG bytes, and the published payloads in ../shared/formats."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from plateledger.images import ImageStore
from plateledger.ingest import IngestContext, Ingestor, context_for_camera
from plateledger.ingest.deadletters import DeadLetterStore
from plateledger.ingest.records import IngestRecords
from plateledger.store.contract import Agency, Camera
from plateledger.store.sqlite import SqliteReadStore

REPO = Path(__file__).resolve().parents[2]
SHARED_FORMATS = REPO / ".." / "shared" / "formats"
FIXTURES = REPO / "tests" / "fixtures"
LATE_CAMERA_MS = 1_717_113_600_000  # 2024-05-31: "late-cam" exists only since then


@pytest.fixture
def shared_payload() -> Callable[[str], bytes]:
    """The bytes of a published payload, by path under ../shared/formats."""

    def load(name: str) -> bytes:
        return (SHARED_FORMATS / name).read_bytes()

    return load


@pytest.fixture
def fixture_payload() -> Callable[[str], dict[str, Any]]:
    """One of our own fixture payloads (tests/fixtures), as a dict."""

    def load(name: str) -> dict[str, Any]:
        return json.loads((FIXTURES / name).read_text())

    return load


@pytest.fixture
def make_jpeg() -> Callable[..., bytes]:
    def make(width: int = 64, height: int = 24, colour: tuple[int, int, int] = (240, 240, 200)) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (width, height), colour).save(buffer, "JPEG", quality=80)
        return buffer.getvalue()

    return make


@pytest.fixture
def read_store(tmp_path: Path) -> Iterator[SqliteReadStore]:
    """Agency metro-pd (US-CA); fixed camera gate-1, mobile camera patrol-7 (both since 1970); late-cam (2024)."""
    store = SqliteReadStore(tmp_path / "reads.db")
    store.add_agency(Agency("metro-pd", "Metro Police Department", "local", "US-CA"))
    store.add_agency(Agency("state-pd", "State Patrol", "state", "US-MO"))
    store.add_camera(Camera("gate-1", "metro-pd", "fixed", "gate", lat=38.627, lon=-90.199, heading=90.0))
    store.add_camera(Camera("patrol-7", "metro-pd", "mobile", "patrol car 7"))
    store.add_camera(Camera("trooper-2", "state-pd", "mobile", "state trooper 2"))
    store.add_camera(
        Camera("late-cam", "metro-pd", "fixed", "new pole", lat=38.6, lon=-90.2, created_ms=LATE_CAMERA_MS)
    )
    yield store
    store.close()


@pytest.fixture
def images(tmp_path: Path) -> Iterator[ImageStore]:
    store = ImageStore(tmp_path / "images")
    yield store
    store.close()


@pytest.fixture
def records(tmp_path: Path) -> Iterator[IngestRecords]:
    kept = IngestRecords(tmp_path / "ingest.db")  # where a data directory keeps them
    yield kept
    kept.close()


@pytest.fixture
def deadletters(tmp_path: Path) -> Iterator[DeadLetterStore]:
    letters = DeadLetterStore(tmp_path / "deadletters.db")
    yield letters
    letters.close()


@pytest.fixture
def ingestor(
    read_store: SqliteReadStore, images: ImageStore, records: IngestRecords, deadletters: DeadLetterStore
) -> Ingestor:
    return Ingestor(read_store, images=images, records=records, deadletters=deadletters)


@pytest.fixture
def context_for(read_store: SqliteReadStore) -> Callable[..., IngestContext]:
    """context_for("gate-1", sources={"1234": "patrol-7"}): what the API builds for an authenticated sender."""

    def build(camera_id: str | None, sources: dict[str, str] | None = None) -> IngestContext:
        return context_for_camera(read_store, camera_id, sources=sources)

    return build

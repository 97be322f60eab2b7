"""Helpers for the ingest API tests: the access world plus cameras for ingest, keys, JPEGs and payloads.

Agency alpha gets a fixed camera `alpha-gate` and a mobile `alpha-car` (both since 1970: the published payloads
are old); bravo keeps its `bravo-cam`. Keys are made through the access service and bound like an admin would.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from access.world import World
from PIL import Image

from plateledger.ingest.bindings import Binding
from plateledger.store.contract import Camera

SHARED_FORMATS = Path(__file__).resolve().parents[2] / ".." / "shared" / "formats"


def add_ingest_cameras(world: World) -> None:
    store = world.services.store
    store.add_camera(Camera("alpha-gate", "alpha", "fixed", "I-80 overpass at Exit 12", 37.7, -122.4, 90.0, 0))
    store.add_camera(Camera("alpha-car", "alpha", "mobile", "patrol car 7", created_ms=0))


def ingest_key(
    world: World,
    agency: str = "alpha",
    cameras: tuple[str, ...] = (),
    sources: dict[str, str] | None = None,
    scopes: tuple[str, ...] = ("ingest",),
    default_camera: str | None = None,
) -> tuple[str, str]:
    """A new API key (id, token); bound when cameras, sources or a default camera are given."""
    key, token = world.access.api_keys.create(agency, "test key", scopes, actor="test")
    if cameras or sources or default_camera:
        binding = Binding(key.id, agency, cameras, default_camera, dict(sources or {}))
        world.services.bindings.put(binding, actor="test")
    return key.id, token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def jpeg(width: int = 120, height: int = 40, colour: tuple[int, int, int] = (230, 230, 210)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def native_read(plate: str, observed_ms: int, camera: str = "alpha-gate", **fields: Any) -> dict[str, Any]:
    return {"plate": plate, "observed_at": observed_ms, "camera_id": camera, **fields}


def refusals(world: World) -> list[Any]:
    return world.entries(action="ingest_refused")

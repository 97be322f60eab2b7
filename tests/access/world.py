"""A small world for the access, policy and API tests: two agencies, cameras, reads, fast password hashing.

Agencies `alpha` and `bravo` each have one fixed camera at the same spot, and each saw plate 7ABC123 there
(so any leak between them shows in a search). One alpha read is older than the default 90-day lookback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from plateledger.access import Access, Clock, ManualClock, NewUser, Principal
from plateledger.access.totp import code_at
from plateledger.api import Services, create_app
from plateledger.audit import AuditLedger
from plateledger.config import Settings
from plateledger.policy.agencies import create_agency
from plateledger.reads import NewRead, now_ms
from plateledger.store.contract import Agency, Camera
from plateledger.store.sqlite import SqliteReadStore

DAY_MS = 86_400_000
# argon2id at its cheapest: for tests only, never a production default.
FAST_HASHING: dict[str, Any] = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}
AGENCIES = ("alpha", "bravo")
SPOT = (37.7749, -122.4194)
PLATE = "7ABC123"
CASE = "24-000123"


def fast_settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(data_dir=data_dir, **{**FAST_HASHING, **overrides})


@dataclass
class World:
    app: FastAPI
    services: Services
    clock: ManualClock
    read_ids: dict[str, list[int]] = field(default_factory=dict)  # agency -> ids of its 7ABC123 reads
    old_read_id: int = 0
    _count: int = 0

    @property
    def access(self) -> Access:
        return self.services.access

    @property
    def ledger(self) -> AuditLedger:
        return self.services.ledger

    def user(self, agency: str, role: str, username: str | None = None) -> NewUser:
        self._count += 1
        name = username or f"{role.replace('_', '')}{self._count}.{agency}"
        return self.access.users.create(agency, name, role, actor="test")

    def principal(self, agency: str, role: str) -> Principal:
        created = self.user(agency, role)
        return Principal(kind="user", name=created.user.username, agency_id=agency, role=created.user.role)

    def token(self, agency: str, role: str) -> str:
        """A session for a new user of that role (login's password and TOTP steps are tested elsewhere)."""
        created = self.user(agency, role)
        return self.access.sessions.issue(created.user)

    def headers(self, agency: str, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(agency, role)}"}

    def totp(self, secret: str, steps_ahead: int = 0) -> str:
        return code_at(secret, self.clock.now_ms() + steps_ahead * 30_000)

    def entries(self, **filters: Any) -> list[Any]:
        return self.ledger.entries(**filters)


def build_world(directory: Path, clock: Clock | None = None, **settings: Any) -> World:
    """The world in `directory`; `clock` defaults to a ManualClock at the present (pass SystemClock for a live
    server whose sessions must expire in real time)."""
    clock = clock or ManualClock(now_ms())
    chosen = fast_settings(directory, **settings)
    ledger = AuditLedger(directory / "audit.db", clock=clock.now_ms)
    access = Access.open(directory / "access.db", chosen, ledger, clock)
    store = SqliteReadStore(directory / "reads.db")
    app = create_app(chosen, store, access, ledger)
    services: Services = app.state.services
    world = World(app, services, clock)  # type: ignore[arg-type]
    now = clock.now_ms()
    for agency_id in AGENCIES:
        agency = Agency(agency_id, f"{agency_id.title()} Police", "local", "US-CA")
        create_agency(store, services.policies, ledger, agency, None, actor="test")
        store.add_camera(Camera(f"{agency_id}-cam", agency_id, "fixed", "", SPOT[0], SPOT[1], 90.0, now - 400 * DAY_MS))
    reads = []
    for agency_id in AGENCIES:
        for days in (1, 3, 5):
            reads.append(NewRead(PLATE, now - days * DAY_MS, f"{agency_id}-cam", 95.0, "US-CA"))
        reads.append(NewRead("7ABD123", now - 2 * DAY_MS, f"{agency_id}-cam", 90.0, "US-CA"))
    reads.append(NewRead(PLATE, now - 120 * DAY_MS, "alpha-cam", 95.0, "US-CA"))
    result = store.append(reads)
    assert not result.refused, result.refused
    for index, read in enumerate(reads):
        read_id = result.stored[index]
        if read.observed_ms == now - 120 * DAY_MS:
            world.old_read_id = read_id
        elif read.plate_raw == PLATE:
            world.read_ids.setdefault(read.camera_id.split("-")[0], []).append(read_id)
    return world


def window(world: World, days: float = 30, end_days_ago: float = 0) -> dict[str, str]:
    """A search window ending `end_days_ago` before the world's now and lasting `days`."""
    from plateledger.policy.query import iso

    end = world.clock.now_ms() - int(end_days_ago * DAY_MS)
    return {"start": iso(end - int(days * DAY_MS)), "end": iso(end)}


def exact_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "exact",
        "plate": PLATE,
        "window": window(world),
        "purpose": "stolen_vehicle",
        "case_number": CASE,
    }
    body.update(overrides)
    return body


def world_fixtures(**settings: Any) -> tuple[Callable[..., Iterator[World]], Callable[..., Iterator[TestClient]]]:
    """A conftest's `world` (built in the test's tmp_path with these settings, closed after it) and `client`
    fixtures: `world, client = world_fixtures()`."""

    @pytest.fixture
    def world(tmp_path: Path) -> Iterator[World]:
        built = build_world(tmp_path, **settings)
        yield built
        built.services.close()

    @pytest.fixture
    def client(world: World) -> Iterator[TestClient]:
        with TestClient(world.app) as test_client:
            yield test_client

    return world, client

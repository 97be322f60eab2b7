"""Reads posted through ingest raise alerts that say how they matched; repeats collapse; ingest never waits."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from access.world import World
from fastapi.testclient import TestClient

from alerts.helpers import add_entry, custom_list
from plateledger.alerts.delivery import base as channels
from plateledger.hotlists.model import DAY_MS
from plateledger.reads import now_ms

MINUTE_MS = 60_000


@pytest.fixture
def ingest_token(world: World) -> str:
    _, token = world.access.api_keys.create("alpha", "test camera", actor="test")
    return token


def post(client: TestClient, token: str, *reads: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/reads", json={"reads": list(reads)}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def read(plate: str, region: str | None = "US-CA", camera: str = "alpha-cam", at: int | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"plate": plate, "observed_at": at or now_ms(), "camera_id": camera}
    if region is not None:
        item["region"] = region
    return item


def alerts(world: World) -> list[Any]:
    assert world.services.alerting.wait_idle(10)
    return world.services.alerting.alerts.list("alpha")


@pytest.fixture
def entry(world: World) -> Any:
    return add_entry(world, custom_list(world, "alpha"), effective_ms=world.clock.now_ms() - DAY_MS)


@pytest.mark.parametrize(
    ("plate", "region", "match_type", "words"),
    [
        ("5SOW350", "US-CA", "exact", "Plate 5SOW350 and state California match the entry."),
        (
            "5SOW350",
            "US-AZ",
            "region_mismatch",
            "Plate matches, but the state read was Arizona and the entry is for California — check the state",
        ),
        ("5SOW350", None, "region_mismatch", "the state was not read (assumed California from the camera's location)"),
        (
            "5S0W35O",
            "US-CA",
            "near",
            "the camera read 5S0W35O and the entry is 5SOW350. They differ only in look-alike",
        ),
    ],
)
def test_each_match_type_is_said_in_words(
    world: World,
    client: TestClient,
    ingest_token: str,
    entry: Any,
    plate: str,
    region: str | None,
    match_type: str,
    words: str,
) -> None:
    stored = post(client, ingest_token, read(plate, region))
    (alert,) = alerts(world)
    assert alert.match_type == match_type and alert.read_id == stored["items"][0]["id"]
    assert words in alert.message and "before acting" in alert.message
    assert alert.entry["vehicle"] == {"make": "Honda", "model": "Civic", "colour": "grey"}
    raised = world.entries(action="alert_raised")[-1]
    assert raised.user == "system:hotlists" and raised.parameters["match_type"] == match_type
    assert raised.case_number == entry.case_number


def test_other_plates_and_other_agencies_raise_nothing(
    world: World, client: TestClient, ingest_token: str, entry: Any
) -> None:
    post(client, ingest_token, read("5SOW750"), read("5SOW35"), read("7ABC123"))
    _, bravo_token = world.access.api_keys.create("bravo", "bravo camera", actor="test")
    post(client, bravo_token, read("5SOW350", camera="bravo-cam"))  # alpha's entry; bravo's camera
    assert alerts(world) == [] and world.services.alerting.alerts.list("bravo") == []


def test_entries_not_yet_or_no_longer_in_force_raise_nothing(
    world: World, client: TestClient, ingest_token: str
) -> None:
    hotlist = custom_list(world, "alpha")
    add_entry(world, hotlist, plate="1FUT000", effective_ms=world.clock.now_ms() + DAY_MS)
    expiring = add_entry(world, hotlist, plate="2EXP000", effective_ms=world.clock.now_ms() - DAY_MS,
                         expires_ms=world.clock.now_ms() + 60_000)  # fmt: skip
    world.clock.advance(120)
    post(client, ingest_token, read("1FUT000"), read(expiring.plate))
    assert alerts(world) == []


def test_repeats_at_one_camera_collapse_into_one_alert(
    world: World, client: TestClient, ingest_token: str, entry: Any
) -> None:
    now = now_ms()
    post(client, ingest_token, read("5SOW350", at=now - 30 * MINUTE_MS))
    post(client, ingest_token, read("5SOW350", at=now - 25 * MINUTE_MS), read("5S0W350", at=now - 24 * MINUTE_MS))
    (alert,) = alerts(world)
    assert alert.count == 3 and alert.last_ms == now - 24 * MINUTE_MS
    post(client, ingest_token, read("5SOW350", at=now - 5 * MINUTE_MS))  # 19 minutes later: a new alert
    newest, first = alerts(world)
    assert (newest.count, first.count) == (1, 3)
    assert len(world.entries(action="alert_raised")) == 2


def test_ingest_never_waits_for_deliveries(
    world: World, client: TestClient, ingest_token: str, entry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    started = threading.Event()

    def stuck(target: Any, message: Any) -> None:
        started.set()
        release.wait(20)

    monkeypatch.setitem(channels._CHANNELS, "webhook", stuck)
    hotlists = world.services.alerting.hotlists
    target = {"type": "webhook", "url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef"}
    hotlists.set_list_targets("test", hotlists.get(entry.list_id), [target], [])
    post(client, ingest_token, read("5SOW350"))
    assert started.wait(10)  # the delivery hangs...
    stored = post(client, ingest_token, read("7ABC123"), read("5SOW350", region="US-NV"))  # ...ingest goes on
    assert stored["stored"] == 2
    assert world.services.alerting.engine.wait_idle(10)
    assert len(world.services.alerting.alerts.list("alpha")) == 1  # collapsed: same entry, same camera
    release.set()
    assert world.services.alerting.deliverer.wait_idle(10)


def test_a_failing_alert_worker_never_fails_ingest(
    world: World, client: TestClient, ingest_token: str, entry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(entry_id: int) -> None:
        raise RuntimeError("disk on fire")

    repository = world.services.alerting.hotlists.repository
    original = repository.get_entry
    monkeypatch.setattr(repository, "get_entry", broken)
    assert post(client, ingest_token, read("5SOW350"))["stored"] == 1
    assert alerts(world) == []
    monkeypatch.setattr(repository, "get_entry", original)
    post(client, ingest_token, read("5SOW350", at=now_ms() + 1))
    assert len(alerts(world)) == 1


def test_the_hook_is_cheap_for_reads_on_no_list(world: World, entry: Any) -> None:
    """The hook matches in memory and queues only hits: a read on no list never reaches the worker."""
    engine = world.services.alerting.engine
    from plateledger.ingest.pipeline import StoredItem
    from plateledger.reads import NewRead

    items = [StoredItem(i, NewRead(f"9ZZ{i:04d}", now_ms(), "alpha-cam"), i) for i in range(1000)]
    engine.hook(items)
    assert engine.matches(items) == 0 and engine._pending == 0  # nothing queued (speed: plateledger bench-alerts)

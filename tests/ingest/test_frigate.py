"""Frigate messages parsed by the frigate adapter (the MQTT path itself: test_frigate_mqtt.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from plateledger.ingest import IngestContext, Ingestor, PayloadError, UnknownFormat, get_adapter
from plateledger.ingest.records import IngestRecords
from plateledger.store.sqlite import SqliteReadStore

EVENTS = "frigate/frigate_events_v0.16.0.json"
LPR = "frigate/frigate_tracked_object_update_lpr_v0.16.0.json"


def car_event(shared_payload: Callable[[str], bytes], **after: Any) -> dict[str, Any]:
    """The published event with its object made a car (the published one is a person)."""
    body = json.loads(shared_payload(EVENTS))
    body["after"] = {**body["after"], "label": "car", "sub_label": None, **after}
    return body


def test_the_published_event_is_a_person_and_is_not_recorded(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
) -> None:
    outcome = ingestor.receive("frigate", shared_payload(EVENTS), context_for(None, {"front_door": "gate-1"}))
    assert (outcome.kind, outcome.stored, outcome.notes) == (
        "ignored",
        0,
        ["a 'person' object is not a vehicle this platform records"],
    )
    assert read_store.count_reads() == 0


def test_a_car_event_with_a_recognised_plate_is_a_read_at_the_camera(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
) -> None:
    body = car_event(shared_payload)
    outcome = ingestor.receive("frigate", json.dumps(body).encode(), context_for(None, {"front_door": "gate-1"}))
    read = read_store.get_read(outcome.items[0]["id"])
    assert (read.plate, read.plate_raw) == ("ABC12345", "ABC12345")
    assert read.confidence == pytest.approx(93.3)  # recognized_license_plate_score 0.933451
    assert read.observed_ms == 1607123962083  # after.frame_time
    assert (read.camera_id, read.lat, read.lon, read.heading) == ("gate-1", 38.627, -90.199, 90.0)
    assert (read.region, read.region_assumed) == ("US-CA", True)
    assert read.source_id == "frigate:1607123955.475377-mxklsc:ABC12345"
    extras = records.extras_for(read.id)
    assert extras is not None
    assert extras.source_group_id == "1607123955.475377-mxklsc"
    assert extras.travel_direction == 180
    assert extras.best("type") == "car"
    assert extras.other["frigate_camera"] == "front_door" and extras.other["current_zones"] == ["yard", "driveway"]
    assert "sub_label" not in extras.other and "attributes" not in extras.other  # nothing about people is kept


def test_the_lpr_tracked_object_update(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
) -> None:
    outcome = ingestor.receive("frigate", shared_payload(LPR), context_for(None, {"driveway_cam": "gate-1"}))
    read = read_store.get_read(outcome.items[0]["id"])
    assert (read.plate, read.confidence, read.observed_ms) == ("123ABC", pytest.approx(95.0), 1607123958748)
    assert read.camera_id == "gate-1" and read.source_id == "frigate:1607123955.475377-mxklsc:123ABC"
    extras = records.extras_for(read.id)
    assert extras is not None and extras.other == {"frigate_camera": "driveway_cam", "event_type": "lpr"}
    assert "John" not in json.dumps(extras.to_dict())  # the known-plate name is not kept


def test_updates_of_one_object_are_one_read_and_a_changed_plate_is_another(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
) -> None:
    context = context_for(None, {"front_door": "gate-1"})
    statuses = []
    for frame_time, plate in [(1607123962.1, "ABC12345"), (1607123962.6, "ABC12345"), (1607123963.0, "ABC12845")]:
        body = car_event(shared_payload, frame_time=frame_time, recognized_license_plate=plate)
        statuses.append(ingestor.receive("frigate", json.dumps(body).encode(), context).items[0]["status"])
    assert statuses == ["stored", "duplicate", "stored"]
    assert read_store.count_reads() == 2


def test_other_objects_and_updates_are_ignored(
    context_for: Callable[..., IngestContext], shared_payload: Callable[[str], bytes]
) -> None:
    adapter = get_adapter("frigate")
    context = context_for(None, {"front_door": "gate-1"})
    no_plate = car_event(shared_payload, recognized_license_plate=None)
    assert adapter.parse(no_plate, context).kind == "ignored"
    description = {"type": "description", "id": "1607123955.475377-mxklsc", "camera": "front_door", "description": "x"}
    assert adapter.parse(description, context).kind == "ignored"
    assert (
        get_adapter("frigate", labels=("car", "motorcycle", "bus"))
        .parse(car_event(shared_payload, label="bus"), context)
        .reads
    )


def test_an_unmapped_frigate_camera_is_a_payload_error(
    context_for: Callable[..., IngestContext], shared_payload: Callable[[str], bytes]
) -> None:
    with pytest.raises(PayloadError) as caught:
        get_adapter("frigate").parse(car_event(shared_payload), context_for(None, {"garage": "gate-1"}))
    assert caught.value.field == "after.camera"
    assert "front_door" in caught.value.reason


def test_a_message_of_no_known_shape_is_an_unknown_format(context_for: Callable[..., IngestContext]) -> None:
    with pytest.raises(UnknownFormat):
        get_adapter("frigate").parse({"hello": "world"}, context_for("gate-1"))

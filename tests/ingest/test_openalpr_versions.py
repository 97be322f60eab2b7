"""Every documented OpenALPR / Rekor Scout version we built a fixture for (tests/fixtures/openalpr/README.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from plateledger.images import ImageStore
from plateledger.ingest import IngestContext, Ingestor, UnknownFormat, get_adapter
from plateledger.ingest.records import IngestRecords
from plateledger.reads import Candidate
from plateledger.store.sqlite import SqliteReadStore

Load = Callable[[str], dict[str, Any]]


def _receive(ingestor: Ingestor, body: dict[str, Any], context: IngestContext) -> Any:
    return ingestor.receive("openalpr", json.dumps(body).encode(), context)


def test_version_1_group_with_a_bare_state_code(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    context_for: Callable[..., IngestContext],
    fixture_payload: Load,
) -> None:
    context = context_for(None, {"1700000001": "gate-1"})
    outcome = _receive(ingestor, fixture_payload("openalpr/group_v1_2016.json"), context)
    read = read_store.get_read(outcome.items[0]["id"])
    assert (read.plate, read.confidence, read.observed_ms) == ("7KQD214", pytest.approx(90.5), 1453420000100)
    assert (read.region, read.region_assumed) == ("US-CA", False)  # "ca" before agents prefixed "us-"
    assert read.candidates == (Candidate("7KQD214", 90.5), Candidate("7KQO214", 81.25))  # from best_plate
    extras = records.extras_for(read.id)
    assert extras is not None
    assert extras.source_group_id == "north-yard-cam1700000001-1453420000950"
    assert len(extras.source_uuids) == 3
    assert extras.other["site_id"] == "north-yard" and extras.other["version"] == 1
    assert extras.travel_direction is None and extras.is_parked is None and extras.vehicle == {}


def test_version_1_heartbeat(
    ingestor: Ingestor,
    records: IngestRecords,
    context_for: Callable[..., IngestContext],
    fixture_payload: Load,
) -> None:
    context = context_for(None, {"1700000001": "gate-1"})
    outcome = _receive(ingestor, fixture_payload("openalpr/heartbeat_v1_2016.json"), context)
    assert (outcome.kind, outcome.liveness) == ("heartbeat", 1)
    seen = records.last_seen("gate-1")
    assert seen is not None and seen.seen_ms == 1453426301500 and seen.detail["fps"] == 10
    assert seen.detail["agent"]["site_id"] == "north-yard"


def test_agent_2_3_results_with_a_bare_state_code(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    context_for: Callable[..., IngestContext],
    fixture_payload: Load,
) -> None:
    outcome = _receive(ingestor, fixture_payload("openalpr/results_v2_agent2.3.json"), context_for("gate-1"))
    read = read_store.get_read(outcome.items[0]["id"])
    assert (read.plate, read.confidence, read.region) == ("AE1T3E", pytest.approx(93.5), "US-MO")
    assert read.observed_ms == 1490574589596
    assert read.candidates == (Candidate("AE1T3E", 93.5), Candidate("AET3E", 83.0))
    assert read.source_id == "openalpr:east-gate-cam16488027-1490574589596:0"
    extras = records.extras_for(read.id)
    assert extras is not None and extras.other["vehicle_region"] == {"x": 0, "y": 34, "width": 433, "height": 433}
    assert extras.other["agent_version"] == "2.3.111"


def test_agent_2_6_group_with_direction_parking_and_crop(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    images: ImageStore,
    context_for: Callable[..., IngestContext],
    fixture_payload: Load,
) -> None:
    outcome = _receive(ingestor, fixture_payload("openalpr/group_v2_agent2.6.json"), context_for("gate-1"))
    read = read_store.get_read(outcome.items[0]["id"])
    assert (read.plate, read.confidence, read.region) == ("6PK132", pytest.approx(90.2), "US-MO")
    assert read.observed_ms == 1538924513527
    assert read.candidates == (Candidate("6PK132", 90.25), Candidate("6PKI32", 70.5))  # top-level candidates
    extras = records.extras_for(read.id)
    assert extras is not None
    assert (extras.travel_direction, extras.is_parked) == (285.5, True)
    assert extras.other["user_data"] == "lane 2"
    (crop,) = images.images_for(read.id)
    assert (crop.kind, crop.ref.format, crop.ref.width, crop.ref.height) == ("crop", "jpeg", 96, 32)


def test_agent_2_8_mobile_group_with_vehicle_attributes_and_crops(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    images: ImageStore,
    context_for: Callable[..., IngestContext],
    fixture_payload: Load,
) -> None:
    context = context_for(None, {"106232737": "patrol-7"})
    outcome = _receive(ingestor, fixture_payload("openalpr/group_v2_agent2.8_mobile.json"), context)
    read = read_store.get_read(outcome.items[0]["id"])
    assert (read.plate, read.region, read.camera_id) == ("A424761", "US-IN", "patrol-7")
    assert (read.lat, read.lon) == (pytest.approx(40.009975), pytest.approx(-86.144638))
    extras = records.extras_for(read.id)
    assert extras is not None
    assert extras.best("make") == "kenworth" and extras.best("make_model") == "kenworth_t680"
    assert extras.best("colour") == "white" and extras.best("type") == "tractor-trailer"
    assert extras.best("year") == "2000-2004" and extras.best("orientation") == "135"
    assert extras.other["is_preview"] is False
    assert extras.other["web_server_config"] == {"camera_label": "unit-12 front", "agent_label": "unit-12"}
    kinds = sorted((image.kind, image.ref.width) for image in images.images_for(read.id))
    assert kinds == [("crop", 96), ("vehicle", 160)]


def test_a_preview_and_its_final_group_are_one_read(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    context_for: Callable[..., IngestContext],
    fixture_payload: Load,
) -> None:
    context = context_for(None, {"106232737": "patrol-7"})
    final = fixture_payload("openalpr/group_v2_agent2.8_mobile.json")
    preview = dict(final, is_preview=True, uuids=final["uuids"][:1], epoch_end=final["epoch_start"])
    first = _receive(ingestor, preview, context)
    second = _receive(ingestor, final, context)
    assert second.items[0] == {"index": 0, "status": "duplicate", "id": first.items[0]["id"], **_images(second)}
    changed = dict(final, best_plate_number="A424781")  # a different plate is a different reading: kept
    assert _receive(ingestor, changed, context).stored == 1
    assert read_store.count_reads() == 2


def _images(outcome: Any) -> dict[str, Any]:
    images = outcome.items[0].get("images")
    return {} if images is None else {"images": images}


def test_an_alert_is_ingested_as_its_group(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    images: ImageStore,
    context_for: Callable[..., IngestContext],
    fixture_payload: Load,
) -> None:
    alert = fixture_payload("openalpr/alert_v1_rekor.json")
    outcome = _receive(ingestor, alert, context_for(None, {"1000": "gate-1"}))
    read = read_store.get_read(outcome.items[0]["id"])
    assert (read.plate, read.region, read.observed_ms) == ("ABC123", "US-CA", 1548715870757)
    assert read.candidates == (Candidate("ABC123", 94.97), Candidate("ZBC123", 75.97))
    extras = records.extras_for(read.id)
    assert extras is not None
    assert extras.other["source_alert"] == {
        "alert_list": "test list",
        "list_type": "Blacklist",
        "description": "stolen vehicle (test entry)",
        "site_name": "headquarters",
        "camera_name": "gate north",
    }
    assert sorted(image.kind for image in images.images_for(read.id)) == ["crop", "overview"]
    # The same group posted on its own is the same read.
    again = _receive(ingestor, alert["group"], context_for(None, {"1000": "gate-1"}))
    assert again.items[0]["status"] == "duplicate" and again.items[0]["id"] == read.id


def test_a_vehicle_without_a_plate_is_acknowledged_not_stored(
    ingestor: Ingestor, read_store: SqliteReadStore, context_for: Callable[..., IngestContext], fixture_payload: Load
) -> None:
    outcome = _receive(ingestor, fixture_payload("openalpr/vehicle_v2.json"), context_for("patrol-7"))
    assert (outcome.kind, outcome.stored, outcome.items) == ("ignored", 0, [])
    assert outcome.notes == ["a vehicle without a readable plate: acknowledged, not a read"]
    assert read_store.count_reads() == 0


def test_an_unknown_data_type_is_an_unknown_format(context_for: Callable[..., IngestContext]) -> None:
    with pytest.raises(UnknownFormat) as caught:
        get_adapter("openalpr").parse({"data_type": "alpr_something_new"}, context_for("gate-1"))
    assert caught.value.field == "data_type"
    assert "alpr_something_new" in caught.value.reason

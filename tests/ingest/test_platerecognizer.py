"""Plate Recognizer Stream and Snapshot webhooks: the published payloads, our variants, and form uploads."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from plateledger.images import ImageStore
from plateledger.ingest import IngestContext, Ingestor, Rejected
from plateledger.ingest.deadletters import DeadLetterStore
from plateledger.ingest.records import IngestRecords
from plateledger.reads import Candidate
from plateledger.store.sqlite import SqliteReadStore

STREAM = "platerecognizer/stream_webhook_recognition_parkpow_tester.json"
SNAPSHOT = "platerecognizer/snapshot_webhook_image_done_guides_2025.partial.json"


def test_stream_recognition_webhook(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
) -> None:
    outcome = ingestor.receive("platerecognizer", shared_payload(STREAM), context_for(None, {"camera-1": "gate-1"}))
    read = read_store.get_read(outcome.items[0]["id"])
    assert (read.plate, read.plate_raw) == ("PL8REC", "pl8rec")  # lower case kept raw, normalised beside it
    assert read.confidence == pytest.approx(90.2)  # score 0.902
    assert (read.region, read.region_assumed) == ("US-CA", False)
    assert read.observed_ms == 1635315643970  # 2021-10-27T06:20:43.970337+00:00
    assert read.camera_id == "gate-1" and (read.lat, read.lon) == (38.627, -90.199)
    assert read.candidates == (Candidate("pl8rec", 90.2), Candidate("plbrec", 75.8))
    extras = records.extras_for(read.id)
    assert extras is not None
    assert [(a.value, a.confidence) for a in extras.vehicle["type"]] == [("Sedan", pytest.approx(70.9))]
    assert extras.best("make") == "Porsche" and extras.best("model") == "Porsche 911"
    assert extras.vehicle["model"][0].confidence == pytest.approx(43.0)
    assert [a.value for a in extras.vehicle["colour"]] == ["red", "black", "blue"]
    assert extras.best("orientation") == "Rear"
    assert extras.travel_direction == 210
    assert extras.other["region_score"] == 0.179
    assert extras.other["box"] == {"xmax": 412, "xmin": 337, "ymax": 305, "ymin": 270}
    assert extras.other["event"] == "recognition"
    assert extras.other["source_url"] == "/user-data/video.mp4" and extras.other["position_sec"] == 23.47


def test_snapshot_image_done_webhook(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
) -> None:
    outcome = ingestor.receive("platerecognizer", shared_payload(SNAPSHOT), context_for("gate-1"))
    read = read_store.get_read(outcome.items[0]["id"])
    assert (read.plate, read.plate_raw, read.confidence) == ("FM046SC", "fm046sc", pytest.approx(99.9))
    assert (read.region, read.region_assumed) == ("FR", False)
    assert read.observed_ms == 1757460158030  # "2025-09-09 23:22:38.030345": Snapshot times are UTC
    assert read.camera_id == "gate-1"  # camera_id null: the authenticated camera
    assert read.candidates == (Candidate("fm046sc", 99.9), Candidate("fmo46sc", 86.3))
    extras = records.extras_for(read.id)
    assert extras is not None and extras.best("type") == "Sedan" and extras.other["filename"] == "car2.jpg"
    assert extras.other["event"] == "image.done"


def test_stream_webhook_without_candidate_scores(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    context_for: Callable[..., IngestContext],
    fixture_payload: Callable[[str], dict[str, Any]],
) -> None:
    body = fixture_payload("platerecognizer/stream_recognition_2021_no_scores.json")
    outcome = ingestor.receive("platerecognizer", json.dumps(body).encode(), context_for(None, {"camera-2": "gate-1"}))
    read = read_store.get_read(outcome.items[0]["id"])
    assert (read.plate, read.region, read.observed_ms) == ("9JUB11", "GB", 1632894973607)
    assert read.candidates == (Candidate("9jub11", 0.0), Candidate("sju88y", 0.0))  # no score: 0, never invented
    extras = records.extras_for(read.id)
    assert extras is not None and extras.travel_direction is None  # direction ""


def test_a_bare_snapshot_api_response(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    context_for: Callable[..., IngestContext],
    fixture_payload: Callable[[str], dict[str, Any]],
) -> None:
    body = fixture_payload("platerecognizer/snapshot_api_response.json")
    outcome = ingestor.receive("platerecognizer", json.dumps(body).encode(), context_for("gate-1"))
    read = read_store.get_read(outcome.items[0]["id"])
    assert (read.plate, read.region, read.confidence) == ("AAN535P", "NG", pytest.approx(63.2))
    assert read.observed_ms == 1630424877397


def test_stream_vehicle_detection_mode(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    context_for: Callable[..., IngestContext],
    fixture_payload: Callable[[str], dict[str, Any]],
) -> None:
    body = fixture_payload("platerecognizer/stream_vehicle_mode.json")
    outcome = ingestor.receive("platerecognizer", json.dumps(body).encode(), context_for(None, {"camera-3": "gate-1"}))
    read = read_store.get_read(outcome.items[0]["id"])
    assert (read.plate, read.region, read.confidence) == ("KL44VMX", "US-WA", pytest.approx(88.0))
    assert read.observed_ms == 1709283600250  # 10:00:00.25 at +01:00
    extras = records.extras_for(read.id)
    assert extras is not None and extras.best("type") == "Pickup Truck" and extras.travel_direction == 45


def test_webhook_with_image_stores_the_upload_as_overview(
    ingestor: Ingestor,
    images: ImageStore,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
    make_jpeg: Callable[..., bytes],
) -> None:
    frame = make_jpeg(640, 360, (30, 60, 90))
    fields = {"json": shared_payload(STREAM).decode()}
    outcome = ingestor.receive_form(
        "platerecognizer", fields, {"upload": frame}, context_for(None, {"camera-1": "gate-1"})
    )
    (attached,) = images.images_for(outcome.items[0]["id"])
    assert (attached.kind, attached.ref.width, attached.ref.height) == ("overview", 640, 360)
    assert images.get(attached.ref.sha256) == frame


def test_form_without_its_json_field_is_dead_lettered_with_the_upload(
    ingestor: Ingestor,
    deadletters: DeadLetterStore,
    context_for: Callable[..., IngestContext],
    make_jpeg: Callable[..., bytes],
) -> None:
    frame = make_jpeg()
    with pytest.raises(Rejected) as caught:
        ingestor.receive_form("platerecognizer", {"other": "x"}, {"upload": frame}, context_for("gate-1"))
    assert (caught.value.status, caught.value.field) == (422, "json")
    letter = deadletters.get(caught.value.deadletter_id)  # type: ignore[arg-type]
    assert letter.files == {"upload": frame} and letter.form == {"other": "x"}


def test_an_unknown_hook_event_is_an_unknown_format(
    ingestor: Ingestor, context_for: Callable[..., IngestContext]
) -> None:
    body = json.dumps({"hook": {"event": "dwell"}, "data": {}}).encode()
    with pytest.raises(Rejected) as caught:
        ingestor.receive("platerecognizer", body, context_for("gate-1"))
    assert (caught.value.status, caught.value.field) == (422, "hook.event")


def test_a_bare_country_code_that_is_also_a_us_state_stays_a_country(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
) -> None:
    body = json.loads(shared_payload(SNAPSHOT))
    body["data"]["results"][0]["region"] = {"code": "de", "score": 0.8}
    outcome = ingestor.receive("platerecognizer", json.dumps(body).encode(), context_for("gate-1"))
    assert read_store.get_read(outcome.items[0]["id"]).region == "DE"

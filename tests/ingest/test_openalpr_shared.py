"""The published OpenALPR / Rekor Scout payloads (../shared/formats/openalpr), ingested field by field."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest

from plateledger.images import ImageStore
from plateledger.ingest import IngestContext, Ingestor
from plateledger.ingest.records import IngestRecords
from plateledger.reads import Candidate
from plateledger.store.sqlite import SqliteReadStore

GROUP_UUID = "YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY-1234-1562681122676"


def test_alpr_group_from_a_mobile_agent(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
) -> None:
    outcome = ingestor.receive("openalpr", shared_payload("openalpr/alpr_group_v2.json"), context_for("patrol-7"))
    assert (outcome.kind, outcome.stored, outcome.refused) == ("reads", 1, 0)
    item = outcome.items[0]
    read = read_store.get_read(item["id"])
    assert read.plate == "D2651BF"
    assert read.plate_raw == "D2651BF"
    assert read.confidence == pytest.approx(93.9)  # 93.877..., kept to a tenth by the store
    assert (read.region, read.region_assumed) == ("US-MO", False)
    assert read.observed_ms == 1562681121504  # epoch_start
    assert (read.lat, read.lon) == (pytest.approx(37.635986, abs=1e-6), pytest.approx(-79.205933, abs=1e-6))
    assert (read.camera_id, read.agency_id) == ("patrol-7", "metro-pd")
    assert read.candidates == (
        Candidate("D2651BF", 93.877067565918),
        Candidate("D2651F", 74.8114395141602),
        Candidate("D265BF", 73.527099609375),
    )
    extras = records.extras_for(read.id)
    assert extras is not None
    assert extras.best("colour") == "black"
    assert [a.value for a in extras.vehicle["colour"]] == ["black", "silver-gray"]
    assert extras.vehicle["colour"][0].confidence == pytest.approx(27.3192367553711)
    assert extras.best("make") == "ford"
    assert [a.value for a in extras.vehicle["make"]] == ["ford", "chevrolet", "toyota"]
    assert extras.best("make_model") == "ford_focus"
    assert extras.best("type") == "sedan-standard"
    assert extras.best("year") == "2010-2014"
    assert extras.best("orientation") == "270"
    assert extras.travel_direction == pytest.approx(85.5532836914062)
    assert extras.is_parked is False
    assert extras.source_group_id == GROUP_UUID
    assert len(extras.source_uuids) == 3 and extras.source_uuids[1].endswith("-1562681121504")
    assert extras.other["epoch_end"] == 1562681124479
    assert extras.other["agent_version"] == "2.7.101"
    # The published example has placeholder text where the images go: refused alone, the read is kept.
    assert [(i["kind"], i["status"], i["reason"]) for i in item["images"]] == [
        ("crop", "refused", "is not valid base64"),
        ("vehicle", "refused", "is not valid base64"),
    ]


def test_alpr_group_images_are_stored_and_attached(
    ingestor: Ingestor,
    images: ImageStore,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
    make_jpeg: Callable[..., bytes],
) -> None:
    body = json.loads(shared_payload("openalpr/alpr_group_v2.json"))
    crop, vehicle = make_jpeg(96, 32), make_jpeg(160, 90, (200, 20, 20))
    body["best_plate"]["plate_crop_jpeg"] = base64.b64encode(crop).decode()
    body["vehicle_crop_jpeg"] = base64.b64encode(vehicle).decode()
    outcome = ingestor.receive("openalpr", json.dumps(body).encode(), context_for("patrol-7"))
    read_id = outcome.items[0]["id"]
    attached = {image.kind: image.ref for image in images.images_for(read_id)}
    assert set(attached) == {"crop", "vehicle"}
    assert (attached["crop"].format, attached["crop"].width, attached["crop"].height) == ("jpeg", 96, 32)
    assert images.get(attached["crop"].sha256) == crop
    assert images.get(attached["vehicle"].sha256) == vehicle
    assert outcome.images_stored == 2


def test_alpr_group_gps_from_a_fixed_camera_is_kept_aside(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
) -> None:
    outcome = ingestor.receive("openalpr", shared_payload("openalpr/alpr_group_v2.json"), context_for("gate-1"))
    read = read_store.get_read(outcome.items[0]["id"])
    assert (read.lat, read.lon, read.heading) == (38.627, -90.199, 90.0)  # the registered position
    extras = records.extras_for(read.id)
    assert extras is not None and extras.other["reported_gps"] == [37.635986328125, -79.2059326171875]


def test_alpr_results_each_result_is_a_read(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
) -> None:
    context = context_for(None, {"1234": "gate-1"})  # an agent credential mapping its camera 1234 to ours
    outcome = ingestor.receive("openalpr", shared_payload("openalpr/alpr_results_v2.json"), context)
    assert [item["status"] for item in outcome.items] == ["stored", "stored"]
    first, second = (read_store.get_read(item["id"]) for item in outcome.items)
    assert (first.plate, first.confidence, first.region) == ("D2651BF", pytest.approx(92.9), "US-MO")
    assert (second.plate, second.confidence, second.region) == ("CG3L5Y", pytest.approx(94.7), "US-MO")
    assert first.observed_ms == second.observed_ms == 1562681608425
    assert first.camera_id == "gate-1" and (first.lat, first.lon) == (38.627, -90.199)
    assert [c.plate for c in first.candidates] == ["D2651BF", "D2651F", "D265BF", "D251BF"]
    assert first.candidates[1].confidence == pytest.approx(80.8129653930664)
    assert [c.plate for c in second.candidates] == ["CG3L5Y", "CGL5Y", "CG3L5"]
    assert first.source_id != second.source_id
    extras = records.extras_for(first.id)
    assert extras is not None
    assert extras.source_uuids == ("YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY-1234-1562681608425",)
    assert extras.other["region_confidence"] == 40
    assert extras.other["coordinates"][0] == {"x": 3257, "y": 188}
    assert [image["reason"] for item in outcome.items for image in item["images"]] == ["is not valid base64"] * 2


def test_heartbeat_records_liveness_not_reads(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    records: IngestRecords,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
) -> None:
    context = context_for(None, {"1234": "gate-1"})
    outcome = ingestor.receive("openalpr", shared_payload("openalpr/heartbeat_v2.json"), context)
    assert (outcome.kind, outcome.stored, outcome.liveness) == ("heartbeat", 0, 1)
    assert read_store.count_reads() == 0
    seen = records.last_seen("gate-1")
    assert seen is not None
    assert (seen.seen_ms, seen.source, seen.beats) == (1562681904001, "openalpr", 1)
    assert seen.detail["is_streaming"] is True
    assert seen.detail["camera_name"] == "test"
    assert seen.detail["gps"] == [37.635986328125, -79.2059326171875]
    assert seen.detail["agent"]["agent_hostname"] == "hostnameforthismachine"
    ingestor.receive("openalpr", shared_payload("openalpr/heartbeat_v2.json"), context)
    assert records.last_seen("gate-1").beats == 2  # type: ignore[union-attr]


def test_open_source_alprd_results_without_data_type(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
) -> None:
    outcome = ingestor.receive(
        "openalpr", shared_payload("openalpr/alprd_opensource_results_v1.json"), context_for("gate-1")
    )
    first, second = (read_store.get_read(item["id"]) for item in outcome.items)
    assert (first.plate, first.confidence) == ("S11FRE", pytest.approx(77.1))
    assert first.observed_ms == 1402161050_000  # epoch seconds in the 2014 docs
    assert (second.plate, second.observed_ms) == ("EJLESSIE", 1402158050_000)  # its own epoch_time
    # region "" is unknown: the camera's jurisdiction is assumed, and marked so
    assert (first.region, first.region_assumed) == ("US-CA", True)
    assert len(first.candidates) == 10 and first.candidates[-1] == Candidate("S11FE", 71.762756)
    assert second.candidates == (Candidate("EJLESSIE", 78.167984), Candidate("EDLESSIE", 77.61319))
    assert first.source_id == "openalpr:f11e0acc-6aaf-4817-9299-9e6773043b8e:0"
    assert second.source_id == "openalpr:f11e0acc-6aaf-4817-9299-9e6773043b8e:1"


@pytest.mark.parametrize("name", ["alpr_group_v2.json", "alpr_results_v2.json", "alprd_opensource_results_v1.json"])
def test_a_replayed_payload_is_stored_once(
    name: str,
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    context_for: Callable[..., IngestContext],
    shared_payload: Callable[[str], bytes],
) -> None:
    body = shared_payload(f"openalpr/{name}")
    context = context_for("patrol-7" if "group" in name else "gate-1")
    first = ingestor.receive("openalpr", body, context)
    count = read_store.count_reads()
    again = ingestor.receive("openalpr", body, context)
    assert again.stored == 0 and again.duplicates == first.stored > 0
    assert [item["id"] for item in again.items] == [item["id"] for item in first.items]
    assert read_store.count_reads() == count

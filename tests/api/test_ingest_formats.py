"""Every published payload in ../shared/formats, posted to its endpoint with a valid key, lands in the store.

Smoke level: the read is there with its plate, camera, time and region; field-by-field parsing is in
tests/ingest. Frigate's payloads arrive over MQTT, not HTTP: they go through the subscriber `serve` starts.
"""

from __future__ import annotations

import json

import pytest
from access.world import World
from fastapi.testclient import TestClient

from api.ingest_world import SHARED_FORMATS, bearer, ingest_key, jpeg
from plateledger.api.frigate import frigate_subscriber


def payload(name: str) -> bytes:
    return (SHARED_FORMATS / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "camera", "plate", "observed_ms", "region"),
    [
        ("openalpr/alpr_group_v2.json", "alpha-car", "D2651BF", 1562681121504, "US-MO"),  # a mobile agent: GPS
        ("openalpr/alpr_results_v2.json", "alpha-gate", "D2651BF", None, "US-MO"),
        ("openalpr/alprd_opensource_results_v1.json", "alpha-gate", "S11FRE", None, None),
    ],
)
def test_openalpr_payloads_land_in_the_store(
    ingest_world: World,
    http: TestClient,
    name: str,
    camera: str,
    plate: str,
    observed_ms: int | None,
    region: str | None,
) -> None:
    _, token = ingest_key(ingest_world, sources={"1234": camera, "1": camera})
    response = http.post(f"/api/v1/ingest/openalpr?key={token}", content=payload(name))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["adapter"] == "openalpr" and answer["stored"] >= 1 and answer["refused"] == 0
    read = ingest_world.services.store.get_read(answer["items"][0]["id"])
    assert read.plate == plate and read.agency_id == "alpha"
    assert read.camera_id == camera
    if observed_ms is not None:
        assert read.observed_ms == observed_ms
    if region is not None:
        assert read.region == region


def test_an_openalpr_heartbeat_is_liveness_not_a_read(ingest_world: World, http: TestClient) -> None:
    _, token = ingest_key(ingest_world, sources={"1234": "alpha-car"})
    before = ingest_world.services.store.count_reads()
    response = http.post(
        "/api/v1/ingest/openalpr", content=payload("openalpr/heartbeat_v2.json"), headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "heartbeat" and response.json()["liveness"] >= 1
    assert ingest_world.services.store.count_reads() == before
    assert ingest_world.services.ingestor.records is not None
    assert ingest_world.services.ingestor.records.last_seen("alpha-car") is not None


@pytest.mark.parametrize(
    ("name", "plate"),
    [
        ("platerecognizer/stream_webhook_recognition_parkpow_tester.json", "PL8REC"),
        ("platerecognizer/snapshot_webhook_image_done_guides_2025.partial.json", None),
    ],
)
def test_plate_recognizer_json_webhooks_land_in_the_store(
    ingest_world: World, http: TestClient, name: str, plate: str | None
) -> None:
    _, token = ingest_key(ingest_world, sources={"camera-1": "alpha-gate", "479": "alpha-gate"})
    response = http.post("/api/v1/ingest/platerecognizer", content=payload(name), headers=bearer(token))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["stored"] >= 1 and answer["refused"] == 0
    read = ingest_world.services.store.get_read(answer["items"][0]["id"])
    assert read.camera_id == "alpha-gate" and read.agency_id == "alpha"
    if plate is not None:
        assert read.plate == plate


def test_plate_recognizer_multipart_with_the_frame(ingest_world: World, http: TestClient) -> None:
    _, token = ingest_key(ingest_world, cameras=("alpha-gate",))
    body = payload("platerecognizer/stream_webhook_recognition_parkpow_tester.json").decode()
    frame = jpeg(320, 180)
    response = http.post(
        "/api/v1/ingest/platerecognizer",
        data={"json": body},
        files={"upload": ("frame.jpg", frame, "image/jpeg")},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text
    item = response.json()["items"][0]
    assert item["status"] == "stored" and item["images"][0]["status"] == "stored"
    (image,) = ingest_world.services.images.images_for(item["id"])
    assert image.kind == "overview" and ingest_world.services.images.get(image.ref.sha256) == frame


def test_the_native_format_with_a_crop(ingest_world: World, http: TestClient) -> None:
    _, token = ingest_key(ingest_world)
    import base64

    crop = jpeg()
    body = {
        "reads": [
            {
                "plate": "7abc123",
                "observed_at": "2024-06-01T08:15:00.250-07:00",
                "camera_id": "alpha-car",
                "lat": 36.1699,
                "lon": -115.1398,
                "region": "us-nv",
                "source_id": "unit7-1",
                "crop_jpeg_b64": base64.b64encode(crop).decode(),
            }
        ]
    }
    response = http.post("/api/v1/reads", json=body, headers=bearer(token))
    assert response.status_code == 200, response.text
    item = response.json()["items"][0]
    read = ingest_world.services.store.get_read(item["id"])
    assert (read.plate, read.plate_raw, read.region, read.camera_id) == ("7ABC123", "7abc123", "US-NV", "alpha-car")
    assert (read.lat, read.lon) == pytest.approx((36.1699, -115.1398))
    assert item["images"][0]["status"] == "stored"


def test_frigate_payloads_through_the_subscriber_of_serve(ingest_world: World) -> None:
    services = ingest_world.services
    services.settings = services.settings.model_copy(
        update={"frigate_mqtt_host": "127.0.0.1", "frigate_camera_map": {"driveway_cam": "alpha-gate"}}
    )
    subscriber = frigate_subscriber(services)
    assert subscriber is not None
    seen: list[int] = []
    services.ingestor.hotlist_hook = lambda items: seen.extend(item.read_id for item in items)
    message = payload("frigate/frigate_tracked_object_update_lpr_v0.16.0.json")
    result = subscriber.handle("frigate/tracked_object_update", message)
    assert result is not None and len(result.stored) == 1
    read = services.store.get_read(next(iter(result.stored.values())))
    assert (read.plate, read.camera_id) == ("123ABC", "alpha-gate")
    assert seen == [read.id]  # the hot-list hook sees Frigate's reads too
    assert subscriber.handle("frigate/events", payload("frigate/frigate_events_v0.16.0.json")) is None  # a person
    assert subscriber.handle("frigate/events", b"{not json") is None
    assert services.ingestor.deadletters is not None and services.ingestor.deadletters.counts() == {"pending": 1}
    assert json.loads(message)["camera"] == "driveway_cam"


def test_the_subscriber_of_serve_logs_in_to_the_broker_with_the_configured_user(ingest_world: World) -> None:
    from plateledger.config import load_settings

    environ = {
        "PLATELEDGER_FRIGATE_MQTT_HOST": "127.0.0.1",
        "PLATELEDGER_FRIGATE_MQTT_USERNAME": "plateledger",
        "PLATELEDGER_FRIGATE_MQTT_PASSWORD": "s3cret-broker-word",
        "PLATELEDGER_FRIGATE_CAMERA_MAP": '{"driveway_cam": "alpha-gate"}',
    }
    settings = load_settings({"data_dir": ingest_world.services.settings.data_dir}, environ=environ)
    assert "s3cret-broker-word" not in repr(settings) and "s3cret-broker-word" not in settings.model_dump_json()
    services = ingest_world.services
    services.settings = settings
    subscriber = frigate_subscriber(services)
    assert subscriber is not None
    assert (subscriber._client.username, subscriber._client.password) == ("plateledger", "s3cret-broker-word")

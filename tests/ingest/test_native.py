"""Our own batch format (POST /api/v1/reads), and every kind of bad input: a clear field and reason, nothing
valid lost."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from plateledger.images import ImageStore
from plateledger.ingest import IngestContext, Ingestor, Rejected
from plateledger.ingest.adapters.native import READ_SCHEMA, NativeAdapter, NativeRead
from plateledger.ingest.deadletters import DeadLetterStore
from plateledger.reads import Candidate, now_ms
from plateledger.store.sqlite import SqliteReadStore

T0 = 1_717_200_000_000  # 2024-06-01


def batch(*reads: dict[str, Any]) -> bytes:
    return json.dumps({"reads": list(reads)}).encode()


def good(**fields: Any) -> dict[str, Any]:
    return {"plate": "7ABC123", "observed_at": T0, **fields}


def test_a_read_in_our_format_round_trips_field_by_field(
    ingestor: Ingestor, read_store: SqliteReadStore, images: ImageStore, context_for: Callable[..., IngestContext],
    make_jpeg: Callable[..., bytes],
) -> None:  # fmt: skip
    crop = make_jpeg(80, 24)
    wrapped = base64.encodebytes(crop).decode()  # MIME line breaks are accepted
    body = batch(
        {
            "plate": "7abc 123",
            "observed_at": "2024-06-01T08:15:00.250-07:00",
            "camera_id": "patrol-7",
            "confidence": 87.5,
            "region": "us-nv",
            "lat": 36.1699,
            "lon": -115.1398,
            "heading": 271.5,
            "source_id": "unit7-000123",
            "candidates": [{"plate": "7ABC123", "confidence": 87.5}, {"plate": "7ABC1Z3", "confidence": 60}],
            "crop_jpeg_b64": wrapped,
        },
        good(),  # no camera: the authenticated camera; no region: its jurisdiction, assumed
    )
    outcome = ingestor.receive("native", body, context_for("gate-1", {"u7": "patrol-7"}))
    first, second = (read_store.get_read(item["id"]) for item in outcome.items)
    assert (first.plate, first.plate_raw, first.confidence) == ("7ABC123", "7abc 123", 87.5)
    assert first.observed_ms == 1717254900250
    assert (first.camera_id, first.region, first.region_assumed) == ("patrol-7", "US-NV", False)
    assert (first.lat, first.lon, first.heading) == (36.1699, -115.1398, 271.5)
    assert first.source_id == "unit7-000123"
    assert first.candidates == (Candidate("7ABC123", 87.5), Candidate("7ABC1Z3", 60.0))
    (attached,) = images.images_for(first.id)
    assert attached.kind == "crop" and images.get(attached.ref.sha256) == crop
    assert (second.camera_id, second.observed_ms, second.confidence) == ("gate-1", T0, 100.0)
    assert (second.region, second.region_assumed) == ("US-CA", True)


def test_the_schema_documents_every_field() -> None:
    schema = READ_SCHEMA.json_schema()
    assert set(schema["properties"]) == set(NativeRead.__annotations__)
    for name, field in schema["properties"].items():
        assert field.get("description"), f"{name} has no description"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["plate", "observed_at"]


# -- whole payloads refused: 422 (or 413) with field and reason, dead-lettered whole -----------------------------
def test_malformed_json_is_refused_and_kept_whole(
    ingestor: Ingestor, deadletters: DeadLetterStore, context_for: Callable[..., IngestContext]
) -> None:
    body = b'{"reads": [{"plate": "7ABC123",'
    with pytest.raises(Rejected) as caught:
        ingestor.receive("native", body, context_for("gate-1"))
    error = caught.value
    assert (error.status, error.field) == (422, "body")
    assert error.reason.startswith("is not valid JSON")
    letter = deadletters.get(error.deadletter_id)  # type: ignore[arg-type]
    assert (letter.body, letter.adapter, letter.camera_id, letter.status) == (body, "native", "gate-1", "pending")
    assert error.to_dict() == {"error": "payload refused", "field": "body", "reason": error.reason, "dead_letter": 1}


@pytest.mark.parametrize(
    ("adapter", "field"),
    [("native", "reads"), ("openalpr", "data_type"), ("platerecognizer", "hook"), ("frigate", "type")],
)
def test_valid_json_of_an_unknown_format(
    adapter: str,
    field: str,
    ingestor: Ingestor,
    deadletters: DeadLetterStore,
    context_for: Callable[..., IngestContext],
) -> None:
    with pytest.raises(Rejected) as caught:
        ingestor.receive(adapter, b'{"something": "else"}', context_for("gate-1"))
    assert (caught.value.status, caught.value.field) == (422, field)
    assert deadletters.counts() == {"pending": 1}


def test_a_batch_over_the_limit_is_413_and_not_dead_lettered(
    ingestor: Ingestor, deadletters: DeadLetterStore, context_for: Callable[..., IngestContext]
) -> None:
    adapter = NativeAdapter()
    body = batch(*[good(source_id=f"r{i}") for i in range(adapter.max_batch + 1)])
    with pytest.raises(Rejected) as caught:
        ingestor.receive("native", body, context_for("gate-1"))
    assert (caught.value.status, caught.value.field) == (413, "reads")
    assert caught.value.reason == "10,001 reads is over the limit of 10,000 a batch"
    assert deadletters.counts() == {}


# -- items refused alone: the rest of the batch is stored ----------------------------------------------------------
def test_bad_items_are_refused_alone_with_field_and_reason(
    ingestor: Ingestor, read_store: SqliteReadStore, context_for: Callable[..., IngestContext]
) -> None:
    future = now_ms() + 3_600_000
    body = batch(
        good(source_id="ok-1"),
        {"observed_at": T0},  # missing plate
        good(lat=91.0, lon=10.0),  # latitude out of range
        good(camera_id="patrol-7", lat=0.0, lon=0.0),  # 0,0 from a mobile camera: no GPS fix
        good(observed_at=future),  # far in the future
        good(camera_id="late-cam", observed_at=T0 - 10 * 86_400_000),  # before the camera existed
        good(observed_at="2024-06-01T08:15:00"),  # no UTC offset
        good(camera_id="trooper-2"),  # a camera this credential may not post for
        good(colour="red"),  # a field the schema does not know
        good(source_id="ok-2", camera_id="patrol-7", lat=38.0, lon=-90.0),
    )
    outcome = ingestor.receive("native", body, context_for("gate-1", {"p7": "patrol-7", "late": "late-cam"}))
    answers = {item["index"]: (item["status"], item.get("field"), item.get("reason")) for item in outcome.items}
    assert answers[0][0] == answers[9][0] == "stored"
    assert answers[1] == ("refused", "plate", "Field required")
    assert answers[2] == ("refused", "lat", "Input should be less than or equal to 90")
    assert answers[3] == ("refused", "lat", "0,0 is a missing GPS fix, not a position")
    assert answers[4] == ("refused", "observed_at", "is more than 5 minutes in the future")
    assert answers[5] == ("refused", "observed_at", "is before the camera was registered")
    assert answers[6] == ("refused", "observed_at", "'2024-06-01T08:15:00' has no UTC offset (add Z or +hh:mm)")
    assert answers[7] == ("refused", "camera_id", "this credential may not post for 'trooper-2'")
    assert answers[8] == ("refused", "colour", "Extra inputs are not permitted")
    assert (outcome.stored, outcome.refused) == (2, 8)
    assert read_store.count_reads() == 2


def test_an_image_that_is_not_an_image_or_too_large_is_refused_and_the_read_kept(
    ingestor: Ingestor, read_store: SqliteReadStore, images: ImageStore, context_for: Callable[..., IngestContext]
) -> None:
    not_an_image = base64.b64encode(b"GIF89a but not really an image").decode()
    too_large = base64.b64encode(b"\xff\xd8\xff" + bytes(2 * 1024 * 1024 + 10)).decode()
    body = batch(
        good(source_id="a", crop_jpeg_b64=not_an_image),
        good(source_id="b", overview_jpeg_b64=too_large),
        good(source_id="c", crop_jpeg_b64="%%% not base64"),
    )
    outcome = ingestor.receive("native", body, context_for("gate-1"))
    assert outcome.stored == 3 and outcome.images_refused == 3
    reports = [item["images"][0] for item in outcome.items]
    assert reports[0] == {
        "kind": "crop",
        "field": "crop_jpeg_b64",
        "status": "refused",
        "reason": "is not a valid JPEG or PNG image (UnidentifiedImageError)",
    }
    assert reports[1]["field"] == "overview_jpeg_b64" and reports[1]["reason"] == "2.0 MiB is over the 2.0 MiB limit"
    assert reports[2]["reason"] == "is not valid base64"
    assert all(images.images_for(item["id"]) == [] for item in outcome.items)


def test_a_replayed_read_is_a_duplicate_stored_once(
    ingestor: Ingestor,
    read_store: SqliteReadStore,
    images: ImageStore,
    context_for: Callable[..., IngestContext],
    make_jpeg: Callable[..., bytes],
) -> None:
    body = batch(good(source_id="unit7-1", crop_jpeg_b64=base64.b64encode(make_jpeg()).decode()))
    first = ingestor.receive("native", body, context_for("gate-1"))
    again = ingestor.receive("native", body, context_for("gate-1"))
    assert first.items[0]["status"] == "stored"
    assert (again.items[0]["status"], again.items[0]["id"]) == ("duplicate", first.items[0]["id"])
    assert read_store.count_reads() == 1
    assert len(images.images_for(first.items[0]["id"])) == 1  # the image is attached once too

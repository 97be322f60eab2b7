"""Payloads refused whole (422 + dead letter, 413), replays answered as duplicates, bad images refused alone,
and the images of reads: authenticated, through the gate with purpose and case, audited as image_view."""

from __future__ import annotations

import base64
import json

import pytest
from access.world import CASE, World
from fastapi.testclient import TestClient

from api.ingest_world import bearer, ingest_key, jpeg, native_read, refusals

T0 = 1_717_200_000_000
PURPOSE = f"purpose=stolen_vehicle&case_number={CASE}"


@pytest.fixture
def token(ingest_world: World) -> str:
    return ingest_key(ingest_world)[1]


def letters(world: World) -> int:
    deadletters = world.services.ingestor.deadletters
    assert deadletters is not None
    return len(deadletters.list(None))


def test_malformed_json_is_dead_lettered_422(ingest_world: World, http: TestClient, token: str) -> None:
    response = http.post("/api/v1/reads", content=b'{"reads": [', headers=bearer(token))
    assert response.status_code == 422
    answer = response.json()
    assert answer["field"] == "body" and "not valid JSON" in answer["reason"] and answer["dead_letter"] >= 1
    deadletters = ingest_world.services.ingestor.deadletters
    assert deadletters is not None and deadletters.get(answer["dead_letter"]).body == b'{"reads": ['
    assert refusals(ingest_world)[-1].parameters["dead_letter"] == answer["dead_letter"]


def test_the_servers_dead_letters_are_the_command_lines(ingest_world: World, http: TestClient, token: str) -> None:
    """`plateledger deadletters ... --data DIR` works on the files of the server on DIR."""
    from typer.testing import CliRunner

    from plateledger.cli import app

    answer = http.post("/api/v1/ingest/openalpr", json={"data_type": "telemetry"}, headers=bearer(token)).json()
    data = str(ingest_world.services.settings.data_dir)
    listed = CliRunner().invoke(app, ["deadletters", "list", "--data", data])
    assert listed.exit_code == 0, listed.output
    assert f"{answer['dead_letter']}\t" in listed.output and "data_type: " in listed.output
    shown = CliRunner().invoke(app, ["deadletters", "show", str(answer["dead_letter"]), "--data", data])
    assert '"telemetry"' in shown.output


def test_an_unknown_format_is_dead_lettered_422(ingest_world: World, http: TestClient, token: str) -> None:
    response = http.post("/api/v1/ingest/openalpr", json={"data_type": "telemetry"}, headers=bearer(token))
    assert response.status_code == 422 and response.json()["field"] == "data_type"
    not_ours = http.post("/api/v1/reads", json={"plates": []}, headers=bearer(token))
    assert not_ours.status_code == 422 and not_ours.json()["field"] == "reads"
    assert letters(ingest_world) == 2


def test_over_the_limits_413(ingest_world: World, http: TestClient, token: str) -> None:
    too_many = {"reads": [native_read(f"A{n:05d}", T0 + n, source_id=f"{n:060d}") for n in range(10_001)]}
    assert len(json.dumps(too_many)) > 1_048_576  # over the API's usual limit: the ingest limit let it in
    response = http.post("/api/v1/reads", json=too_many, headers=bearer(token))
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"
    assert "10,001 reads" in response.json()["detail"]
    assert letters(ingest_world) == 0  # the sender still has it: not a dead letter
    limit = ingest_world.services.settings.ingest_max_body_bytes
    huge = http.post("/api/v1/reads", content=b" " * (limit + 1), headers=bearer(token))
    assert huge.status_code == 413 and str(limit) in huge.json()["detail"]


def test_large_and_small_bodies_are_stored_alike(ingest_world: World, http: TestClient, token: str) -> None:
    """A body over INLINE_BODY_BYTES is parsed in a worker thread, a smaller one on the event loop: the same
    answers either way."""
    from plateledger.api.routes.ingest import INLINE_BODY_BYTES

    large = {"reads": [native_read(f"L{n:05d}", T0 + n, source_id=f"large-{n:054d}") for n in range(3_000)]}
    small = {"reads": [native_read(f"S{n:05d}", T0 + n, source_id=f"small-{n}") for n in range(3)]}
    assert len(json.dumps(large)) > INLINE_BODY_BYTES > len(json.dumps(small))
    before = ingest_world.services.store.count_reads()
    for body, size in ((large, 3_000), (small, 3)):
        answer = http.post("/api/v1/reads", json=body, headers=bearer(token)).json()
        assert (answer["stored"], answer["refused"], len(answer["items"])) == (size, 0, size)
        again = http.post("/api/v1/reads", json=body, headers=bearer(token)).json()
        assert (again["stored"], again["duplicates"]) == (0, size)
    assert ingest_world.services.store.count_reads() == before + 3_003


def test_a_replayed_read_is_a_duplicate_stored_once(ingest_world: World, http: TestClient, token: str) -> None:
    body = {"reads": [native_read("AAA111", T0, source_id="unit-1"), native_read("BBB222", T0, source_id="unit-2")]}
    first = http.post("/api/v1/reads", json=body, headers=bearer(token)).json()
    count = ingest_world.services.store.count_reads()
    again = http.post("/api/v1/reads", json=body, headers=bearer(token)).json()
    assert [item["status"] for item in again["items"]] == ["duplicate", "duplicate"]
    assert [item["id"] for item in again["items"]] == [item["id"] for item in first["items"]]
    assert ingest_world.services.store.count_reads() == count


def test_an_image_that_is_not_an_image_is_refused_alone(ingest_world: World, http: TestClient, token: str) -> None:
    read = native_read("AAA111", T0, crop_jpeg_b64=base64.b64encode(b"GIF89a not really").decode())
    response = http.post("/api/v1/reads", json={"reads": [read]}, headers=bearer(token))
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["status"] == "stored" and item["images"][0]["status"] == "refused"
    assert response.json()["images_refused"] == 1
    assert ingest_world.services.images.images_for(item["id"]) == []


def test_concurrent_posts_share_commits_and_each_is_answered(ingest_world: World, token: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def post(number: int) -> int:
        with TestClient(ingest_world.app) as client:
            body = {"reads": [native_read(f"C{number:05d}", T0 + number, source_id=f"c-{number}")]}
            return client.post("/api/v1/reads", json=body, headers=bearer(token)).json()["stored"]

    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(post, range(40))) == 40


# -- images ------------------------------------------------------------------------------------------------------
@pytest.fixture
def stored_image(ingest_world: World, http: TestClient, token: str) -> tuple[int, str, bytes]:
    crop = jpeg(100, 30)
    now = ingest_world.clock.now_ms()
    read = native_read("7XYZ999", now - 3_600_000, crop_jpeg_b64=base64.b64encode(crop).decode())
    item = http.post("/api/v1/reads", json={"reads": [read]}, headers=bearer(token)).json()["items"][0]
    return item["id"], item["images"][0]["sha256"], crop


def test_images_need_a_user(http: TestClient, stored_image: tuple[int, str, bytes], token: str) -> None:
    read_id, sha, _ = stored_image
    assert http.get(f"/api/v1/reads/{read_id}/images?{PURPOSE}").status_code == 401
    assert http.get(f"/api/v1/images/{sha}?{PURPOSE}").status_code == 401
    assert http.get(f"/api/v1/images/{sha}?{PURPOSE}", headers=bearer(token)).status_code == 403  # a camera key


def test_images_need_purpose_and_case(
    ingest_world: World, http: TestClient, stored_image: tuple[int, str, bytes]
) -> None:
    read_id, sha, _ = stored_image
    officer = ingest_world.headers("alpha", "officer")
    missing = http.get(f"/api/v1/images/{sha}", headers=officer)
    assert missing.status_code == 422 and missing.json()["error"] == "purpose_required"
    no_case = http.get(f"/api/v1/reads/{read_id}/images?purpose=stolen_vehicle", headers=officer)
    assert no_case.status_code == 422 and no_case.json()["error"] == "case_number_required"
    entries = ingest_world.entries(action="image_view")
    assert [entry.outcome for entry in entries] == ["refused", "refused"]


def test_the_owning_agency_officer_sees_the_image_audited(
    ingest_world: World, http: TestClient, stored_image: tuple[int, str, bytes]
) -> None:
    read_id, sha, crop = stored_image
    officer = ingest_world.headers("alpha", "officer")
    listed = http.get(f"/api/v1/reads/{read_id}/images?{PURPOSE}", headers=officer)
    assert listed.status_code == 200
    assert [(image["kind"], image["sha256"]) for image in listed.json()] == [("crop", sha)]
    image = http.get(listed.json()[0]["url"] + f"?{PURPOSE}", headers=officer)
    assert image.status_code == 200 and image.content == crop
    assert image.headers["content-type"] == "image/jpeg" and "no-store" in image.headers["cache-control"]
    entries = ingest_world.entries(action="image_view")
    assert [entry.outcome for entry in entries] == ["allowed", "allowed"]
    assert entries[-1].parameters["image"] == sha and entries[-1].case_number == CASE
    assert entries[-1].parameters["read_id"] == read_id


def test_another_agency_gets_404_and_it_is_recorded(
    ingest_world: World, http: TestClient, stored_image: tuple[int, str, bytes]
) -> None:
    read_id, sha, _ = stored_image
    other = ingest_world.headers("bravo", "officer")
    assert http.get(f"/api/v1/images/{sha}?{PURPOSE}", headers=other).status_code == 404
    assert http.get(f"/api/v1/reads/{read_id}/images?{PURPOSE}", headers=other).status_code == 404
    unknown = http.get(f"/api/v1/images/{'0' * 64}?{PURPOSE}", headers=other)
    assert unknown.status_code == 404
    entries = ingest_world.entries(action="image_view")
    assert [entry.outcome for entry in entries] == ["refused"] * 3
    assert "outside the reach" in entries[0].reason

"""Ingest credentials: 401 without or with a forged key, 403 for the wrong agency, camera or scope, and every
refusal in the ledger as ingest_refused (with the credential's id, never its secret)."""

from __future__ import annotations

from access.world import World
from fastapi.testclient import TestClient

from api.ingest_world import bearer, ingest_key, native_read, refusals

T0 = 1_717_200_000_000


def batch(*reads: dict[str, object]) -> dict[str, object]:
    return {"reads": list(reads)}


def test_without_a_key_401_recorded(ingest_world: World, http: TestClient) -> None:
    response = http.post("/api/v1/reads", json=batch(native_read("AAA111", T0)))
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"
    (entry,) = refusals(ingest_world)
    assert entry.outcome == "refused" and "authentication required" in entry.reason
    assert entry.parameters["route"] == "/api/v1/reads" and entry.parameters["credential_id"] is None


def test_a_forged_key_401_recorded_with_its_id_never_its_secret(ingest_world: World, http: TestClient) -> None:
    key_id, token = ingest_key(ingest_world)
    forged = token[:-4] + "AAAA"
    response = http.post("/api/v1/reads", json=batch(native_read("AAA111", T0)), headers=bearer(forged))
    assert response.status_code == 401
    (entry,) = refusals(ingest_world)
    assert entry.parameters["credential_id"] == key_id and entry.user == f"api_key:{key_id}"
    secret = token.split(".", 1)[1]
    assert secret not in str(entry.parameters) and secret[:-4] not in entry.reason
    unknown = http.post("/api/v1/ingest/openalpr?key=plk_000000000000.nothing", json={"data_type": "vehicle"})
    assert unknown.status_code == 401
    assert refusals(ingest_world)[-1].parameters["credential_id"] == "000000000000"


def test_the_query_key_is_accepted_on_the_openalpr_route_only(ingest_world: World, http: TestClient) -> None:
    _, token = ingest_key(ingest_world, cameras=("alpha-gate",))
    assert http.post(f"/api/v1/ingest/openalpr?key={token}", json={"data_type": "vehicle"}).status_code == 200
    response = http.post(f"/api/v1/reads?key={token}", json=batch(native_read("AAA111", T0)))
    assert response.status_code == 401  # the header is the only way elsewhere; the key is not read here


def test_a_key_without_ingest_scope_403_recorded(ingest_world: World, http: TestClient) -> None:
    key_id, token = ingest_key(ingest_world, scopes=("audit",))
    response = http.post("/api/v1/reads", json=batch(native_read("AAA111", T0)), headers=bearer(token))
    assert response.status_code == 403 and "ingest" in response.json()["detail"]
    entry = refusals(ingest_world)[-1]
    assert entry.user == f"api_key:{key_id}" and entry.parameters["credential_id"] == key_id


def test_a_user_session_may_not_post_reads(ingest_world: World, http: TestClient) -> None:
    response = http.post(
        "/api/v1/reads", json=batch(native_read("AAA111", T0)), headers=ingest_world.headers("alpha", "officer")
    )
    assert response.status_code == 403
    assert refusals(ingest_world)[-1].outcome == "refused"


def test_a_key_of_another_agency_403_and_nothing_stored(ingest_world: World, http: TestClient) -> None:
    _, token = ingest_key(ingest_world, agency="bravo")
    before = ingest_world.services.store.count_reads()
    body = batch(native_read("AAA111", T0, "bravo-cam"), native_read("BBB222", T0, "alpha-gate"))
    response = http.post("/api/v1/reads", json=body, headers=bearer(token))
    assert response.status_code == 403 and response.json()["field"] == "camera_id"
    assert "belongs to agency alpha" in response.json()["detail"]
    assert ingest_world.services.store.count_reads() == before
    assert "alpha-gate" in refusals(ingest_world)[-1].reason


def test_a_key_for_camera_a_may_not_post_for_camera_b(ingest_world: World, http: TestClient) -> None:
    key_id, token = ingest_key(ingest_world, cameras=("alpha-gate",))
    response = http.post("/api/v1/reads", json=batch(native_read("AAA111", T0, "alpha-cam")), headers=bearer(token))
    assert response.status_code == 403
    assert "may not post for camera 'alpha-cam'" in response.json()["detail"]
    assert refusals(ingest_world)[-1].parameters["credential_id"] == key_id
    own = http.post("/api/v1/reads", json=batch(native_read("AAA111", T0)), headers=bearer(token))
    assert own.status_code == 200 and own.json()["stored"] == 1
    default = http.post("/api/v1/reads", json=batch({"plate": "CCC333", "observed_at": T0}), headers=bearer(token))
    assert default.json()["stored"] == 1  # a camera's key defaults to its camera


def test_a_read_for_an_unknown_camera_is_refused_alone(ingest_world: World, http: TestClient) -> None:
    _, token = ingest_key(ingest_world)
    body = batch(native_read("AAA111", T0), native_read("BBB222", T0, "no-such-cam"))
    response = http.post("/api/v1/reads", json=body, headers=bearer(token))
    assert response.status_code == 200
    first, second = response.json()["items"]
    assert first["status"] == "stored"
    assert (second["status"], second["field"]) == ("refused", "camera_id")
    assert "no-such-cam" in refusals(ingest_world)[-1].reason


def test_an_agent_key_maps_its_camera_numbers(ingest_world: World, http: TestClient) -> None:
    body = {"data_type": "alpr_group", "camera_id": 7, "epoch_start": T0, "best_plate_number": "7ABC123"}
    _, token = ingest_key(ingest_world, sources={"7": "alpha-gate"})
    response = http.post(f"/api/v1/ingest/openalpr?key={token}", json=body)
    assert response.status_code == 200 and response.json()["stored"] == 1
    read = ingest_world.services.store.get_read(response.json()["items"][0]["id"])
    assert read.camera_id == "alpha-gate"
    unmapped = http.post(f"/api/v1/ingest/openalpr?key={token}", json={**body, "camera_id": 8})
    assert unmapped.status_code == 422 and unmapped.json()["dead_letter"] is not None


def test_bindings_over_http(ingest_world: World, http: TestClient) -> None:
    key_id, token = ingest_key(ingest_world)
    admin = ingest_world.headers("alpha", "agency_admin")
    url = f"/api/v1/api-keys/{key_id}/binding"
    assert http.get(url, headers=admin).json()["cameras"] == []
    foreign = http.put(url, json={"cameras": ["bravo-cam"]}, headers=admin)
    assert foreign.status_code == 422 and foreign.json()["field"] == "cameras[0]"
    bound = http.put(url, json={"cameras": ["alpha-gate"], "sources": {"1234": "alpha-gate"}}, headers=admin)
    assert bound.status_code == 200 and bound.json()["sources"] == {"1234": "alpha-gate"}
    assert ingest_world.entries(action="ingest_binding_changed")[-1].parameters["cameras"] == ["alpha-gate"]
    refused = http.post("/api/v1/reads", json=batch(native_read("AAA111", T0, "alpha-car")), headers=bearer(token))
    assert refused.status_code == 403  # the binding applies at once

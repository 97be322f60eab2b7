from __future__ import annotations

from access.world import World, exact_body
from fastapi.testclient import TestClient


def test_officer_searches_own_agency(world: World, client: TestClient) -> None:
    headers = world.headers("alpha", "officer")
    response = client.post("/api/v1/searches", json=exact_body(world), headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 3
    assert {hit["read"]["agency_id"] for hit in body["hits"]} == {"alpha"}


def test_healthz_public(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["agencies"] == 2

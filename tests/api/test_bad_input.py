"""Bad input answers 4xx with the field and the reason, never 500: unknown fields, wrong types, malformed or
oversize bodies, forged sessions. And deny by default: no route answers without credentials unless public."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from access.world import World, exact_body
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from plateledger.api.app import api_routes
from plateledger.api.auth import is_public

PUBLIC_ROUTES = {("GET", "/healthz"), ("GET", "/metrics"), ("GET", "/api/v1/banner"), ("POST", "/api/v1/session")}
PUBLIC_ROUTES |= {("GET", "/api/v1/transparency/hotlist-exclusions")}  # hot lists: excluded categories are public


@pytest.fixture
def officer(world: World) -> dict[str, str]:
    return world.headers("alpha", "officer")


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "detail", "field"}
    return body


def test_deny_by_default_every_non_public_route_needs_credentials(client: TestClient) -> None:
    public = set()
    for route in api_routes():
        assert isinstance(route, APIRoute)
        for method in route.methods:
            path = route.path.replace("{agency_id}", "alpha").replace("{read_id}", "1")
            path = path.replace("{username}", "x").replace("{key_id}", "x").replace("{approval_id}", "x")
            if is_public(route.endpoint):
                public.add((method, route.path))
                continue
            response = client.request(method, path, json={})
            assert response.status_code == 401, (method, path, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
    assert public == PUBLIC_ROUTES


def test_openapi_marks_public_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["paths"]["/healthz"]["get"]["security"] == []
    assert spec["paths"]["/api/v1/searches"]["post"]["security"] == [{"bearer": []}]
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"plate": 7}, "plate"),
        ({"plate": ""}, "plate"),
        ({"limit": 0}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"window": {"start": "yesterday", "end": "2024-01-01T00:00:00Z"}}, "window.start"),
        ({"window": {"start": "2024-01-02T00:00:00", "end": "2024-01-03T00:00:00Z"}}, "window.start"),
        ({"window": {"start": "2024-01-02T00:00:00Z", "end": "2024-01-01T00:00:00Z"}}, "window"),
        ({"kind": "psychic"}, "kind"),
        ({"kind": None}, "kind"),
        ({"pattern": "7AB*"}, "pattern"),
        ({"purpose": "x" * 65}, "purpose"),
        ({"case_number": ["24-000123"]}, "case_number"),
    ],
)
def test_invalid_search_bodies_name_the_field(
    client: TestClient, officer: dict[str, str], world: World, changes: dict[str, Any], field: str
) -> None:
    body = error(client.post("/api/v1/searches", json=exact_body(world, **changes), headers=officer), 422)
    assert body["field"] == field
    assert body["detail"].startswith(field)


def test_area_errors_name_the_nested_field(client: TestClient, officer: dict[str, str], world: World) -> None:
    base = exact_body(world, kind="area")
    del base["plate"]
    for area, field in (
        ({"lat": 91, "lon": 0, "radius_m": 10}, "area.lat"),
        ({"lat": 1, "lon": 0, "radius_m": 0}, "area.radius_m"),
        ({"lat": 1, "lon": 0}, "area.radius_m"),
        ({"points": [{"lat": 1, "lon": 1}]}, "area.points"),
        ({"points": [{"lat": 1, "lon": 1}, {"lat": 1, "lon": 2}, {"lat": 2, "lon": 2, "alt": 3}]}, "area.points.2.alt"),
    ):
        assert (
            error(client.post("/api/v1/searches", json={**base, "area": area}, headers=officer), 422)["field"] == field
        )


def test_malformed_json_is_400(client: TestClient, officer: dict[str, str]) -> None:
    for raw in (b"{", b'{"kind": "exact",}', b"\xff\xfe", b"NaNx"):
        response = client.post("/api/v1/searches", content=raw, headers={**officer, "content-type": "application/json"})
        assert error(response, 400)["error"] in {"malformed_json", "bad_request"}


def test_missing_and_non_json_bodies(client: TestClient, officer: dict[str, str]) -> None:
    assert error(client.post("/api/v1/searches", headers=officer), 422)["error"] == "missing"
    response = client.post("/api/v1/searches", content=b"kind=exact", headers={**officer, "content-type": "text/plain"})
    assert response.status_code == 422


def test_nan_and_lone_surrogates_are_refused(client: TestClient, officer: dict[str, str], world: World) -> None:
    base = exact_body(world, kind="area")
    del base["plate"]
    raw = (
        '{"kind":"area","area":{"lat":NaN,"lon":0,"radius_m":5},"window":'
        + f'{{"start":"{base["window"]["start"]}","end":"{base["window"]["end"]}"}}}}'
    )
    response = client.post("/api/v1/searches", content=raw, headers={**officer, "content-type": "application/json"})
    assert error(response, 422)["field"] == "area.lat"
    raw = (
        '{"kind":"exact","plate":"\\ud800","window":'
        + f'{{"start":"{base["window"]["start"]}","end":"{base["window"]["end"]}"}}}}'
    )
    response = client.post("/api/v1/searches", content=raw, headers={**officer, "content-type": "application/json"})
    assert response.status_code == 422


def test_oversize_bodies_are_413_before_parsing(client: TestClient, officer: dict[str, str], world: World) -> None:
    big = b'{"kind": "exact", "plate": "' + b"A" * (1024 * 1024) + b'"}'
    response = client.post("/api/v1/searches", content=big, headers={**officer, "content-type": "application/json"})
    assert error(response, 413)["error"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
        for _ in range(20):
            yield b" " * 65536

    response = client.post(
        "/api/v1/searches", content=chunks(), headers={**officer, "content-type": "application/json"}
    )
    assert error(response, 413)["error"] == "payload_too_large"
    response = client.post("/api/v1/session", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413  # before anything, even authentication, looks at it
    assert world.entries(action="search") == []


def test_forged_expired_and_malformed_credentials(client: TestClient, world: World) -> None:
    for header in ("Bearer pls_forged", "Bearer plk_abc.def", "Bearer ", "Basic dXNlcjpwYXNz", "pls_x"):
        response = client.get("/api/v1/session", headers={"Authorization": header})
        assert error(response, 401)["detail"]
    headers = world.headers("alpha", "officer")
    world.clock.advance(31 * 60)
    assert error(client.get("/api/v1/session", headers=headers), 401)["error"] == "session_expired"


def test_path_and_query_parameters_are_validated(client: TestClient, officer: dict[str, str], world: World) -> None:
    assert error(client.get("/api/v1/reads/-1", headers=officer), 422)["field"] == "read_id"
    assert error(client.get(f"/api/v1/reads/{2**70}", headers=officer), 422)["field"] == "read_id"
    assert error(client.get("/api/v1/reads/abc", headers=officer), 422)["field"] == "read_id"
    auditor = world.headers("alpha", "auditor")
    assert error(client.get("/api/v1/audit?limit=0", headers=auditor), 422)["field"] == "limit"
    assert error(client.get("/api/v1/audit?since=yesterday", headers=auditor), 422)["field"] == "since"
    assert error(client.get("/api/v1/audit/export?format=xlsx", headers=auditor), 422)["field"] == "format"


def test_unknown_routes_and_methods(client: TestClient) -> None:
    assert error(client.get("/api/v1/nothing"), 404)["error"] == "not_found"
    assert error(client.put("/healthz"), 405)["error"] == "method_not_allowed"


def test_login_body_is_validated(client: TestClient) -> None:
    body = {"username": "a", "password": "b", "totp": "123456"}
    assert error(client.post("/api/v1/session", json=body), 422)["field"] == "banner_ack"
    assert error(client.post("/api/v1/session", json={**body, "banner_ack": False}), 422)["field"] == "banner_ack"
    assert error(client.post("/api/v1/session", json={**body, "banner_ack": True, "x": 1}), 422)["field"] == "x"
    assert (
        error(client.post("/api/v1/session", json={**body, "banner_ack": True}), 401)["error"] == "invalid_credentials"
    )


def test_metrics_count_requests_and_searches(client: TestClient, officer: dict[str, str], world: World) -> None:
    client.post("/api/v1/searches", json=exact_body(world), headers=officer)
    client.post("/api/v1/searches", json=exact_body(world, purpose=None), headers=officer)
    text = client.get("/metrics").text
    assert 'plateledger_searches_total{kind="exact",outcome="allowed"} 1.0' in text
    assert 'plateledger_searches_total{kind="exact",outcome="refused"} 1.0' in text
    assert 'plateledger_http_requests_total{method="POST",route="/api/v1/searches",status="200"} 1.0' in text
    assert 'plateledger_http_request_duration_seconds_count{method="POST",route="/api/v1/searches"} 2.0' in text


def test_unknown_repeated_and_empty_query_parameters(client: TestClient, world: World) -> None:
    auditor = world.headers("alpha", "auditor")
    for query, field in (
        ("colour=red", "colour"),
        ("=true", "(empty name)"),
        ("plate=A1&plate=B2", "plate"),
        ("agency=", "agency"),
    ):
        assert error(client.get(f"/api/v1/audit?{query}", headers=auditor), 422)["field"] == field


def test_method_not_allowed_lists_every_method_of_the_path(client: TestClient) -> None:
    response = client.put("/api/v1/session")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, POST"

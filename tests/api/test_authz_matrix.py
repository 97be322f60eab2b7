"""The authorization matrix: every endpoint x role (and anonymous) x own or other agency, allow or deny.

The caller always belongs to agency `alpha`; "own" requests target alpha's resources, "other" ones bravo's.
Endpoints without an agency in the request (searches, approvals requests, verify) expect the same for both.
Allowed means a 2xx answer; denied means 401 (anonymous), 403, or 404 where existence itself is withheld.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from access.world import CASE, SPOT, World, build_world, exact_body, window
from alerts.helpers import ALERT_ROWS
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from plateledger.api.app import api_routes

ROLES = ("officer", "supervisor", "auditor", "agency_admin", "system_admin")
ALL = frozenset(ROLES)
PUBLIC = ALL | {"anonymous"}
OFF, SUP, AUD, AA, SA = ROLES
counter = itertools.count()

Request = tuple[str, str, dict[str, Any] | None]
Builder = Callable[[World, str], Request]


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # the route template, to check every route is covered
    build: Builder
    own: frozenset[str]
    other: frozenset[str]


def row(method: str, path: str, build: Builder, own: set[str] | frozenset[str], other: set[str] | None = None) -> Row:
    return Row(method, path, build, frozenset(own), frozenset(own if other is None else other))


def fixed(method: str, url: str, body: dict[str, Any] | None = None) -> Builder:
    return lambda world, agency: (method, url, body)


def unique(prefix: str) -> str:
    return f"{prefix}{next(counter)}"


def login(world: World, agency: str) -> Request:
    created = world.user(agency, "officer")
    body = {
        "username": created.user.username,
        "password": created.password,
        "totp": world.totp(created.totp_secret),
        "banner_ack": True,
    }
    return "POST", "/api/v1/session", body


def target_user(world: World, agency: str) -> str:
    return world.user(agency, "officer").user.username


def target_key(world: World, agency: str) -> str:
    key, _ = world.access.api_keys.create(agency, "matrix key", actor="test")
    return key.id


def pending_approval(world: World, agency: str) -> str:
    requester = world.principal(agency, "officer")
    body = area_search(world)
    from plateledger.api.convert import to_query
    from plateledger.api.schemas.request import AreaSearch

    return world.services.gate.request_approval(requester, to_query(AreaSearch.model_validate(body))).id


def area_search(world: World) -> dict[str, Any]:
    return {
        "kind": "area",
        "area": {"lat": SPOT[0], "lon": SPOT[1], "radius_m": 300},
        "window": window(world, days=7),
        "purpose": "violent_felony",
        "case_number": CASE,
    }


def read_url(world: World, agency: str) -> str:
    return f"/api/v1/reads/{world.read_ids[agency][0]}?purpose=stolen_vehicle&case_number={CASE}"


def image_sha(world: World, agency: str) -> str:
    """An image attached to the agency's first 7ABC123 read."""
    from plateledger.bench.ingest_load import make_crop, unique_jpeg

    ref = world.services.images.put(unique_jpeg(make_crop(2000), next(counter)))
    world.services.images.attach(world.read_ids[agency][0], "crop", ref)
    return ref.sha256


def ingest_key_id(world: World, agency: str) -> str:
    key, _ = world.access.api_keys.create(agency, "camera key", actor="test")
    return key.id


def new_agency(world: World, agency: str) -> Request:
    return "POST", "/api/v1/agencies", {"id": unique("ag"), "name": "New PD", "kind": "local", "jurisdiction": "US-NV"}


def policy(world: World, agency: str) -> dict[str, Any]:
    return world.services.policies.get(agency).model_dump()


MATRIX: list[Row] = [
    row("GET", "/healthz", fixed("GET", "/healthz"), PUBLIC),
    row("GET", "/metrics", fixed("GET", "/metrics"), PUBLIC),
    row("GET", "/openapi.json", fixed("GET", "/openapi.json"), PUBLIC),
    row("GET", "/docs", fixed("GET", "/docs"), PUBLIC),
    row("GET", "/api/v1/banner", fixed("GET", "/api/v1/banner"), PUBLIC),
    row("POST", "/api/v1/session", login, PUBLIC),
    row("GET", "/api/v1/session", fixed("GET", "/api/v1/session"), ALL),
    row("DELETE", "/api/v1/session", fixed("DELETE", "/api/v1/session"), ALL),
    row("GET", "/api/v1/agencies", fixed("GET", "/api/v1/agencies"), ALL),
    row("POST", "/api/v1/agencies", new_agency, {SA}),
    row("GET", "/api/v1/agencies/{agency_id}", lambda w, a: ("GET", f"/api/v1/agencies/{a}", None), ALL),
    row(
        "GET",
        "/api/v1/agencies/{agency_id}/policy",
        lambda w, a: ("GET", f"/api/v1/agencies/{a}/policy", None),
        ALL,
        {SA},
    ),
    row(
        "PUT",
        "/api/v1/agencies/{agency_id}/policy",
        lambda w, a: ("PUT", f"/api/v1/agencies/{a}/policy", policy(w, a)),
        {AA, SA},
        {SA},
    ),
    row(
        "GET",
        "/api/v1/agencies/{agency_id}/users",
        lambda w, a: ("GET", f"/api/v1/agencies/{a}/users", None),
        {AA, SA},
        {SA},
    ),
    row(
        "POST",
        "/api/v1/agencies/{agency_id}/users",
        lambda w, a: ("POST", f"/api/v1/agencies/{a}/users", {"username": unique("new"), "role": "officer"}),
        {AA, SA},
        {SA},
    ),
    row(
        "PUT",
        "/api/v1/users/{username}/role",
        lambda w, a: ("PUT", f"/api/v1/users/{target_user(w, a)}/role", {"role": "supervisor"}),
        {AA, SA},
        {SA},
    ),
    row(
        "POST",
        "/api/v1/users/{username}/unlock",
        lambda w, a: ("POST", f"/api/v1/users/{target_user(w, a)}/unlock", None),
        {AA, SA},
        {SA},
    ),
    row(
        "POST",
        "/api/v1/users/{username}/disable",
        lambda w, a: ("POST", f"/api/v1/users/{target_user(w, a)}/disable", None),
        {AA, SA},
        {SA},
    ),
    row(
        "GET",
        "/api/v1/agencies/{agency_id}/api-keys",
        lambda w, a: ("GET", f"/api/v1/agencies/{a}/api-keys", None),
        {AA, SA},
        {SA},
    ),
    row(
        "POST",
        "/api/v1/agencies/{agency_id}/api-keys",
        lambda w, a: ("POST", f"/api/v1/agencies/{a}/api-keys", {"name": "gate camera"}),
        {AA, SA},
        {SA},
    ),
    row(
        "POST",
        "/api/v1/api-keys/{key_id}/rotate",
        lambda w, a: ("POST", f"/api/v1/api-keys/{target_key(w, a)}/rotate", None),
        {AA, SA},
        {SA},
    ),
    row(
        "DELETE",
        "/api/v1/api-keys/{key_id}",
        lambda w, a: ("DELETE", f"/api/v1/api-keys/{target_key(w, a)}", None),
        {AA, SA},
        {SA},
    ),
    row(
        "GET",
        "/api/v1/agencies/{agency_id}/cameras",
        lambda w, a: ("GET", f"/api/v1/agencies/{a}/cameras", None),
        ALL,
        {SA},
    ),
    row(
        "POST",
        "/api/v1/agencies/{agency_id}/cameras",
        lambda w, a: ("POST", f"/api/v1/agencies/{a}/cameras", {"id": unique("cam-"), "kind": "mobile"}),
        {AA},
        set(),
    ),
    row("POST", "/api/v1/searches", lambda w, a: ("POST", "/api/v1/searches", exact_body(w)), {OFF, SUP}),
    row("GET", "/api/v1/reads/{read_id}", lambda w, a: ("GET", read_url(w, a), None), {OFF, SUP}, set()),
    row("POST", "/api/v1/approvals", lambda w, a: ("POST", "/api/v1/approvals", area_search(w)), {OFF, SUP}),
    row("GET", "/api/v1/approvals", fixed("GET", "/api/v1/approvals"), {OFF, SUP}),
    row(
        "GET",
        "/api/v1/approvals/{approval_id}",
        lambda w, a: ("GET", f"/api/v1/approvals/{pending_approval(w, a)}", None),
        {SUP},
        set(),
    ),
    row(
        "POST",
        "/api/v1/approvals/{approval_id}/grant",
        lambda w, a: ("POST", f"/api/v1/approvals/{pending_approval(w, a)}/grant", {"note": "ok"}),
        {SUP},
        set(),
    ),
    row(
        "POST",
        "/api/v1/approvals/{approval_id}/deny",
        lambda w, a: ("POST", f"/api/v1/approvals/{pending_approval(w, a)}/deny", None),
        {SUP},
        set(),
    ),
    row("GET", "/api/v1/audit", lambda w, a: ("GET", f"/api/v1/audit?agency={a}", None), {AUD, SUP}, set()),
    row(
        "GET",
        "/api/v1/audit/export",
        lambda w, a: ("GET", f"/api/v1/audit/export?agency={a}&format=csv", None),
        {AUD, SUP},
        set(),
    ),
    row("GET", "/api/v1/audit/verify", fixed("GET", "/api/v1/audit/verify"), {AUD, SUP, SA}),
    row(
        "GET",
        "/api/v1/audit/anomalies",
        lambda w, a: ("GET", f"/api/v1/audit/anomalies?agency={a}", None),
        {AUD, SUP},
        set(),
    ),
    # ingest: only ingest API keys post reads (tests/api/test_ingest_auth.py); every user role is refused
    row("POST", "/api/v1/reads", lambda w, a: ("POST", "/api/v1/reads", {"reads": []}), set(), set()),
    row("POST", "/api/v1/ingest/openalpr", fixed("POST", "/api/v1/ingest/openalpr", {"data_type": "vehicle"}), set()),
    row("POST", "/api/v1/ingest/platerecognizer", fixed("POST", "/api/v1/ingest/platerecognizer", {}), set()),
    row(
        "GET",
        "/api/v1/api-keys/{key_id}/binding",
        lambda w, a: ("GET", f"/api/v1/api-keys/{ingest_key_id(w, a)}/binding", None),
        {AA, SA},
        {SA},
    ),
    row(
        "PUT",
        "/api/v1/api-keys/{key_id}/binding",
        lambda w, a: ("PUT", f"/api/v1/api-keys/{ingest_key_id(w, a)}/binding", {"cameras": [f"{a}-cam"]}),
        {AA, SA},
        {SA},
    ),
    row(
        "GET",
        "/api/v1/reads/{read_id}/images",
        lambda w, a: ("GET", read_url(w, a).replace("?", "/images?"), None),
        {OFF, SUP},
        set(),
    ),
    row(
        "GET",
        "/api/v1/images/{sha256}",
        lambda w, a: ("GET", f"/api/v1/images/{image_sha(w, a)}?purpose=stolen_vehicle&case_number={CASE}", None),
        {OFF, SUP},
        set(),
    ),
]

MATRIX += [row(*spec) for spec in ALERT_ROWS]  # hot lists and alerts (tests/alerts/helpers.py)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, TestClient]]:
    world = build_world(Path(tmp_path_factory.mktemp("matrix")))
    with TestClient(world.app) as client:
        yield world, client
    world.services.close()


CASES = [
    pytest.param(entry, role, scope, id=f"{entry.method} {entry.path} {role} {scope}")
    for entry in MATRIX
    for role in (*ROLES, "anonymous")
    for scope in ("own", "other")
]


@pytest.mark.parametrize(("entry", "role", "scope"), CASES)
def test_matrix(shared: tuple[World, TestClient], entry: Row, role: str, scope: str) -> None:
    world, client = shared
    method, url, body = entry.build(world, "alpha" if scope == "own" else "bravo")
    headers = {} if role == "anonymous" else world.headers("alpha", role)
    response = client.request(method, url, json=body, headers=headers)
    allowed = role in (entry.own if scope == "own" else entry.other)
    if allowed:
        assert 200 <= response.status_code < 300, response.text
    elif role == "anonymous":
        assert response.status_code == 401, response.text
        assert response.json()["error"] in {"unauthenticated"}
    else:
        assert response.status_code in (403, 404), response.text
        assert response.json()["detail"], "a denial says why"


def test_the_matrix_covers_every_route() -> None:
    routes = {(method, route.path) for route in api_routes() if isinstance(route, APIRoute) for method in route.methods}
    covered = {(entry.method, entry.path) for entry in MATRIX}
    assert routes - covered == set()


def test_role_refusals_of_audited_actions_are_recorded(shared: tuple[World, TestClient]) -> None:
    world, client = shared
    headers = world.headers("alpha", "officer")
    response = client.post(
        "/api/v1/agencies/alpha/users", json={"username": "sneaky", "role": "agency_admin"}, headers=headers
    )
    assert response.status_code == 403
    entries = [entry for entry in world.entries(action="user_created") if entry.outcome == "refused"]
    assert entries[-1].parameters["username"] == "sneaky"
    assert "officer" in entries[-1].reason

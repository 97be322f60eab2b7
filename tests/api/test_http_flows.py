"""End-to-end flows over the API: approvals, audit review and export, agencies, users, keys, cameras."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from access.world import CASE, SPOT, World, exact_body, window
from fastapi.testclient import TestClient


def area_body(world: World) -> dict[str, Any]:
    return {
        "kind": "area",
        "area": {"lat": SPOT[0], "lon": SPOT[1], "radius_m": 250},
        "window": window(world, days=7),
        "purpose": "violent_felony",
        "case_number": CASE,
    }


def test_approval_flow_over_http(world: World, client: TestClient) -> None:
    officer = world.headers("alpha", "officer")
    supervisor = world.headers("alpha", "supervisor")
    body = area_body(world)
    refused = client.post("/api/v1/searches", json=body, headers=officer)
    assert (refused.status_code, refused.json()["error"], refused.json()["field"]) == (
        403,
        "approval_required",
        "approval_id",
    )
    requested = client.post("/api/v1/approvals", json=body, headers=officer)
    assert requested.status_code == 201, requested.text
    approval = requested.json()
    assert approval["status"] == "pending" and approval["request"]["kind"] == "area"
    assert "area searches need approval" in approval["reasons"]
    pending = client.get("/api/v1/approvals", headers=supervisor).json()
    assert [item["id"] for item in pending] == [approval["id"]]
    assert client.get("/api/v1/approvals", headers=world.headers("alpha", "officer")).json() == []
    granted = client.post(f"/api/v1/approvals/{approval['id']}/grant", json={"note": "homicide"}, headers=supervisor)
    assert granted.status_code == 200 and granted.json()["status"] == "granted"
    assert granted.json()["note"] == "homicide"
    again = client.post(f"/api/v1/approvals/{approval['id']}/deny", headers=supervisor)
    assert (again.status_code, again.json()["error"]) == (409, "not_pending")
    result = client.post("/api/v1/searches", json={**body, "approval_id": approval["id"]}, headers=officer)
    assert result.status_code == 200 and result.json()["count"] == 4
    assert {hit["read"]["agency_id"] for hit in result.json()["hits"]} == {"alpha"}
    other_case = {**body, "approval_id": approval["id"], "case_number": "24-000999"}
    mismatch = client.post("/api/v1/searches", json=other_case, headers=officer)
    assert mismatch.json()["error"] == "approval_mismatch"
    with_id = client.post("/api/v1/approvals", json={**body, "approval_id": "x"}, headers=officer)
    assert (with_id.status_code, with_id.json()["field"]) == (422, "approval_id")


def test_single_read_over_http(world: World, client: TestClient) -> None:
    officer = world.headers("alpha", "officer")
    read_id = world.read_ids["alpha"][0]
    shown = client.get(
        f"/api/v1/reads/{read_id}", params={"purpose": "stolen_vehicle", "case_number": CASE}, headers=officer
    )
    assert shown.status_code == 200 and shown.json()["plate"] == "7ABC123"
    missing_case = client.get(f"/api/v1/reads/{read_id}", params={"purpose": "stolen_vehicle"}, headers=officer)
    assert (missing_case.status_code, missing_case.json()["field"]) == (422, "case_number")
    other = client.get(
        f"/api/v1/reads/{world.read_ids['bravo'][0]}",
        params={"purpose": "stolen_vehicle", "case_number": CASE},
        headers=officer,
    )
    assert other.status_code == 404
    assert [entry.outcome for entry in world.entries(action="read_view")] == ["allowed", "refused", "refused"]


def test_audit_review_filters_pages_and_is_itself_audited(world: World, client: TestClient) -> None:
    officer = world.headers("alpha", "officer")
    for plate in ("7ABC123", "7ABD123", "5XYZ999"):
        client.post("/api/v1/searches", json=exact_body(world, plate=plate), headers=officer)
    client.post("/api/v1/searches", json=exact_body(world, case_number="bad"), headers=officer)
    client.post("/api/v1/searches", json=exact_body(world), headers=world.headers("bravo", "officer"))
    auditor = world.headers("alpha", "auditor")
    listed = client.get("/api/v1/audit", params={"action": "search"}, headers=auditor).json()
    assert len(listed["entries"]) == 4 and listed["next_after"] is None
    assert {entry["agency"] for entry in listed["entries"]} == {"alpha"}
    assert [entry["outcome"] for entry in listed["entries"]] == ["allowed", "allowed", "allowed", "refused"]
    by_plate = client.get("/api/v1/audit", params={"plate": "7abd123"}, headers=auditor).json()["entries"]
    assert [entry["parameters"]["plate"] for entry in by_plate] == ["7ABD123"]
    by_case = client.get("/api/v1/audit", params={"case": "bad", "action": "search"}, headers=auditor).json()
    assert len(by_case["entries"]) == 1 and by_case["entries"][0]["reason"]
    user = listed["entries"][0]["user"]
    first = client.get("/api/v1/audit", params={"user": user, "limit": 2}, headers=auditor).json()
    assert len(first["entries"]) == 2 and first["next_after"] == first["entries"][-1]["seq"]
    rest = client.get("/api/v1/audit", params={"user": user, "after": first["next_after"]}, headers=auditor).json()
    assert len(rest["entries"]) == 2
    future = client.get("/api/v1/audit", params={"since": "2999-01-01T00:00:00Z"}, headers=auditor).json()
    assert future["entries"] == []
    naive = client.get("/api/v1/audit", params={"since": "2024-01-01T00:00:00"}, headers=auditor)
    assert (naive.status_code, naive.json()["field"]) == (422, "since")
    views = world.entries(action="audit_view")
    assert len(views) == 6 and all(entry.agency == "alpha" for entry in views)


def test_audit_export_verify_and_anomalies(world: World, client: TestClient) -> None:
    officer = world.headers("alpha", "officer")
    client.post("/api/v1/searches", json=exact_body(world), headers=officer)
    supervisor = world.headers("alpha", "supervisor")
    exported = client.get("/api/v1/audit/export", params={"format": "jsonl", "action": "search"}, headers=supervisor)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in exported.text.splitlines()]
    assert len(lines) == 1 and lines[0]["action"] == "search" and lines[0]["entry_hash"]
    as_csv = client.get("/api/v1/audit/export", params={"format": "csv"}, headers=supervisor)
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert rows and all(row["agency"] == "alpha" for row in rows)
    [export_entry, _] = world.entries(action="export")
    assert export_entry.parameters["format"] == "jsonl" and export_entry.result_count == 1
    verified = client.get("/api/v1/audit/verify", headers=world.headers("alpha", "auditor")).json()
    assert verified["ok"] is True and verified["entries"] > 0
    assert world.entries(action="audit_verify")[-1].parameters["ok"] is True
    anomalies = client.get("/api/v1/audit/anomalies", headers=supervisor)
    assert anomalies.status_code == 200 and isinstance(anomalies.json(), list)


def test_system_admin_creates_an_agency_with_its_policy(world: World, client: TestClient) -> None:
    admin = world.headers("alpha", "system_admin")
    body = {
        "id": "renopd",
        "name": "Reno PD",
        "kind": "local",
        "jurisdiction": "US-NV",
        "policy": {"case_number_pattern": "RPD-[0-9]{5}", "max_lookback_days": 30},
    }
    created = client.post("/api/v1/agencies", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["policy"]["max_lookback_days"] == 30
    assert world.services.store.get_agency("renopd").name == "Reno PD"
    assert world.services.policies.get("renopd").case_number_pattern == "RPD-[0-9]{5}"
    assert client.post("/api/v1/agencies", json=body, headers=admin).status_code == 409
    bad = client.post(
        "/api/v1/agencies", json={**body, "id": "x2", "policy": {"case_number_pattern": "(a+)+"}}, headers=admin
    )
    assert (bad.status_code, bad.json()["field"]) == (422, "policy.case_number_pattern")
    new_admin = client.post(
        "/api/v1/agencies/renopd/users", json={"username": "reno.admin", "role": "agency_admin"}, headers=admin
    )
    assert new_admin.status_code == 201 and new_admin.json()["totp_uri"].startswith("otpauth://totp/")
    assert [entry.action for entry in world.entries(agency="renopd")][:3] == [
        "policy_changed",
        "agency_created",
        "user_created",
    ]


def test_agency_admin_manages_policy_users_keys_and_cameras(world: World, client: TestClient) -> None:
    admin = world.headers("alpha", "agency_admin")
    policy = client.get("/api/v1/agencies/alpha/policy", headers=admin).json()
    policy["purposes"] = ["stolen_vehicle", "other"]
    assert client.put("/api/v1/agencies/alpha/policy", json=policy, headers=admin).status_code == 200
    refused = client.post(
        "/api/v1/searches", json=exact_body(world, purpose="property_crime"), headers=world.headers("alpha", "officer")
    )
    assert refused.json()["error"] == "purpose_invalid"
    bad = client.put("/api/v1/agencies/alpha/policy", json={**policy, "purposes": []}, headers=admin)
    assert (bad.status_code, bad.json()["field"]) == (422, "purposes")
    made = client.post(
        "/api/v1/agencies/alpha/users", json={"username": "new.officer", "role": "officer"}, headers=admin
    )
    assert made.status_code == 201 and len(made.json()["password"]) >= 12
    escalate = client.put("/api/v1/users/new.officer/role", json={"role": "system_admin"}, headers=admin)
    assert escalate.status_code == 403
    assert (
        client.put("/api/v1/users/new.officer/role", json={"role": "supervisor"}, headers=admin).json()["role"]
        == "supervisor"
    )
    assert client.post("/api/v1/users/new.officer/disable", headers=admin).json()["disabled"] is True
    assert client.post("/api/v1/users/nobody/disable", headers=admin).status_code == 404
    key = client.post("/api/v1/agencies/alpha/api-keys", json={"name": "north gate"}, headers=admin).json()
    assert key["scopes"] == ["ingest"] and key["token"].startswith("plk_")
    key_headers = {"Authorization": f"Bearer {key['token']}"}
    assert client.get("/api/v1/session", headers=key_headers).json()["kind"] == "api_key"
    assert client.post("/api/v1/searches", json=exact_body(world), headers=key_headers).status_code == 403
    rotated = client.post(f"/api/v1/api-keys/{key['id']}/rotate", headers=admin).json()
    assert client.get("/api/v1/session", headers=key_headers).status_code == 401
    assert client.delete(f"/api/v1/api-keys/{key['id']}", headers=admin).json()["revoked_at"]
    assert client.get("/api/v1/session", headers={"Authorization": f"Bearer {rotated['token']}"}).status_code == 401
    assert [item["id"] for item in client.get("/api/v1/agencies/alpha/api-keys", headers=admin).json()] == [key["id"]]
    camera = {"id": "gate-2", "kind": "fixed", "lat": 37.78, "lon": -122.41, "heading": 180}
    assert client.post("/api/v1/agencies/alpha/cameras", json=camera, headers=admin).status_code == 201
    assert client.post("/api/v1/agencies/alpha/cameras", json=camera, headers=admin).status_code == 409
    no_position = client.post("/api/v1/agencies/alpha/cameras", json={"id": "gate-3", "kind": "fixed"}, headers=admin)
    assert no_position.status_code == 422
    cameras = client.get("/api/v1/agencies/alpha/cameras", headers=world.headers("alpha", "officer")).json()
    assert {item["id"] for item in cameras} == {"alpha-cam", "gate-2"}


def test_administrators_cannot_escalate(world: World, client: TestClient) -> None:
    admin = world.headers("alpha", "agency_admin")
    system_admin = world.user("alpha", "system_admin").user.username
    for method, url in (
        ("POST", f"/api/v1/users/{system_admin}/disable"),
        ("POST", f"/api/v1/users/{system_admin}/unlock"),
    ):
        assert client.request(method, url, headers=admin).status_code == 403
    demote = client.put(f"/api/v1/users/{system_admin}/role", json={"role": "officer"}, headers=admin)
    assert demote.status_code == 403
    made = client.post("/api/v1/agencies/alpha/users", json={"username": "boss", "role": "system_admin"}, headers=admin)
    assert made.status_code == 403
    audit_key = client.post(
        "/api/v1/agencies/alpha/api-keys", json={"name": "siem", "scopes": ["audit"]}, headers=admin
    )
    assert (audit_key.status_code, audit_key.json()["field"]) == (403, "scopes")

"""Custom entries over HTTP: every required field, at most a year, renewal audited, removal, other agencies."""

from __future__ import annotations

from typing import Any

import pytest
from access.world import World
from alerts.helpers import custom_list, entry_body, iso
from fastapi.testclient import TestClient

from plateledger.hotlists.model import DAY_MS


@pytest.fixture
def officer(world: World) -> dict[str, str]:
    return world.headers("alpha", "officer")


def entries_url(world: World) -> str:
    return f"/api/v1/hotlists/{custom_list(world, 'alpha').id}/entries"


def refused(response: Any, status: int, field: str) -> str:
    assert response.status_code == status, response.text
    assert response.json()["field"] == field, response.json()
    return str(response.json()["detail"])


def test_an_entry_is_added_with_everything_an_officer_needs(world: World, client: TestClient, officer: dict) -> None:
    response = client.post(entries_url(world), json=entry_body(world, category="Stolen Vehicle"), headers=officer)
    assert response.status_code == 201, response.text
    entry = response.json()["entry"]
    assert entry["plate"] == "5SOW350" and entry["region"] == "US-CA" and entry["category"] == "stolen_vehicle"
    assert entry["vehicle"] == {"make": "Honda", "model": "Civic", "colour": "grey"}
    assert entry["owner"].startswith("officer") and entry["active"] is True
    changed = world.entries(action="hotlist_changed")[-1]
    assert changed.parameters["change"] == "entry_added" and changed.case_number == "24-000123"
    assert world.services.alerting.hotlists.index.current.size == 1


@pytest.mark.parametrize("missing", ["reason", "case_number", "expires_at", "region", "plate", "category"])
def test_an_entry_without_a_required_field_is_refused_naming_it(
    world: World, client: TestClient, officer: dict, missing: str
) -> None:
    body = entry_body(world)
    del body[missing]
    refused(client.post(entries_url(world), json=body, headers=officer), 422, missing)


def test_blank_reason_and_case_are_refused_too(world: World, client: TestClient, officer: dict) -> None:
    refused(client.post(entries_url(world), json=entry_body(world, reason="   "), headers=officer), 422, "reason")
    body = entry_body(world, case_number=" ")
    refused(client.post(entries_url(world), json=body, headers=officer), 422, "case_number")


def test_any_region_must_be_said_explicitly(world: World, client: TestClient, officer: dict) -> None:
    detail = refused(
        client.post(entries_url(world), json=entry_body(world, region=" "), headers=officer), 422, "region"
    )
    assert "any" in detail
    refused(client.post(entries_url(world), json=entry_body(world, region="XX-9999"), headers=officer), 422, "region")
    response = client.post(entries_url(world), json=entry_body(world, region="any"), headers=officer)
    assert response.status_code == 201 and response.json()["entry"]["region"] == "any"


def test_an_expiry_over_a_year_is_refused(world: World, client: TestClient, officer: dict) -> None:
    now = world.clock.now_ms()
    body = entry_body(world, expires_at=iso(now + 366 * DAY_MS))
    assert "365 days" in refused(client.post(entries_url(world), json=body, headers=officer), 422, "expires_at")
    body = entry_body(world, expires_at=iso(now - DAY_MS))
    refused(client.post(entries_url(world), json=body, headers=officer), 422, "expires_at")
    late = entry_body(world, effective_at=iso(now + 10 * DAY_MS), expires_at=iso(now + 370 * DAY_MS))
    assert client.post(entries_url(world), json=late, headers=officer).status_code == 201  # a year from effect


def test_renewal_is_audited_and_capped(world: World, client: TestClient, officer: dict) -> None:
    created = client.post(entries_url(world), json=entry_body(world), headers=officer).json()["entry"]
    url = f"/api/v1/hotlists/{created['list_id']}/entries/{created['id']}/renew"
    world.clock.advance(20 * 86400)
    officer = world.headers("alpha", "officer")  # the first session has expired meanwhile
    too_far = iso(world.clock.now_ms() + 366 * DAY_MS)
    refused(client.post(url, json={"expires_at": too_far}, headers=officer), 422, "expires_at")
    later = iso(world.clock.now_ms() + 300 * DAY_MS)
    response = client.post(url, json={"expires_at": later}, headers=officer)
    assert response.status_code == 200, response.text
    assert response.json()["expires_at"] == later and response.json()["renewed_by"].startswith("officer")
    (renewed,) = [e for e in world.entries(action="hotlist_entry_renewed") if e.outcome == "allowed"]
    assert renewed.parameters["entry_id"] == created["id"] and renewed.case_number == created["case_number"]
    auditor = world.headers("alpha", "auditor")
    assert client.post(url, json={"expires_at": later}, headers=auditor).status_code == 403
    assert world.entries(action="hotlist_entry_renewed")[-1].outcome == "refused"


def test_removal_takes_the_entry_out_of_matching(world: World, client: TestClient, officer: dict) -> None:
    created = client.post(entries_url(world), json=entry_body(world), headers=officer).json()["entry"]
    url = f"/api/v1/hotlists/{created['list_id']}/entries/{created['id']}"
    assert client.delete(f"{url}?reason=recovered", headers=officer).status_code == 204
    assert world.services.alerting.hotlists.index.current.size == 0
    assert client.get(url, headers=officer).json()["removed_at"] is not None
    assert client.delete(url, headers=officer).status_code == 409
    listed = client.get(f"/api/v1/hotlists/{created['list_id']}/entries", headers=officer).json()
    assert listed == []


def test_lists_and_entries_of_another_agency_are_not_found(world: World, client: TestClient, officer: dict) -> None:
    bravo = custom_list(world, "bravo")
    assert client.get(f"/api/v1/hotlists/{bravo.id}", headers=officer).status_code == 404
    response = client.post(f"/api/v1/hotlists/{bravo.id}/entries", json=entry_body(world), headers=officer)
    assert response.status_code == 404
    assert [item["id"] for item in client.get("/api/v1/hotlists", headers=officer).json()] == []


def test_list_creation_and_its_refusals(world: World, client: TestClient) -> None:
    admin = world.headers("alpha", "agency_admin")
    body = {"id": "alpha-cases", "name": "Case list", "kind": "custom"}
    assert client.post("/api/v1/hotlists", json=body, headers=admin).status_code == 201
    assert client.post("/api/v1/hotlists", json=body, headers=admin).status_code == 409
    feedless = {"id": "alpha-feed", "name": "Feed", "kind": "feed"}
    refused(client.post("/api/v1/hotlists", json=feedless, headers=admin), 422, "feed")
    mapped = {**feedless, "feed": {"format": "mapped", "mapping": {"columns": {"tag": "Tag"}}}}
    refused(client.post("/api/v1/hotlists", json=mapped, headers=admin), 422, "mapping.columns")
    officer = world.headers("alpha", "officer")
    assert client.post("/api/v1/hotlists", json={**body, "id": "x1"}, headers=officer).status_code == 403


def test_delivery_targets_are_kept_and_their_secrets_never_shown(world: World, client: TestClient) -> None:
    hotlist = custom_list(world, "alpha")
    targets = [
        {"type": "webhook", "url": "https://cad.example/hook", "secret": "0123456789abcdef"},
        {"type": "apprise", "url": "mailtos://alerts:hunter2@smtp.example?to=watch@agency.example"},
        {"type": "mqtt", "host": "127.0.0.1", "topic": "agency/alerts", "password": "pw"},
    ]
    supervisor = world.headers("alpha", "supervisor")
    response = client.put(f"/api/v1/hotlists/{hotlist.id}/targets", json={"targets": targets}, headers=supervisor)
    assert response.status_code == 200, response.text
    text = response.text + str(world.entries(action="hotlist_changed")[-1].parameters)
    assert "0123456789abcdef" not in text and "hunter2" not in text and '"pw"' not in text
    assert world.services.alerting.hotlists.get(hotlist.id).targets[0]["secret"] == "0123456789abcdef"
    bad = {"targets": [{"type": "webhook", "url": "ftp://x", "secret": "0123456789abcdef"}]}
    refused(
        client.put(f"/api/v1/hotlists/{hotlist.id}/targets", json=bad, headers=supervisor), 422, "targets.0.webhook.url"
    )

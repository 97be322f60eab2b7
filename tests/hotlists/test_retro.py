"""Retroactive hits are searches: purpose, case and lookback, through the policy gate, in the ledger."""

from __future__ import annotations

import re
from pathlib import Path

from access.world import CASE, World
from alerts.helpers import custom_list, entry_body
from fastapi.testclient import TestClient

PACKAGE = Path(__file__).resolve().parents[2] / "plateledger"


def test_adding_an_entry_can_search_past_reads_through_the_gate(world: World, client: TestClient) -> None:
    hotlist = custom_list(world, "alpha")
    officer = world.headers("alpha", "officer")
    body = entry_body(world, plate="7ABC123", retroactive={"purpose": "stolen_vehicle", "lookback_days": 30})
    response = client.post(f"/api/v1/hotlists/{hotlist.id}/entries", json=body, headers=officer)
    assert response.status_code == 201, response.text
    (exact,) = response.json()["retroactive"]
    assert exact["kind"] == "exact" and exact["count"] == 3  # alpha's three 7ABC123 reads in 30 days; never bravo's
    assert {hit["camera_id"] for hit in exact["hits"]} == {"alpha-cam"}
    search = world.entries(action="search")[-1]
    assert search.seq == exact["audit_seq"] and search.purpose == "stolen_vehicle" and search.case_number == CASE
    assert search.parameters["plate"] == "7ABC123" and search.result_count == 3


def test_a_retroactive_search_the_gate_refuses_is_refused_and_recorded(world: World, client: TestClient) -> None:
    hotlist = custom_list(world, "alpha")
    officer = world.headers("alpha", "officer")
    entry = client.post(f"/api/v1/hotlists/{hotlist.id}/entries", json=entry_body(world), headers=officer).json()
    url = f"/api/v1/hotlists/{hotlist.id}/entries/{entry['entry']['id']}/retroactive"
    too_far = client.post(url, json={"purpose": "stolen_vehicle", "lookback_days": 365}, headers=officer)
    assert too_far.status_code == 403 and too_far.json()["error"] == "lookback_exceeded"
    bad_case = client.post(
        url, json={"purpose": "stolen_vehicle", "lookback_days": 7, "case_number": "x"}, headers=officer
    )
    assert bad_case.status_code == 422 and bad_case.json()["field"] == "case_number"
    admin = world.headers("alpha", "agency_admin")  # may see lists, may not search
    assert client.post(url, json={"purpose": "stolen_vehicle", "lookback_days": 7}, headers=admin).status_code == 403
    refused = [entry for entry in world.entries(action="search") if entry.outcome == "refused"]
    assert len(refused) == 3
    near = client.post(
        url, json={"purpose": "stolen_vehicle", "lookback_days": 7, "include_near": True}, headers=officer
    )
    assert [item["kind"] for item in near.json()] == ["exact", "near"]


def test_hot_lists_and_alerts_never_call_the_store_searches() -> None:
    """Only the policy gate searches the store; hot lists reach past reads only through it."""
    call = re.compile(r"\.(search_exact|search_near|search_wildcard|search_area|get_read|get_pass)\(")
    offenders = [
        str(path.relative_to(PACKAGE))
        for package in ("hotlists", "alerts")
        for path in (PACKAGE / package).rglob("*.py")
        if call.search(path.read_text())
    ]
    assert offenders == []

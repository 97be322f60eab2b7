"""Verification: acknowledge, then verify with both confirmations, or reject with a reason; stale alerts cannot
be verified; every step, refused ones too, in the ledger; dispositions counted."""

from __future__ import annotations

from typing import Any

import pytest
from access.world import World
from fastapi.testclient import TestClient

from alerts.helpers import feed_list, make_alert
from plateledger.alerts import disposition_counts
from plateledger.hotlists.model import FeedSettings
from plateledger.ingest.pipeline import StoredItem
from plateledger.reads import NewRead, now_ms

BOTH = {"image_compared": True, "confirmed_with_source": True}


@pytest.fixture
def officer(world: World) -> dict[str, str]:
    return world.headers("alpha", "officer")


def act(client: TestClient, headers: dict[str, str], alert_id: int, step: str, body: Any = None) -> Any:
    return client.post(f"/api/v1/alerts/{alert_id}/{step}", json=body, headers=headers)


def test_acknowledge_then_verify_with_both_confirmations(world: World, client: TestClient, officer: dict) -> None:
    alert = make_alert(world, "alpha")
    early = act(client, officer, alert.id, "verify", BOTH)
    assert early.status_code == 409 and "acknowledge" in early.json()["detail"]
    assert act(client, officer, alert.id, "acknowledge").json()["status"] == "acknowledged"
    assert act(client, officer, alert.id, "acknowledge").status_code == 409
    verified = act(client, officer, alert.id, "verify", {**BOTH, "note": "crop matches, NCIC confirmed 10:42"})
    assert verified.status_code == 200 and verified.json()["disposition"] == "verified"
    shown = client.get(f"/api/v1/alerts/{alert.id}", headers=officer).json()
    assert [step["to"] for step in shown["history"]] == ["acknowledged", "verified"]
    assert act(client, officer, alert.id, "reject", {"reason": "misread"}).status_code == 409  # final
    ledger = [e for e in world.entries() if e.action in ("alert_acknowledged", "alert_dispositioned")]
    assert [(e.action, e.outcome) for e in ledger] == [
        ("alert_dispositioned", "refused"),
        ("alert_acknowledged", "allowed"),
        ("alert_acknowledged", "refused"),
        ("alert_dispositioned", "allowed"),
        ("alert_dispositioned", "refused"),
    ]
    done = ledger[3]
    assert done.parameters["disposition"] == "verified" and done.parameters["confirmed_with_source"] is True
    assert (
        done.parameters["note"] == "crop matches, NCIC confirmed 10:42"
        and done.case_number == alert.entry["case_number"]
    )


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({}, "image_compared"),
        ({"image_compared": True}, "confirmed_with_source"),
        ({"confirmed_with_source": True}, "image_compared"),
        ({"image_compared": True, "confirmed_with_source": False}, "confirmed_with_source"),
        ({"image_compared": False, "confirmed_with_source": True}, "image_compared"),
    ],
)
def test_verification_without_both_confirmations_names_the_missing_one(
    world: World, client: TestClient, officer: dict, body: dict[str, bool], missing: str
) -> None:
    alert = make_alert(world, "alpha", status="acknowledged")
    response = act(client, officer, alert.id, "verify", body)
    assert response.status_code == 422 and response.json()["field"] == missing
    assert response.json()["error"] == "confirmation_required" and missing in response.json()["detail"]
    assert world.entries(action="alert_dispositioned")[-1].outcome == "refused"
    assert client.get(f"/api/v1/alerts/{alert.id}", headers=officer).json()["status"] == "acknowledged"


def test_confirmations_are_strict_booleans(world: World, client: TestClient, officer: dict) -> None:
    alert = make_alert(world, "alpha", status="acknowledged")
    response = act(client, officer, alert.id, "verify", {"image_compared": "yes", "confirmed_with_source": 1})
    assert response.status_code == 422 and response.json()["field"] == "image_compared"


@pytest.mark.parametrize("reason", ["misread", "wrong_region", "stale_entry", "no_longer_wanted"])
def test_rejections_from_new_or_acknowledged(world: World, client: TestClient, officer: dict, reason: str) -> None:
    alert = make_alert(world, "alpha")
    rejected = act(client, officer, alert.id, "reject", {"reason": reason, "note": "crop shows 5SOW750"})
    assert rejected.status_code == 200 and rejected.json()["disposition"] == reason
    assert world.entries(action="alert_dispositioned")[-1].parameters["disposition"] == reason
    assert act(client, officer, make_alert(world, "alpha").id, "reject", {"reason": "lost"}).status_code == 422


def stale_alert(world: World) -> Any:
    """An alert raised from a feed that had not been refreshed within its limit."""
    hotlists = world.services.alerting.hotlists
    hotlist = feed_list(world, "alpha", FeedSettings("ncic"), freshness_hours=1)
    hotlists.import_feed("test", hotlist, "LIC,LIS,OCA,MKE\n8ABC123,CA,24-001111,EV\n")
    world.clock.advance(2 * 3600)
    engine = world.services.alerting.engine
    engine.hook([StoredItem(0, NewRead("8ABC123", now_ms(), "alpha-cam", region="US-CA"), world.read_ids["alpha"][0])])
    assert engine.wait_idle(10)
    (alert,) = world.services.alerting.alerts.list("alpha")
    return alert


def test_a_stale_alert_cannot_be_verified_but_can_be_rejected(world: World, client: TestClient) -> None:
    alert = stale_alert(world)
    officer = world.headers("alpha", "officer")
    shown = client.get(f"/api/v1/alerts/{alert.id}", headers=officer).json()
    assert shown["stale"] is True and shown["stale_notice"].startswith("STALE: the feed was last refreshed 2 hours ago")
    act(client, officer, alert.id, "acknowledge")
    refused = act(client, officer, alert.id, "verify", BOTH)
    assert (
        refused.status_code == 409
        and refused.json()["error"] == "not_actionable"
        and "STALE" in refused.json()["detail"]
    )
    assert act(client, officer, alert.id, "reject", {"reason": "stale_entry"}).json()["disposition"] == "stale_entry"


def test_an_alert_whose_entry_left_its_list_cannot_be_verified(world: World, client: TestClient, officer: dict) -> None:
    hotlists = world.services.alerting.hotlists
    alert = make_alert(world, "alpha", status="acknowledged")
    hotlist = hotlists.get(alert.list_id)
    hotlists.remove_entry("test", hotlist, hotlists.get_entry(hotlist, alert.entry_id), "recovered")
    refused = act(client, officer, alert.id, "verify", BOTH)
    assert refused.status_code == 409 and "no longer in force" in refused.json()["detail"]


def test_a_feed_alert_survives_a_reimport_of_the_same_entry(world: World, client: TestClient) -> None:
    hotlists = world.services.alerting.hotlists
    hotlist = feed_list(world, "alpha", FeedSettings("ncic"))
    feed = "LIC,LIS,OCA,MKE\n8ABC123,CA,24-001111,EV\n"
    hotlists.import_feed("test", hotlist, feed)
    engine = world.services.alerting.engine
    engine.hook([StoredItem(0, NewRead("8ABC123", now_ms(), "alpha-cam", region="US-CA"), world.read_ids["alpha"][0])])
    assert engine.wait_idle(10)
    (alert,) = world.services.alerting.alerts.list("alpha")
    hotlists.import_feed("test", hotlists.get(hotlist.id), feed)  # renumbers the entries; the plate is still wanted
    officer = world.headers("alpha", "officer")
    act(client, officer, alert.id, "acknowledge")
    assert act(client, officer, alert.id, "verify", BOTH).json()["status"] == "verified"


def test_other_agencies_alerts_are_not_found(world: World, client: TestClient, officer: dict) -> None:
    bravo = make_alert(world, "bravo")
    assert client.get(f"/api/v1/alerts/{bravo.id}", headers=officer).status_code == 404
    assert act(client, officer, bravo.id, "acknowledge").status_code == 404
    assert client.get("/api/v1/alerts", headers=officer).json() == []


def test_alert_images_are_served_and_recorded(world: World, client: TestClient, officer: dict) -> None:
    alert = make_alert(world, "alpha", with_image=True)
    (image,) = client.get(f"/api/v1/alerts/{alert.id}", headers=officer).json()["images"]
    response = client.get(image["url"], headers=officer)
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    viewed = world.entries(action="image_view")[-1]
    assert viewed.purpose == "hotlist_alert" and viewed.parameters["alert_id"] == alert.id
    assert viewed.case_number == alert.entry["case_number"]
    other = client.get(f"/api/v1/alerts/{alert.id}/images/{'0' * 64}", headers=officer)
    assert other.status_code == 404 and world.entries(action="image_view")[-1].outcome == "refused"


def test_dispositions_are_counted_by_agency_match_type_and_disposition(world: World, client: TestClient) -> None:
    officer = world.headers("alpha", "officer")
    for reason in ("misread", "misread", None):
        alert = make_alert(world, "alpha")
        if reason:
            act(client, officer, alert.id, "reject", {"reason": reason})
    make_alert(world, "bravo")
    counts = disposition_counts(world.services.settings.hotlists_path)
    assert counts == [
        {"agency_id": "alpha", "match_type": "exact", "disposition": "misread", "count": 2},
        {"agency_id": "alpha", "match_type": "exact", "disposition": "open", "count": 1},
        {"agency_id": "bravo", "match_type": "exact", "disposition": "open", "count": 1},
    ]
    auditor = world.headers("alpha", "auditor")
    assert client.get("/api/v1/alerts/dispositions", headers=auditor).json() == counts[:2]

"""The whole path on a real server: a hot-list entry, a read posted by an OpenALPR agent over HTTP, the alert on
an officer's live stream and in an SMTP inbox, the officer's verification or rejection, and the ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from access.world import CASE, World

from alerts.helpers import entry_body
from alerts.live import Inbox, SseClient, body_text, live_server
from plateledger.alerts import disposition_counts
from plateledger.ingest.bindings import Binding
from plateledger.reads import now_ms

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "openalpr" / "group_v2_agent2.6.json"


def openalpr_group(plate: str, region: str = "us-ca") -> bytes:
    """An OpenALPR agent's alpr_group webhook (agent 2.6, with its plate crop), seen now."""
    group: dict[str, Any] = json.loads(FIXTURE.read_text())
    start = now_ms()
    group.update(best_plate_number=plate, best_region=region, epoch_start=start, epoch_end=start + 100, candidates=[])
    group["best_plate"]["plate"] = plate
    return json.dumps(group).encode()


@pytest.mark.parametrize(
    ("read_plate", "match_type", "said", "disposition"),
    [
        ("5SOW350", "exact", "Plate 5SOW350 and state California match the entry.", "verified"),
        ("5S0W35O", "near", "Possible misread: the camera read 5S0W35O and the entry is 5SOW350", "misread"),
    ],
)
def test_entry_read_alert_verification_ledger(
    world: World, inbox: Inbox, read_plate: str, match_type: str, said: str, disposition: str
) -> None:
    supervisor = world.headers("alpha", "supervisor")
    officer_token = world.token("alpha", "officer")
    officer = {"Authorization": f"Bearer {officer_token}"}
    key, ingest_token = world.access.api_keys.create("alpha", "north gate agent", actor="test")
    world.services.bindings.put(Binding(key.id, "alpha", cameras=("alpha-cam",)), actor="test")
    with live_server(world.app) as base, httpx.Client(base_url=base, timeout=10) as http:
        # 1. a supervisor makes the list, with email to the watch commander; an officer adds the stolen car
        targets = [{"type": "apprise", "url": inbox.url("watch@agency.example"), "label": "watch commander"}]
        hotlist = {"id": "alpha-stolen", "name": "Stolen vehicles", "kind": "custom", "targets": targets}
        assert http.post("/api/v1/hotlists", json=hotlist, headers=supervisor).status_code == 201
        added = http.post("/api/v1/hotlists/alpha-stolen/entries", json=entry_body(world), headers=officer)
        assert added.status_code == 201, added.text
        entry = added.json()["entry"]
        # 2. the officer is on duty: the live stream is open
        stream = SseClient(base, officer_token)
        try:
            # 3. the OpenALPR agent posts the read
            posted = http.post(
                "/api/v1/ingest/openalpr",
                content=openalpr_group(read_plate),
                headers={"Authorization": f"Bearer {ingest_token}", "Content-Type": "application/json"},
            )
            assert posted.status_code == 200 and posted.json()["stored"] == 1, posted.text
            read_id = posted.json()["items"][0]["id"]
            # 4. the alert arrives on the stream, with the crop beside the entry
            event = stream.next("alert")["data"]
        finally:
            stream.close()
        assert (event["match_type"], event["read_id"], event["entry_id"]) == (match_type, read_id, entry["id"])
        assert said in event["message"] and event["entry"]["vehicle"]["make"] == "Honda"
        assert [image["kind"] for image in event["images"]] == ["crop"]
        # 5. and in the SMTP server's inbox
        ((_, message, recipients),) = inbox.wait(1)
        assert recipients == ["watch@agency.example"] and said in body_text(message)
        # 6. the officer looks at the crop and decides
        crop = http.get(event["images"][0]["url"], headers=officer)
        assert crop.status_code == 200 and crop.headers["content-type"] == "image/jpeg"
        alert_url = f"/api/v1/alerts/{event['id']}"
        assert http.post(f"{alert_url}/acknowledge", headers=officer).json()["status"] == "acknowledged"
        if disposition == "verified":
            body = {"image_compared": True, "confirmed_with_source": True, "note": "crop matches; NCIC confirms"}
            decided = http.post(f"{alert_url}/verify", json=body, headers=officer)
        else:
            body = {"reason": "misread", "note": "the crop shows a zero, not an O: another plate"}
            decided = http.post(f"{alert_url}/reject", json=body, headers=officer)
        assert decided.status_code == 200 and decided.json()["disposition"] == disposition
    # 7. the disposition is in the ledger, with the entry's case, and the chain is intact
    raised = world.entries(action="alert_raised")[-1]
    assert raised.parameters["alert_id"] == event["id"] and raised.parameters["match_type"] == match_type
    decision = world.entries(action="alert_dispositioned")[-1]
    assert (decision.outcome, decision.parameters["disposition"], decision.case_number) == (
        "allowed",
        disposition,
        CASE,
    )
    assert decision.parameters["alert_id"] == event["id"] and decision.user.startswith("officer")
    assert [e.action for e in world.entries() if e.action.startswith("alert_")][-3:] == [
        "alert_raised",
        "alert_acknowledged",
        "alert_dispositioned",
    ]
    assert world.ledger.verify().ok
    counts = disposition_counts(world.services.settings.hotlists_path, "alpha")
    assert counts == [{"agency_id": "alpha", "match_type": match_type, "disposition": disposition, "count": 1}]

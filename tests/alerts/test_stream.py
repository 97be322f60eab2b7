"""The live stream on a real server: on-duty users get alerts and updates; off duty, none; duty is listed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from access.world import World

from alerts.helpers import add_entry, custom_list
from alerts.live import SseClient, live_server
from plateledger.api.services import open_services
from plateledger.hotlists.model import DAY_MS
from plateledger.ingest.pipeline import StoredItem
from plateledger.reads import NewRead, now_ms


@pytest.fixture
def base(world: World) -> Iterator[str]:
    add_entry(world, custom_list(world, "alpha"), effective_ms=world.clock.now_ms() - DAY_MS)
    with live_server(world.app) as url:
        yield url


def hit(world: World, plate: str = "5SOW350", camera: str = "alpha-cam") -> None:
    world.services.alerting.hook([StoredItem(0, NewRead(plate, now_ms(), camera, region="US-CA"), 1)])
    assert world.services.alerting.engine.wait_idle(10)


def test_on_duty_users_get_alerts_repeats_and_updates(world: World, base: str) -> None:
    first, second = world.token("alpha", "officer"), world.token("alpha", "supervisor")
    streams = [SseClient(base, first), SseClient(base, second)]
    bravo = SseClient(base, world.token("bravo", "officer"))
    try:
        hello = streams[0].next("hello")
        assert hello["data"]["on_duty"] is True and hello["data"]["agency_id"] == "alpha"
        hit(world)
        alerts = [stream.next("alert")["data"] for stream in streams]
        assert alerts[0]["id"] == alerts[1]["id"] and alerts[0]["match_type"] == "exact"
        hit(world)
        assert streams[0].next("alert_repeat")["data"]["count"] == 2
        world.services.alerting.workflow.acknowledge(world.principal("alpha", "officer"), alerts[0]["id"])
        assert streams[1].next("alert_update")["data"]["status"] == "acknowledged"
        bravo.next("hello")
        assert bravo.events.empty()  # another agency's stream: nothing
    finally:
        for stream in (*streams, bravo):
            stream.close()


def test_off_duty_users_get_no_alerts_and_duty_is_listed(world: World, base: str) -> None:
    import httpx

    officer_token = world.token("alpha", "officer")
    officer = {"Authorization": f"Bearer {officer_token}"}
    supervisor = world.headers("alpha", "supervisor")
    stream = SseClient(base, officer_token)
    try:
        with httpx.Client(base_url=base, timeout=10) as http:
            on_duty = http.get("/api/v1/alerts/duty", headers=supervisor).json()
            assert [(row["streaming"], row["on_duty"]) for row in on_duty] == [(True, True)]
            off = http.put("/api/v1/alerts/duty", json={"on_duty": False}, headers=officer)
            assert off.status_code == 200 and off.json() == {
                "username": on_duty[0]["username"],
                "on_duty": False,
                "streaming": True,
                "toggle": False,
            }
            assert http.get("/api/v1/alerts/duty", headers=supervisor).json() == []
            hit(world)
            assert world.services.alerting.alerts.list("alpha")  # raised all the same, for whoever is on duty
            http.put("/api/v1/alerts/duty", json={"on_duty": True}, headers=officer)
            hit(world, "7ABC123")  # on no list
            hit(world)
            event = stream.next("alert_repeat")
            assert event["data"]["count"] == 2
            assert [e.get("event") for e in stream.seen if e.get("event") != "hello"] == [None, "alert_repeat"]
    finally:
        stream.close()


def test_the_stream_ends_after_max_seconds_and_refuses_api_keys(world: World, base: str) -> None:
    import httpx

    with httpx.Client(base_url=base, timeout=10) as http:
        ended = http.get("/api/v1/alerts/stream?max_seconds=0.2", headers=world.headers("alpha", "officer"))
        assert ended.status_code == 200 and ended.headers["content-type"].startswith("text/event-stream")
        assert "event: hello" in ended.text
        _, token = world.access.api_keys.create("alpha", "camera", actor="test")
        refused = http.get("/api/v1/alerts/stream", headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 403
        assert http.get("/api/v1/alerts/stream").status_code == 401


def test_alerts_raised_and_moved_by_another_process_reach_the_servers_streams(world: World, base: str) -> None:
    """Another opening of the data directory (`plateledger frigate`, say) raises and moves alerts; the server
    publishes them to its streams within PLATELEDGER_ALERT_FOLLOW_SECONDS, and its own alerts only once."""
    other = open_services(world.services.settings)
    stream = SseClient(base, world.token("alpha", "officer"))
    try:
        stream.next("hello")
        other.alerting.hook([StoredItem(0, NewRead("5SOW350", now_ms(), "alpha-cam", region="US-CA"), 1)])
        assert other.alerting.engine.wait_idle(10)
        raised = stream.next("alert")["data"]
        assert (raised["status"], raised["count"], raised["match_type"]) == ("new", 1, "exact")
        other.alerting.workflow.acknowledge(world.principal("alpha", "officer"), raised["id"])
        moved = stream.next("alert_update")["data"]
        assert (moved["id"], moved["status"]) == (raised["id"], "acknowledged")
        hit(world)  # the server's own: published once, by its alert worker
        assert stream.next("alert_repeat")["data"]["count"] == 2
        time.sleep(4 * world.services.settings.alert_follow_seconds)
        assert stream.events.empty()
    finally:
        stream.close()
        other.close()


def test_a_duty_toggle_made_through_another_process_holds_on_the_servers_streams(world: World, base: str) -> None:
    """`serve --workers N`: the officer's stream is on one worker, the toggle may go through another."""
    other = open_services(world.services.settings)
    officer = world.user("alpha", "officer").user
    stream = SseClient(base, world.access.sessions.issue(officer))
    follow = world.services.settings.alert_follow_seconds
    try:
        stream.next("hello")
        other.alerting.set_duty(officer.username, "alpha", False)
        time.sleep(4 * follow)
        hit(world)
        time.sleep(4 * follow)
        assert stream.events.empty()  # off duty: nothing on the stream: nothing on the stream
        other.alerting.set_duty(officer.username, "alpha", True)
        time.sleep(4 * follow)
        hit(world)
        assert stream.next("alert_repeat")["data"]["count"] == 2
    finally:
        stream.close()
        other.close()


def test_feed_ids_keep_growing_after_the_feed_is_pruned(world: World, base: str) -> None:
    """Followers wait past the last id they saw: a pruned feed must not number from 1 again."""
    alerts = world.services.alerting.alerts
    hit(world)
    seen = alerts.feed_head()
    assert seen > 0
    alerts.prune_feed(world.clock.now_ms() + 365 * DAY_MS)  # everything is old by then
    hit(world, "5S0W350")
    assert [event.id > seen for event in alerts.feed_after(0)][-1]
    assert len(alerts.feed_after(seen)) == 1

"""Deliveries through real parts: email to an SMTP server (aiosmtpd), signed webhooks to an HTTP server, MQTT to
the Mosquitto broker on 127.0.0.1:1883; a target that is down is retried, recorded as failed, and visible."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from email.header import decode_header, make_header
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from access.world import World
from fastapi.testclient import TestClient

from alerts.helpers import add_entry, custom_list
from alerts.live import Inbox, body_text, free_port, webhook_receiver
from plateledger.alerts.delivery.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from plateledger.hotlists.model import DAY_MS
from plateledger.ingest.pipeline import StoredItem
from plateledger.reads import NewRead, now_ms

SECRET = "0123456789abcdef-shared"


def hit(world: World, plate: str = "5SOW350", region: str = "US-CA") -> None:
    """A stored read of alpha's camera handed to the hook, as ingest does."""
    item = StoredItem(0, NewRead(plate, now_ms(), "alpha-cam", region=region), world.read_ids["alpha"][0])
    world.services.alerting.hook([item])
    assert world.services.alerting.wait_idle(20)


def listed(world: World, targets: list[dict[str, Any]], entry_targets: tuple[dict[str, Any], ...] = ()) -> Any:
    hotlists = world.services.alerting.hotlists
    hotlist = custom_list(world, "alpha")
    hotlists.set_list_targets("test", hotlist, targets, [])
    return add_entry(world, hotlists.get(hotlist.id), effective_ms=world.clock.now_ms() - DAY_MS, targets=entry_targets)


def test_email_reaches_a_real_smtp_server(world: World, inbox: Inbox) -> None:
    listed(world, [{"type": "apprise", "url": inbox.url("watch@agency.example"), "label": "watch"}])
    hit(world, "5S0W35O")
    ((_, message, recipients),) = inbox.wait(1)
    assert recipients == ["watch@agency.example"]
    assert str(make_header(decode_header(message["Subject"]))).startswith("Hot-list alert: Possible misread")
    text = body_text(message)
    assert "Possible misread: the camera read 5S0W35O and the entry is 5SOW350" in text
    assert "case 24-000123" in text and "Honda, Civic, grey" in text, text
    (delivery,) = world.services.alerting.deliveries.list("alpha")
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1 and delivery["channel"] == "apprise"


def test_webhooks_are_signed_with_hmac_sha256(world: World) -> None:
    with webhook_receiver() as receiver:
        entry = listed(world, [], ({"type": "webhook", "url": receiver.url, "secret": SECRET},))  # per entry
        hit(world)
        ((headers, body),) = receiver.received
    stamp, signed = headers[TIMESTAMP_HEADER.lower()], headers[SIGNATURE_HEADER.lower()]
    assert signed.startswith("sha256=") and verify_signature(SECRET, stamp, body, signed)
    assert not verify_signature("another-secret-entirely", stamp, body, signed)
    assert not verify_signature(SECRET, stamp, body + b" ", signed)
    assert not verify_signature(SECRET, str(int(stamp) - 3600), body, signed)  # an old timestamp: a replay
    payload = json.loads(body)
    assert payload["type"] == "plateledger.alert" and payload["alert"]["entry_id"] == entry.id
    assert payload["alert"]["match_type"] == "exact" and "images" not in payload["alert"]


def test_a_target_that_is_down_is_retried_recorded_and_visible(world: World, client: TestClient) -> None:
    closed = free_port()  # nothing listens here
    listed(world, [{"type": "webhook", "url": f"http://127.0.0.1:{closed}/hook", "secret": SECRET}])
    hit(world)
    (failed,) = world.services.alerting.deliveries.list("alpha")
    assert failed["status"] == "failed" and failed["attempts"] == 3  # PLATELEDGER_DELIVERY_ATTEMPTS in tests
    assert failed["last_error"].startswith("attempt 3: DeliveryError: could not reach")
    assert failed["target"]["secret"] == "***"
    admin = world.headers("alpha", "agency_admin")
    shown = client.get("/api/v1/alerts/deliveries?status=failed", headers=admin).json()
    assert [item["id"] for item in shown] == [failed["id"]]
    assert client.get("/api/v1/alerts/deliveries?status=delivered", headers=admin).json() == []
    (alert,) = world.services.alerting.alerts.list("alpha")
    assert alert.status == "new"  # a failed delivery never touches the alert or ingest


def test_a_refusing_webhook_is_a_failure_and_a_later_success_a_delivery(world: World) -> None:
    with webhook_receiver(fail_first=2) as receiver:
        listed(world, [{"type": "webhook", "url": receiver.url, "secret": SECRET}])
        hit(world)
    (delivery,) = world.services.alerting.deliveries.list("alpha")
    assert delivery["status"] == "delivered" and delivery["attempts"] == 3 and len(receiver.received) == 3
    assert delivery["last_error"] == "attempt 2: DeliveryError: HTTP 503 Service Unavailable"


def mosquitto_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 1883), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not mosquitto_up(), reason="needs the Mosquitto broker on 127.0.0.1:1883")
def test_mqtt_publishes_to_a_real_broker(world: World) -> None:
    topic = f"plateledger-test/{uuid.uuid4().hex}/alerts"
    received: list[bytes] = []
    subscribed, arrived = threading.Event(), threading.Event()
    subscriber = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    subscriber.on_connect = lambda client, userdata, flags, rc, props: client.subscribe(topic, qos=1)
    subscriber.on_subscribe = lambda *args: subscribed.set()
    subscriber.on_message = lambda client, userdata, message: (received.append(message.payload), arrived.set())
    subscriber.connect("127.0.0.1", 1883)
    subscriber.loop_start()
    try:
        assert subscribed.wait(10)
        listed(world, [{"type": "mqtt", "host": "127.0.0.1", "port": 1883, "topic": topic}])
        hit(world, region="US-AZ")
        assert arrived.wait(10)
    finally:
        subscriber.loop_stop()
        subscriber.disconnect()
    payload = json.loads(received[0])
    assert payload["alert"]["match_type"] == "region_mismatch"
    assert "the state read was Arizona and the entry is for California" in payload["alert"]["message"]
    (delivery,) = world.services.alerting.deliveries.list("alpha")
    assert delivery["status"] == "delivered" and delivery["channel"] == "mqtt"


def test_repeats_are_not_delivered_again(world: World, inbox: Inbox) -> None:
    listed(world, [{"type": "apprise", "url": inbox.url()}])
    hit(world)
    hit(world)
    inbox.wait(1)
    (alert,) = world.services.alerting.alerts.list("alpha")
    assert alert.count == 2 and len(world.services.alerting.deliveries.list("alpha")) == 1

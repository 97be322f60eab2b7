"""The Frigate subscriber against the real Mosquitto broker on 127.0.0.1:1883 (a unique topic prefix per test)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from plateledger.api.services import open_services
from plateledger.config import Settings
from plateledger.hotlists.model import EntryDraft
from plateledger.ingest import camera_info
from plateledger.ingest.deadletters import DeadLetterStore
from plateledger.ingest.frigate_mqtt import FrigateSubscriber
from plateledger.policy.agencies import create_agency
from plateledger.reads import BatchResult, NewRead
from plateledger.store.contract import Agency, Camera, TimeWindow
from plateledger.store.sqlite import SqliteReadStore

from .conftest import REPO

BROKER = ("127.0.0.1", 1883)
EVENTS = "frigate/frigate_events_v0.16.0.json"
LPR = "frigate/frigate_tracked_object_update_lpr_v0.16.0.json"


class RecordingSink:
    """Appends to the store and remembers what it was handed."""

    def __init__(self, store: SqliteReadStore) -> None:
        self.store = store
        self.reads: list[NewRead] = []
        self.results: list[BatchResult] = []
        self.changed = threading.Condition()

    def __call__(self, reads: Sequence[NewRead]) -> BatchResult:
        result = self.store.append(list(reads))
        with self.changed:
            self.reads.extend(reads)
            self.results.append(result)
            self.changed.notify_all()
        return result

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.reads) >= count, timeout), (
                f"{len(self.reads)} of {count} reads reached the sink"
            )


@pytest.fixture
def prefix() -> str:
    return f"plateledger-test-{uuid.uuid4().hex}/frigate"


@pytest.fixture
def publish() -> Iterator[Callable[[str, bytes], None]]:
    client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2)
    client.connect(*BROKER)
    client.loop_start()

    def send(topic: str, payload: bytes) -> None:
        client.publish(topic, payload, qos=1).wait_for_publish(timeout=5)

    yield send
    client.disconnect()
    client.loop_stop()


def _car(shared_payload: Callable[[str], bytes], frame_time: float, plate: str) -> bytes:
    body = json.loads(shared_payload(EVENTS))
    body["after"].update(label="car", sub_label=None, frame_time=frame_time, recognized_license_plate=plate)
    return json.dumps(body).encode()


def test_plates_published_by_frigate_reach_the_sink_once(
    read_store: SqliteReadStore,
    deadletters: DeadLetterStore,
    prefix: str,
    publish: Callable[[str, bytes], None],
    shared_payload: Callable[[str], bytes],
) -> None:
    sink = RecordingSink(read_store)
    camera_map = {"front_door": camera_info(read_store, "gate-1"), "driveway_cam": "gate-1"}
    subscriber = FrigateSubscriber(*BROKER, prefix, camera_map, sink, deadletters=deadletters)
    subscriber.start()
    try:
        publish(f"{prefix}/events", shared_payload(EVENTS))  # the published event: a person, not recorded
        for frame_time in (1607123962.08, 1607123962.5, 1607123963.0):  # three updates of one tracked car
            publish(f"{prefix}/events", _car(shared_payload, frame_time, "ABC12345"))
        publish(f"{prefix}/events", _car(shared_payload, 1607123963.4, "ABC12845"))  # the plate reading changed
        publish(f"{prefix}/tracked_object_update", shared_payload(LPR))
        publish(f"{prefix}/events", b"{not json")
        sink.wait_for(3)
        deadline = time.monotonic() + 5
        while subscriber.stats.dead_letters < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        subscriber.stop()
    assert [(r.plate_raw, r.camera_id) for r in sink.reads] == [
        ("ABC12345", "gate-1"),
        ("ABC12845", "gate-1"),
        ("123ABC", "gate-1"),
    ]
    first = sink.reads[0]
    assert first.observed_ms == 1607123962080 and first.confidence == pytest.approx(93.3451)
    assert (first.region, first.region_assumed) == ("US-CA", True)  # the camera's jurisdiction, marked assumed
    assert sink.reads[2].source_id == "frigate:1607123955.475377-mxklsc:123ABC"
    assert read_store.count_reads() == 3
    assert subscriber.stats.repeats_skipped == 2
    assert subscriber.stats.ignored == 1
    (letter,) = deadletters.list()
    assert (letter.adapter, letter.source, letter.field) == ("frigate", f"mqtt:{prefix}/events", "body")


def test_after_a_restart_the_store_still_answers_duplicates(
    read_store: SqliteReadStore,
    prefix: str,
    publish: Callable[[str, bytes], None],
    shared_payload: Callable[[str], bytes],
) -> None:
    for _ in range(2):  # two subscriber lifetimes: the second remembers nothing
        sink = RecordingSink(read_store)
        subscriber = FrigateSubscriber(*BROKER, prefix, {"driveway_cam": "gate-1"}, sink)
        subscriber.start()
        try:
            publish(f"{prefix}/tracked_object_update", shared_payload(LPR))
            sink.wait_for(1)
        finally:
            subscriber.stop()
    assert len(sink.results[0].duplicates) == 1
    assert read_store.count_reads() == 1


def test_the_frigate_command_ingests_as_the_server_does_hot_lists_included(
    tmp_path: Path, prefix: str, publish: Callable[[str, bytes], None], shared_payload: Callable[[str], bytes]
) -> None:
    """`plateledger frigate --data DIR` in a process of its own: the read lands in DIR's store and, its plate
    being on a hot list, an alert in DIR/hotlists.db."""
    settings = Settings(data_dir=tmp_path)
    services = open_services(settings)
    try:
        agency = Agency("alpha", "Alpha Police", "local", "US-CA")
        create_agency(services.store, services.policies, services.ledger, agency, None, actor="test")
        services.store.add_camera(Camera("gate-1", "alpha", "fixed", "gate", 37.7, -122.4, 90.0, created_ms=0))
        hotlists = services.alerting.hotlists
        stolen = hotlists.create_list("test", "alpha", "stolen", "Stolen vehicles", "custom")
        expires = int(time.time() * 1000) + 86_400_000
        draft = EntryDraft("123ABC", None, "stolen_vehicle", "reported stolen", "24-000123", "test", expires_ms=expires)
        hotlists.add_entry("test", stolen, draft)
    finally:
        services.close()
    command = [sys.executable, "-m", "plateledger.cli", "frigate", "--data", str(tmp_path),
               "--camera-map", "driveway_cam=gate-1", "--topic-prefix", prefix]  # fmt: skip
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert "listening on" in process.stdout.readline()
        message = json.loads(shared_payload(LPR))
        message["timestamp"] = time.time()  # a plate read now, after the entry took effect
        publish(f"{prefix}/tracked_object_update", json.dumps(message).encode())
        deadline = time.monotonic() + 20
        alerts: list[tuple[str, str]] = []
        while not alerts and time.monotonic() < deadline:
            with sqlite3.connect(settings.hotlists_path) as hotlist_db:
                alerts = hotlist_db.execute("SELECT list_id, status FROM alerts").fetchall()
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
    assert alerts == [("stolen", "new")]
    store = SqliteReadStore(settings.reads_path)
    try:
        (hit,) = store.search_exact("123ABC", TimeWindow(0, 4_000_000_000_000)).hits
    finally:
        store.close()
    assert (hit.read.camera_id, hit.read.source_id) == ("gate-1", "frigate:1607123955.475377-mxklsc:123ABC")


def test_among_server_workers_one_subscribes_and_another_takes_over(
    tmp_path: Path, prefix: str, publish: Callable[[str, bytes], None], shared_payload: Callable[[str], bytes]
) -> None:
    """`serve --workers N`: each worker opens the data directory; only the holder of DIR/frigate.lock subscribes
    (else each message is handled N times), and when it stops another worker takes over."""
    from plateledger.api.workers import SoleFrigateSubscriber

    settings = Settings(
        data_dir=tmp_path, frigate_mqtt_host=BROKER[0], frigate_mqtt_port=BROKER[1], frigate_topic_prefix=prefix,
        frigate_camera_map={"front_door": "gate-1"},
    )  # fmt: skip
    workers = [open_services(settings), open_services(settings)]
    agency = Agency("alpha", "Alpha Police", "local", "US-CA")
    create_agency(workers[0].store, workers[0].policies, workers[0].ledger, agency, None, actor="test")
    workers[0].store.add_camera(Camera("gate-1", "alpha", "fixed", "gate", 37.7, -122.4, 90.0, created_ms=0))
    subscribers = [SoleFrigateSubscriber(services, retry_seconds=0.1) for services in workers]
    try:
        assert [subscriber.subscriber is not None for subscriber in subscribers] == [True, False]
        publish(f"{prefix}/events", b"{not json")  # one dead letter, not one per worker
        publish(f"{prefix}/events", _car(shared_payload, 1607123962.08, "ABC12345"))
        deadline = time.monotonic() + 10
        while workers[0].store.count_reads() < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        subscribers[0].close()  # the leading worker stops (or dies: the kernel drops its lock the same way)
        deadline = time.monotonic() + 10
        while subscribers[1].subscriber is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert subscribers[1].subscriber is not None
        publish(f"{prefix}/events", _car(shared_payload, 1607123990.0, "7XYZ789"))
        deadline = time.monotonic() + 10
        while workers[1].store.count_reads() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
    finally:
        for subscriber in subscribers:
            subscriber.close()
        for services in workers:
            services.close()
    store = SqliteReadStore(settings.reads_path)
    try:
        hits = store.search_exact("ABC12345", TimeWindow(0, 4_000_000_000_000)).hits
        later = store.search_exact("7XYZ789", TimeWindow(0, 4_000_000_000_000)).hits
        assert (len(hits), len(later), store.count_reads()) == (1, 1, 2)
    finally:
        store.close()
    assert len(DeadLetterStore(settings.deadletters_path).list()) == 1

"""A Frigate NVR subscriber: plate reads from Frigate's MQTT topics into a sink (the read store's append).

    subscriber = FrigateSubscriber("127.0.0.1", 1883, "frigate", {"driveway_cam": "gate-1"}, store.append)
    subscriber.start()   # connects, subscribes, returns once subscribed
    ...
    subscriber.stop()

It listens to `<prefix>/events` and `<prefix>/tracked_object_update`, parses each message with the `frigate`
adapter and hands new reads to the sink. Frigate sends many updates for one tracked object: a (tracked object,
plate) pair already handed on is skipped here, and the source id makes the store answer a duplicate for any
that slip through (after a restart, say). A message that cannot be parsed goes to the dead letters, if given.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import paho.mqtt.client as mqtt

from plateledger.ingest.adapters.frigate import DEFAULT_LABELS, FrigateAdapter
from plateledger.ingest.deadletters import DeadLetterStore
from plateledger.ingest.model import CameraInfo, IngestContext, PayloadError
from plateledger.reads import BatchResult, NewRead

log = logging.getLogger(__name__)

Sink = Callable[[list[NewRead]], BatchResult]
TOPICS = ("events", "tracked_object_update")
REMEMBERED = 20_000  # (tracked object, plate) pairs kept to skip repeated updates


@dataclass(slots=True)
class SubscriberStats:
    messages: int = 0
    reads_sent: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    repeats_skipped: int = 0
    ignored: int = 0
    dead_letters: int = 0
    sink_errors: int = 0


def _camera(camera_id: str) -> CameraInfo:
    """A camera known by id only: reads are placed by the store, but no region can be assumed for them (give
    CameraInfo values, e.g. from `camera_info(store, id)`, for that)."""
    return CameraInfo(id=camera_id, agency_id="", kind="fixed")


class FrigateSubscriber:
    def __init__(
        self,
        broker_host: str,
        port: int,
        topic_prefix: str,
        camera_map: Mapping[str, str | CameraInfo],
        sink: Sink,
        *,
        deadletters: DeadLetterStore | None = None,
        labels: tuple[str, ...] = DEFAULT_LABELS,
        client_id: str = "",
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.broker_host = broker_host
        self.port = port
        self.topic_prefix = topic_prefix.rstrip("/")
        known = {value.id: value for value in camera_map.values() if isinstance(value, CameraInfo)}
        self.context = IngestContext(
            sources={
                name: known.get(value, _camera(value)) if isinstance(value, str) else value
                for name, value in camera_map.items()
            }
        )
        self.sink = sink
        self.deadletters = deadletters
        self.adapter = FrigateAdapter(labels=labels)
        self.stats = SubscriberStats()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self._client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
        if username is not None:
            self._client.username_pw_set(username, password)
        self._client.reconnect_delay_set(min_delay=1, max_delay=30)
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message

    @property
    def topics(self) -> list[str]:
        return [f"{self.topic_prefix}/{name}" for name in TOPICS]

    def start(self, timeout: float = 10.0) -> None:
        """Connect and subscribe; returns once the broker confirmed the subscription."""
        self._subscribed.clear()
        self._client.connect(self.broker_host, self.port, keepalive=30)
        self._client.loop_start()
        if not self._subscribed.wait(timeout):
            self.stop()
            raise TimeoutError(f"no subscription confirmed by {self.broker_host}:{self.port} within {timeout} s")

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    # -- paho callbacks (run on paho's network thread) -----------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        if reason_code.is_failure:
            log.warning("MQTT connection to %s:%s refused: %s", self.broker_host, self.port, reason_code)
            return
        client.subscribe([(topic, 1) for topic in self.topics])

    def _on_subscribe(self, client: mqtt.Client, userdata: Any, mid: int, reason_codes: Any, properties: Any) -> None:
        self._subscribed.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            self.handle(message.topic, message.payload)
        except Exception:  # never let one message stop the network loop
            log.exception("failed to handle an MQTT message on %s", message.topic)

    # -- the work ----------------------------------------------------------------------------------------------------
    def handle(self, topic: str, payload: bytes) -> BatchResult | None:
        """Parse one message and hand its new reads to the sink; the sink's answer, or None."""
        self.stats.messages += 1
        context = replace(self.context, received_ms=IngestContext().received_ms)
        try:
            parsed = self.adapter.parse(payload, context)
        except PayloadError as error:
            log.warning("unreadable Frigate message on %s: %s", topic, error)
            if self.deadletters is not None:
                self.deadletters.add(
                    adapter="frigate",
                    body=payload,
                    content_type="application/json",
                    context=context,
                    field_name=error.field,
                    reason=error.reason,
                    source=f"mqtt:{topic}",
                )
                self.stats.dead_letters += 1
            return None
        if not parsed.reads:
            self.stats.ignored += 1
            return None
        fresh: list[NewRead] = []
        keys: list[str] = []
        with self._lock:
            for read in parsed.reads:
                key = read.source_id or ""
                if key in self._seen:
                    self._seen.move_to_end(key)
                    self.stats.repeats_skipped += 1
                    continue
                fresh.append(self._with_region(read))
                keys.append(key)
        if not fresh:
            return None
        try:
            result = self.sink(fresh)
        except Exception:
            self.stats.sink_errors += 1
            log.exception("the read sink failed for %d Frigate reads; a later update retries them", len(fresh))
            return None
        self.stats.reads_sent += len(fresh)
        self.stats.stored += len(result.stored)
        self.stats.duplicates += len(result.duplicates)
        self.stats.refused += len(result.refused)
        with self._lock:
            for index, key in enumerate(keys):
                if index in result.stored or index in result.duplicates:
                    self._seen[key] = None
            while len(self._seen) > REMEMBERED:
                self._seen.popitem(last=False)
        for refusal in result.refused:
            log.warning("Frigate read refused: %s %s", refusal.field, refusal.reason)
        return result

    def _with_region(self, read: NewRead) -> NewRead:
        camera = self.context.cameras().get(read.camera_id)
        if read.region is None and camera is not None and camera.jurisdiction:
            return read._replace(region=camera.jurisdiction, region_assumed=True)
        return read

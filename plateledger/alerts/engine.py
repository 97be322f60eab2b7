"""From stored reads to alerts: the ingest hook matches, a worker thread raises, publishes and delivers.

`hook` is what ingest calls after a batch is committed (`Ingestor.hotlist_hook`). It does the least it can on
the ingest thread: one cached fold of the plate text and one dictionary lookup per read against the current
index, and, for the rare reads whose skeleton is on a list, one `put` on a queue. It never waits and never
raises into ingest.

The alert worker takes the hits in order: it keeps only entries of the camera's own agency that were in force
when the read was made, says how the read matched, raises a new alert or collapses a repeat (same entry, same
camera, within the collapse window) into the last one, publishes it to the agency's live streams, records it
in the ledger, and hands email/SMS/webhook/MQTT deliveries to the delivery worker.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from plateledger.access.clock import Clock
from plateledger.access.recorder import Recorder, record
from plateledger.alerts.delivery import AlertMessage, Deliverer
from plateledger.alerts.model import Alert
from plateledger.alerts.store import AlertStore
from plateledger.alerts.stream import AlertBroker
from plateledger.alerts.wording import MATCH_LABELS, region_name, stale_notice
from plateledger.hotlists.index import IndexedEntry, IndexHolder, MatchIndex, PlateFolder, classify, entry_live
from plateledger.hotlists.model import HOUR_MS, VEHICLE_FIELDS, HotList
from plateledger.hotlists.repository import HotlistRepository
from plateledger.hotlists.targets import parse_targets
from plateledger.ingest.pipeline import StoredItem
from plateledger.plates.regions import RegionError, parse_region
from plateledger.store.contract import NotFound, ReadStore

log = logging.getLogger(__name__)
SYSTEM_USER = "system:hotlists"
ImageLinks = Callable[[int], list[dict[str, Any]]]
AlertListener = Callable[[Alert, bool, float], None]  # (alert, is new, perf_counter when the read was accepted)
Hit = tuple[StoredItem, str, tuple[IndexedEntry, ...]]


def find_hits(index: MatchIndex, fold: PlateFolder, items: list[StoredItem]) -> list[Hit]:
    """The reads of a batch whose skeleton is on some list: the ingest hook's hot loop, one lookup a read."""
    by_skeleton = index.by_skeleton
    if not by_skeleton:
        return []
    folded_cache = fold.cache
    hits: list[Hit] = []
    for item in items:
        raw = item.read.plate_raw
        folded = folded_cache.get(raw) or fold(raw)
        group = by_skeleton.get(folded[1])
        if group is not None:
            hits.append((item, folded[0], group))
    return hits


def image_links(alert_id: int, refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The read's images as an alert shows them, each with the URL that serves it (audited)."""
    return [{**ref, "url": f"/api/v1/alerts/{alert_id}/images/{ref['sha256']}"} for ref in refs]


class AlertEngine:
    def __init__(
        self,
        index: IndexHolder,
        repository: HotlistRepository,
        alerts: AlertStore,
        broker: AlertBroker,
        deliverer: Deliverer,
        store: ReadStore,
        ledger: Recorder,
        clock: Clock,
        *,
        collapse_minutes: int = 10,
        images: ImageLinks | None = None,
    ) -> None:
        self.index = index
        self.repository = repository
        self.alerts = alerts
        self.broker = broker
        self.deliverer = deliverer
        self.store = store
        self.ledger = ledger
        self.clock = clock
        self.collapse_ms = collapse_minutes * 60_000
        self.images = images
        self.listeners: list[AlertListener] = []
        self.fold = PlateFolder()
        self._cameras: dict[str, str | None] = {}
        self._regions: dict[str | None, str | None] = {}
        self._queue: queue.SimpleQueue[tuple[float, list[Hit]] | None] = queue.SimpleQueue()
        self._pending = 0
        self._idle = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="alert-worker", daemon=True)
        self._thread.start()

    # -- the ingest side: fast, never blocks --------------------------------------------------------------------
    def hook(self, items: list[StoredItem]) -> None:
        """The ingest hot-list hook: match a committed batch, queue the hits."""
        hits = find_hits(self.index.current, self.fold, items)
        if hits:
            with self._idle:
                self._pending += 1
            self._queue.put((time.perf_counter(), hits))

    def matches(self, items: list[StoredItem]) -> int:
        """How many reads of a batch have a skeleton on some list (the hook's work without the queue)."""
        return len(find_hits(self.index.current, self.fold, items))

    # -- the worker side ---------------------------------------------------------------------------------------
    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            accepted, hits = job
            for item, plate, group in hits:
                try:
                    self._handle(item, plate, group, accepted)
                except Exception:  # one bad hit must not stop the alerts of the others
                    log.exception("raising an alert for read %d failed", item.read_id)
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def _agency(self, camera_id: str) -> str | None:
        if camera_id not in self._cameras:
            try:
                self._cameras[camera_id] = self.store.get_camera(camera_id).agency_id
            except NotFound:
                self._cameras[camera_id] = None
        return self._cameras[camera_id]

    def _region(self, text: str | None) -> str | None:
        if text not in self._regions:
            try:
                self._regions[text] = parse_region(text)
            except RegionError:
                self._regions[text] = None
        return self._regions[text]

    def _handle(self, item: StoredItem, plate: str, group: tuple[IndexedEntry, ...], accepted: float) -> None:
        read = item.read
        agency = self._agency(read.camera_id)
        now = self.clock.now_ms()
        region = self._region(read.region)
        for candidate in group:
            if candidate.agency_id != agency or not entry_live(candidate, read.observed_ms, now):
                continue
            entry = self.repository.get_entry(candidate.id)
            hotlist = self.repository.get_list(candidate.list_id)
            if entry is None or hotlist is None or entry.removed_ms is not None:
                continue
            match_type = classify(candidate, plate, region, read.region_assumed)
            snapshot = {
                "plate": plate,
                "plate_raw": read.plate_raw,
                "region": region,
                "region_assumed": read.region_assumed,
                "confidence": read.confidence,
                "observed_ms": read.observed_ms,
            }
            alert, new = self.alerts.raise_or_collapse(
                agency_id=candidate.agency_id,
                list_id=hotlist.id,
                entry_id=entry.id,
                camera_id=read.camera_id,
                read_id=item.read_id,
                read=snapshot,
                entry=entry.snapshot(),
                match_type=match_type,
                stale=hotlist.stale(now),
                observed_ms=read.observed_ms,
                now_ms=now,
                window_ms=self.collapse_ms,
            )
            shown = self.describe(alert, hotlist, now)
            self.broker.publish(alert.agency_id, "alert" if new else "alert_repeat", shown)
            for listener in self.listeners:
                listener(alert, new, accepted)
            if new:
                self._record(alert)
                self._deliver(alert, hotlist, [*hotlist.targets, *entry.targets], shown)

    def describe(self, alert: Alert, hotlist: HotList | None, now: int) -> dict[str, Any]:
        """The alert as officers see it: its words, the stale notice, and the read's images beside the entry."""
        shown = alert.to_dict()
        if alert.stale and hotlist is not None:
            age = None if hotlist.last_refreshed_ms is None else (now - hotlist.last_refreshed_ms) / HOUR_MS
            shown["stale_notice"] = stale_notice(age, hotlist.freshness_hours)
        refs = self.images(alert.read_id) if self.images is not None else []
        shown["images"] = image_links(alert.id, refs)
        return shown

    def _record(self, alert: Alert) -> None:
        record(
            self.ledger,
            "alert_raised",
            user=SYSTEM_USER,
            agency=alert.agency_id,
            parameters={
                "alert_id": alert.id,
                "list_id": alert.list_id,
                "entry_id": alert.entry_id,
                "match_type": alert.match_type,
                "plate": alert.read["plate"],
                "region": alert.read.get("region"),
                "entry_plate": alert.entry["plate"],
                "entry_region": alert.entry.get("region"),
                "camera_id": alert.camera_id,
                "read_id": alert.read_id,
                "stale": alert.stale,
            },
            case_number=alert.entry.get("case_number"),
        )

    def _deliver(self, alert: Alert, hotlist: HotList, raw: list[dict[str, Any]], shown: dict[str, Any]) -> None:
        if not raw:
            return
        try:
            targets = parse_targets(raw)
        except ValueError as error:
            log.error("alert %d: delivery targets of list %s are invalid: %s", alert.id, hotlist.id, error)
            return
        message = outbound_message(alert, shown)
        for target in targets:
            self.deliverer.submit(alert.id, alert.agency_id, target, message)

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every queued hit is handled (tests, benchmarks); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(10)


def outbound_message(alert: Alert, shown: dict[str, Any]) -> AlertMessage:
    """What leaves the system: the words and the facts, never the images (they stay behind the audited API)."""
    entry, read = alert.entry, alert.read
    stale = f"\n\n{shown['stale_notice']}" if alert.stale and "stale_notice" in shown else ""
    described = entry.get("vehicle") or {}
    vehicle = ", ".join(str(described[key]) for key in VEHICLE_FIELDS if described.get(key)) or "not described"
    body = (
        f"{shown['message']}{stale}\n\n"
        f"Read: {read['plate']} ({region_name(read.get('region'))}) at camera {alert.camera_id}, "
        f"{shown['read']['observed_at']}, confidence {read.get('confidence')}.\n"
        f"Entry: {entry['plate']} ({region_name(entry.get('region')) if entry.get('region') else 'any region'}), "
        f"{entry['category'].replace('_', ' ')}, case {entry['case_number']}; vehicle: {vehicle}.\n"
        f"Alert {alert.id}: open it to compare the plate image with the entry, then verify or reject it."
    )
    title = f"{'STALE ' if alert.stale else ''}Hot-list alert: {MATCH_LABELS[alert.match_type]} - {read['plate']}"
    payload = {key: value for key, value in shown.items() if key != "images"}
    return AlertMessage(title=title, body=body, payload={"type": "plateledger.alert", "alert": payload})


def image_refs(images: Any) -> ImageLinks:
    """The image links of a read from an ImageStore (`images_for`), as plain data for the alert."""

    def refs(read_id: int) -> list[dict[str, Any]]:
        return [
            {
                "kind": image.kind,
                "sha256": image.ref.sha256,
                "format": image.ref.format,
                "width": image.ref.width,
                "height": image.ref.height,
            }
            for image in images.images_for(read_id)
        ]

    return refs

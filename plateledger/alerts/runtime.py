"""Everything hot lists and alerts need at run time, opened on one data directory and closed together.

    alerting = Alerting.open(settings, store, ledger, clock, images=image_store)
    ingestor.hotlist_hook = alerting.hook          # every committed batch is matched
    ...
    alerting.close()

Threads: the alert worker (one, in order), the delivery workers (`delivery_workers`), the feed scheduler
(when `feed_check_seconds` > 0), and two followers of other processes on the same data directory: the
hot-list follower (`hotlist_follow_seconds`: changes such as `plateledger hotlists import` beside a running
server, into this process's index) and the alert follower (`alert_follow_seconds`: alerts such as those of
`plateledger frigate`, to this process's live streams). All daemons, all stopped by `close()`.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from plateledger.access.clock import Clock
from plateledger.access.recorder import Recorder
from plateledger.alerts.delivery import Deliverer
from plateledger.alerts.engine import AlertEngine, ImageLinks
from plateledger.alerts.model import Alert
from plateledger.alerts.records import DeliveryRecords
from plateledger.alerts.store import AlertStore
from plateledger.alerts.stream import AlertBroker
from plateledger.alerts.workflow import AlertWorkflow
from plateledger.config import Settings
from plateledger.hotlists.db import HotlistDatabase
from plateledger.hotlists.service import HotlistService
from plateledger.ingest.pipeline import StoredItem
from plateledger.periodic import Periodic
from plateledger.processlock import ProcessLock
from plateledger.store.contract import ReadStore

log = logging.getLogger(__name__)


def _refresh_due(hotlists: HotlistService, lock: ProcessLock) -> None:
    """Import the feeds that are due (the feed scheduler's action). Under a lock on the hot-list database, which
    every process on the data directory (server workers included) takes: the second finds the feed refreshed."""
    with lock:
        outcomes = hotlists.refresh_due()
    for list_id, outcome in outcomes.items():
        log.info("scheduled feed %s: %s", list_id, {k: v for k, v in outcome.items() if k != "errors"})


class Alerting:
    def __init__(
        self,
        settings: Settings,
        store: ReadStore,
        ledger: Recorder,
        clock: Clock,
        *,
        images: ImageLinks | None = None,
        db: HotlistDatabase | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.db = db or HotlistDatabase(settings.hotlists_path)
        self.hotlists = HotlistService(self.db, ledger, clock, default_freshness_hours=settings.feed_freshness_hours)
        self.alerts = AlertStore(self.db)
        self.deliveries = DeliveryRecords(self.db)
        self.broker = AlertBroker(off_duty=self._off_duty())
        self.deliverer = Deliverer(
            self.deliveries,
            clock.now_ms,
            attempts=settings.delivery_attempts,
            backoff_seconds=settings.delivery_backoff_seconds,
            workers=settings.delivery_workers,
        )
        self.engine = AlertEngine(
            self.hotlists.index,
            self.hotlists.repository,
            self.alerts,
            self.broker,
            self.deliverer,
            store,
            ledger,
            clock,
            collapse_minutes=settings.alert_collapse_minutes,
            images=images,
        )
        self.workflow = AlertWorkflow(self.alerts, self.hotlists.repository, ledger, clock, publish=self._updated)
        schedule_lock = ProcessLock(self.db.path.with_name(self.db.path.name + ".schedule-lock"))
        self.scheduler = Periodic(
            "feed-scheduler", settings.feed_check_seconds, partial(_refresh_due, self.hotlists, schedule_lock)
        )
        self.follower = Periodic("hotlist-follower", settings.hotlist_follow_seconds, self._follow_changes)
        self._feed_position = self.alerts.feed_head()  # from now on: what was raised before is not news
        self._feed_pruned_ms = 0
        self.alert_follower = Periodic("alert-follower", settings.alert_follow_seconds, self._follow_alerts)
        self._closed = False

    def _follow_changes(self) -> None:
        if self.hotlists.follow_changes():
            entries = len(self.hotlists.index.current)
            log.info("hot-list index rebuilt after a change by another process: %d entries", entries)

    def _off_duty(self) -> set[str]:
        return {user for user, (_, on, _) in self.deliveries.duty().items() if not on}

    def _follow_alerts(self) -> None:
        """Publish to this process's streams what other processes raised or moved (they published it to theirs),
        after taking up the duty toggles made through them."""
        self.broker.replace_off_duty(self._off_duty())
        for event in self.alerts.feed_after(self._feed_position):
            self._feed_position = event.id
            alert = None if event.mine else self.alerts.get(event.alert_id)
            if alert is not None:
                self.broker.publish(alert.agency_id, event.kind, self.shown(alert))
        now = self.clock.now_ms()
        if now - self._feed_pruned_ms > 60_000:
            self._feed_pruned_ms = now
            self.alerts.prune_feed(now)

    def hook(self, items: list[StoredItem]) -> None:
        """The ingest hot-list hook."""
        self.engine.hook(items)

    def shown(self, alert: Alert) -> dict[str, Any]:
        """An alert as the API shows it (words, stale notice, image links)."""
        return self.engine.describe(alert, self.hotlists.repository.get_list(alert.list_id), self.clock.now_ms())

    def _updated(self, alert: Alert) -> None:
        self.broker.publish(alert.agency_id, "alert_update", self.shown(alert))

    def set_duty(self, username: str, agency_id: str, on_duty: bool) -> None:
        self.deliveries.set_duty(username, agency_id, on_duty, self.clock.now_ms())
        self.broker.set_off_duty(username, not on_duty)

    def on_duty(self, agency_id: str) -> list[dict[str, Any]]:
        """Who is on duty: an open stream, or the explicit toggle (a toggle off wins over an open stream)."""
        toggles = {user: on for user, (_, on, _) in self.deliveries.duty(agency_id).items()}
        streaming = self.broker.streaming(agency_id)
        candidates = streaming | {user for user, on in toggles.items() if on}
        return [
            {"username": user, "streaming": user in streaming, "toggle": toggles.get(user), "on_duty": True}
            for user in sorted(candidates)
            if toggles.get(user, True)
        ]

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Every queued hit handled and every delivery attempted (tests, benchmarks)."""
        return self.engine.wait_idle(timeout) and self.deliverer.wait_idle(timeout)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.alert_follower.close()
        self.follower.close()
        self.scheduler.close()
        self.engine.close()
        self.deliverer.close()
        self.db.close()

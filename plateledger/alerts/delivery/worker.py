"""The delivery worker: a schedule of jobs and a few threads that send them, retrying with exponential backoff.

Nothing here runs on the ingest path: the alert worker submits jobs, which only appends to a heap. A failed
attempt is recorded with what the target said and tried again after `backoff * 2**(attempt - 1)` seconds, up to
`attempts` tries; then the delivery is `failed`, for administrators to see.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from plateledger.alerts.delivery.base import AlertMessage, channel_for
from plateledger.alerts.records import DeliveryRecords
from plateledger.hotlists.targets import Target

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Job:
    delivery_id: int
    target: Target
    message: AlertMessage
    attempt: int = 1


class Deliverer:
    def __init__(
        self,
        records: DeliveryRecords,
        now_ms: Callable[[], int],
        *,
        attempts: int = 5,
        backoff_seconds: float = 2.0,
        workers: int = 4,
    ) -> None:
        self.records = records
        self.now_ms = now_ms
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self._heap: list[tuple[float, int, Job]] = []
        self._order = itertools.count()
        self._busy = 0
        self._closed = False
        self._condition = threading.Condition()
        self._threads = [
            threading.Thread(target=self._run, name=f"alert-delivery-{number}", daemon=True)
            for number in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, alert_id: int, agency_id: str, target: Target, message: AlertMessage) -> int:
        """Record a pending delivery and schedule its first attempt now; returns the delivery id."""
        delivery_id = self.records.add(alert_id, agency_id, target.type, target.masked(), self.now_ms())
        self._schedule(Job(delivery_id, target, message), 0.0)
        return delivery_id

    def _schedule(self, job: Job, delay: float) -> None:
        with self._condition:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._order), job))
            self._condition.notify()

    def _next(self) -> Job | None:
        with self._condition:
            while not self._closed:
                if self._heap:
                    due = self._heap[0][0] - time.monotonic()
                    if due <= 0:
                        self._busy += 1
                        return heapq.heappop(self._heap)[2]
                    self._condition.wait(due)
                else:
                    self._condition.wait()
            return None

    def _run(self) -> None:
        while (job := self._next()) is not None:
            try:
                self._attempt(job)
            except Exception:  # a worker never dies: record what we can and go on
                log.exception("delivery %d crashed", job.delivery_id)
            finally:
                with self._condition:
                    self._busy -= 1
                    self._condition.notify_all()

    def _attempt(self, job: Job) -> None:
        try:
            channel_for(job.target)(job.target, job.message)
        except Exception as error:
            reason = f"attempt {job.attempt}: {type(error).__name__}: {error}"[:1000]
            if job.attempt >= self.attempts:
                self.records.attempted(job.delivery_id, "failed", self.now_ms(), reason, None)
                log.warning("delivery %d failed after %d attempts: %s", job.delivery_id, job.attempt, reason)
                return
            delay = self.backoff_seconds * 2 ** (job.attempt - 1)
            self.records.attempted(
                job.delivery_id, "retrying", self.now_ms(), reason, self.now_ms() + int(delay * 1000)
            )
            job.attempt += 1
            self._schedule(job, delay)
            return
        self.records.attempted(job.delivery_id, "delivered", self.now_ms(), None, None)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no job is scheduled or running (tests, benchmarks); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._heap or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(min(left, 0.05))
            return True

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()
        for thread in self._threads:
            thread.join(5)

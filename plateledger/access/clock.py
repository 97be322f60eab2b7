"""Time, injectable: services ask a Clock, so tests can move time instead of sleeping."""

from __future__ import annotations

import threading
from typing import Protocol

from plateledger.reads import now_ms


class Clock(Protocol):
    def now_ms(self) -> int:
        """Milliseconds since the Unix epoch (UTC)."""
        ...


class SystemClock:
    """The real time."""

    def now_ms(self) -> int:
        return now_ms()


class ManualClock:
    """A clock that moves only when told to (tests)."""

    def __init__(self, start_ms: int | None = None) -> None:
        self._now = now_ms() if start_ms is None else start_ms
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += int(seconds * 1000)

    def set(self, epoch_ms: int) -> None:
        with self._lock:
            self._now = epoch_ms

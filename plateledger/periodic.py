"""`Periodic`: an action repeated every few seconds in a daemon thread of its own (followers, schedulers,
checkpoints)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Calls `action` every `interval` seconds in a daemon thread of its own, the first time one interval after
    start (never when `interval` is 0). A failure is logged; the next call comes all the same."""

    def __init__(self, name: str, interval: float, action: Callable[[], object]) -> None:
        self.name = name
        self.interval = interval
        self.action = action
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        if interval > 0:
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.action()
            except Exception:
                log.exception("%s failed", self.name)

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)

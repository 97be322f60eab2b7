"""A lock that holds across processes: an exclusive `flock` on a file beside the data it guards.

Server worker processes on one data directory use it for what must run once at a time (a feed import) or in
one process only (the Frigate subscriber). The kernel releases it when its holder exits, however it exits, so
a crashed holder never leaves it taken. Two locks on the same path in one process exclude each other too: each
opens the file itself, and `flock` locks belong to the open file, not the process.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from types import TracebackType


class ProcessLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._descriptor: int | None = None
        self._guard = threading.Lock()  # the threads of this object take turns before asking the kernel

    def acquire(self, blocking: bool = True) -> bool:
        """Take the lock (waiting for it unless `blocking` is False); False when it was not taken."""
        if not self._guard.acquire(blocking):
            return False
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(descriptor)
            self._guard.release()
            return False
        except BaseException:
            os.close(descriptor)
            self._guard.release()
            raise
        self._descriptor = descriptor
        return True

    def release(self) -> None:
        descriptor, self._descriptor = self._descriptor, None
        if descriptor is None:
            raise RuntimeError(f"{self.path} is not locked here")
        os.close(descriptor)  # closing the only descriptor of the open file drops its flock
        self._guard.release()

    def __enter__(self) -> ProcessLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()

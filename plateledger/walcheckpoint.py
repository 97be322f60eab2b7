"""WAL checkpoints off the commit path: `BackgroundCheckpointer`.

In WAL mode a commit appends pages to the `-wal` file; a checkpoint copies them back into the database file.
By default SQLite checkpoints inside the commit that takes the WAL past 1,000 pages, so every so often one
commit also writes megabytes to the database file and waits for its fsync, and every request of that group
commit waits with it. With the image database taking 20 KB crops, that was one commit in every few hundred.

A file that hands its checkpoints to a BackgroundCheckpointer turns the automatic ones off on its writing
connection (`PRAGMA wal_autocheckpoint = 0`) and lets a thread of its own run PASSIVE checkpoints on another
connection every `interval` seconds. A PASSIVE checkpoint never blocks writers or readers: it copies what no
reader still needs, and the next writer starts the WAL over once all of it is copied. SQLite lets the GIL go
while it copies, so the copying runs beside the server's Python work.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from plateledger.periodic import Periodic

CHECKPOINT_SECONDS = 0.5


def hand_over_checkpoints(connection: sqlite3.Connection) -> None:
    """Stop this connection's automatic checkpoints (a BackgroundCheckpointer on its file runs them)."""
    connection.execute("PRAGMA wal_autocheckpoint = 0")


class BackgroundCheckpointer:
    def __init__(self, path: str | Path, interval: float = CHECKPOINT_SECONDS) -> None:
        self.path = Path(path)
        self._connection = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._connection.execute("PRAGMA busy_timeout = 1000")
        self._closed = False
        self._periodic = Periodic(f"checkpoint-{self.path.name}", interval, self.checkpoint)

    def checkpoint(self) -> tuple[int, int, int]:
        """One PASSIVE checkpoint: (busy, frames in the WAL, frames copied), as SQLite reports it."""
        busy, frames, copied = self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(busy), int(frames), int(copied)

    def close(self) -> None:
        """Stop the thread and checkpoint once more (what the last commits left); closing again does nothing."""
        if self._closed:
            return
        self._closed = True
        self._periodic.close()
        self.checkpoint()
        self._connection.close()

"""Checkpoints off the commit path: commits only append to the WAL; a thread of its own copies it back."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from plateledger.sqlitefile import SqliteFile
from plateledger.walcheckpoint import BackgroundCheckpointer, hand_over_checkpoints

BLOB = b"x" * 20_000  # an image crop's worth: five pages of 4 KiB


def _fill(connection: sqlite3.Connection, rows: int) -> None:
    for number in range(rows):  # a commit each, as group commits of image posts do
        connection.execute("INSERT INTO t VALUES (?, ?)", (number, BLOB))


def test_commits_leave_the_checkpoint_to_the_checkpointer(tmp_path: Path) -> None:
    path = tmp_path / "images.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)")
    hand_over_checkpoints(writer)
    checkpointer = BackgroundCheckpointer(path, interval=3600)  # it runs when told, for this test
    try:
        size = path.stat().st_size
        _fill(writer, 400)  # 2,000 pages: twice what would trigger SQLite's own checkpoint in a commit
        assert path.stat().st_size == size  # no commit copied anything into the database file
        busy, frames, copied = checkpointer.checkpoint()
        assert (busy, copied) == (0, frames) and frames > 2000
        assert path.stat().st_size > 400 * len(BLOB)
    finally:
        checkpointer.close()
        writer.close()
    check = sqlite3.connect(path)
    assert check.execute("SELECT count(*), sum(length(data)) FROM t").fetchone() == (400, 400 * len(BLOB))
    check.close()


def test_a_file_with_background_checkpoints_copies_its_wal_without_being_asked(tmp_path: Path) -> None:
    path = tmp_path / "records.db"
    database = SqliteFile(path, lambda c: c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)"),
                          background_checkpoints=True)  # fmt: skip
    try:
        for number in range(300):
            with database.write() as connection:
                connection.execute("INSERT INTO t VALUES (?, ?)", (number, BLOB))
        deadline = time.monotonic() + 10  # the thread checkpoints every CHECKPOINT_SECONDS
        while path.stat().st_size < 300 * len(BLOB) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size > 300 * len(BLOB)
    finally:
        database.close()

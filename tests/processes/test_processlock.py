"""ProcessLock: what server workers on one data directory take turns on (writes, feed imports, Frigate)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from plateledger.processlock import ProcessLock
from plateledger.sqlitefile import SqliteFile, writer_lock


def test_two_locks_on_one_path_exclude_each_other(tmp_path: Path) -> None:
    first, second = ProcessLock(tmp_path / "x.lock"), ProcessLock(tmp_path / "x.lock")
    assert first.acquire(blocking=False)
    assert not second.acquire(blocking=False)
    taken = threading.Event()

    def wait_for_it() -> None:
        with second:
            taken.set()

    waiter = threading.Thread(target=wait_for_it)
    waiter.start()
    assert not taken.wait(0.2)  # a blocking acquire waits for the holder
    first.release()
    assert taken.wait(5)  # and gets it once released
    waiter.join()
    assert first.acquire(blocking=False)
    first.release()


def test_the_lock_of_a_process_that_died_is_free(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from plateledger.processlock import "
         "ProcessLock; ProcessLock(Path(sys.argv[1])).acquire(); print('held', flush=True); time.sleep(60)", str(path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        lock = ProcessLock(path)
        assert not lock.acquire(blocking=False)
        holder.kill()  # no release: the kernel drops the lock of a dead process
        holder.wait(10)
        assert lock.acquire(blocking=False)
        lock.release()
    finally:
        holder.kill()
        holder.wait(10)


def test_a_write_waits_while_another_process_writes(tmp_path: Path) -> None:
    """SqliteFile writers queue on the file's writer lock, which a writer in another process holds too."""
    database = SqliteFile(tmp_path / "small.db", lambda connection: connection.execute("CREATE TABLE t (x)"))
    other_process = writer_lock(tmp_path / "small.db")  # stands for another process's writer: its own open file
    other_process.acquire()
    done = threading.Event()

    def write() -> None:
        with database.write() as connection:
            connection.execute("INSERT INTO t VALUES (1)")
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert not done.wait(0.3)
    finally:
        other_process.release()
    assert done.wait(5)
    writer.join()
    assert database.query("SELECT x FROM t") == [(1,)]
    database.close()

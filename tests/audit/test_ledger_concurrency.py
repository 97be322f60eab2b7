"""Many writers at once: one chain, no lost or doubled entries."""

from __future__ import annotations

import threading
from pathlib import Path

from plateledger.audit import AuditLedger

from .conftest import search

THREADS = 4
PER_THREAD = 200


def run_writers(ledgers: list[AuditLedger]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def write(number: int) -> None:
        try:
            start.wait()
            target = ledgers[number % len(ledgers)]
            for index in range(PER_THREAD):
                target.record(search(user=f"writer{number}", plate=f"P{number}X{index}"))
        except BaseException as error:  # collected and asserted on below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def check(ledger: AuditLedger) -> None:
    result = ledger.verify()
    assert (result.ok, result.entries, result.head_seq) == (True, THREADS * PER_THREAD, THREADS * PER_THREAD)
    everything = ledger.entries(limit=10_000)
    assert [entry.seq for entry in everything] == list(range(1, THREADS * PER_THREAD + 1))
    for number in range(THREADS):
        mine = ledger.entries(user=f"writer{number}", limit=10_000)
        assert sorted(entry.parameters["plate"] for entry in mine) == sorted(
            f"P{number}X{index}" for index in range(PER_THREAD)
        )


def test_four_threads_share_one_ledger(ledger: AuditLedger) -> None:
    assert run_writers([ledger]) == []
    check(ledger)


def test_two_ledger_objects_on_one_file_serialise_through_sqlite(ledger_path: Path) -> None:
    """Separate connections (as separate processes would have) are serialised by BEGIN IMMEDIATE."""
    first, second = AuditLedger(ledger_path), AuditLedger(ledger_path)
    try:
        assert run_writers([first, second]) == []
        check(first)
        check(second)
    finally:
        first.close()
        second.close()

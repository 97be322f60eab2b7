"""Fixtures for the audit ledger: a file in tmp_path, a clock the test moves, and a way to tamper with the file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plateledger.audit import AuditEvent, AuditLedger, VerifyResult
from plateledger.audit.schema import TRIGGERS

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
DAY = 86_400_000


class Clock:
    """Epoch milliseconds that move only when told to (by 1 ms per reading, so entries stay ordered)."""

    def __init__(self, start: int = T0) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1
        return self.now

    def set(self, ms: int) -> None:
        self.now = ms


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / "audit.db"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(ledger_path: Path, clock: Clock) -> Iterator[AuditLedger]:
    opened = AuditLedger(ledger_path, clock=clock)
    yield opened
    opened.close()


def search(user: str = "officer1", agency: str = "ca-sfpd", plate: str = "7ABC123", **extra: object) -> AuditEvent:
    """A plain allowed plate search."""
    fields: dict[str, Any] = {"purpose": "investigation", "case_number": "24-0001", "result_count": 3, **extra}
    parameters = {"plate": plate, "region": "US-CA", "window": {"from": "2026-01-01", "to": "2026-01-02"}}
    return AuditEvent(action="search", user=user, agency=agency, parameters=parameters, **fields)


@pytest.fixture
def filled(ledger_path: Path, clock: Clock) -> Path:
    """A closed ledger file holding 10 searches (seq 1..10), ready to be tampered with."""
    with AuditLedger(ledger_path, clock=clock) as opened:
        for number in range(10):
            opened.record(search(user=f"officer{number % 3}", plate=f"PLATE{number}"))
    return ledger_path


def tamper(path: Path, *steps: str | tuple[str, tuple[Any, ...]]) -> None:
    """Edit the file directly, as someone with file access would: drop the triggers first, then run SQL.

    Each step is a statement, or a (statement, parameters) pair.
    """
    connection = sqlite3.connect(path)
    try:
        for name in TRIGGERS:
            connection.execute(f"DROP TRIGGER IF EXISTS {name}")
        for step in steps:
            statement, values = (step, ()) if isinstance(step, str) else step
            connection.execute(statement, values)
        connection.commit()
    finally:
        connection.close()


def verify_file(path: Path) -> VerifyResult:
    with AuditLedger(path, read_only=True) as opened:
        return opened.verify()

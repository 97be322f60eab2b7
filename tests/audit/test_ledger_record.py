"""Recording entries: what is stored, how it chains, what is refused, and what survives reopening."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import sqlite3
from pathlib import Path

import pytest

from plateledger.audit import ACTIONS, AuditEvent, AuditLedger, LedgerError, LedgerVersionError
from plateledger.audit.chain import GENESIS_HASH, canonical_json, iso_utc

from .conftest import T0, Clock, search

REQUIRED_ACTIONS = [
    "search",
    "login",
    "login_failed",
    "logout",
    "lockout",
    "unlock",
    "mfa_enrolled",
    "approval_requested",
    "approval_granted",
    "approval_denied",
    "role_change",
    "user_created",
    "user_disabled",
    "api_key_created",
    "api_key_rotated",
    "api_key_revoked",
    "agency_created",
    "policy_changed",
    "export",
    "image_view",
    "read_view",
    "ingest_refused",
    "camera_created",
    "audit_verify",
]


def test_entries_chain_from_genesis_and_verify(ledger: AuditLedger) -> None:
    recorded = [ledger.record(search(plate=f"P{number}")) for number in range(5)]

    assert [entry.seq for entry in recorded] == [1, 2, 3, 4, 5]
    assert recorded[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(recorded):
        assert after.prev_hash == before.entry_hash
    result = ledger.verify()
    assert (result.ok, result.entries, result.first_bad) == (True, 5, None)
    assert (result.head_seq, result.head_hash) == (5, recorded[-1].entry_hash)
    assert ledger.head() == (5, recorded[-1].entry_hash)


def test_entry_hash_is_sha256_of_canonical_json_of_every_field(ledger: AuditLedger) -> None:
    entry = ledger.record(search(justification="burglary, suspect vehicle", result_count=0))

    fields = entry.to_dict()
    digest = fields.pop("entry_hash")
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(text.encode()).hexdigest() == digest
    assert set(fields) >= {"seq", "ts_ms", "ts_iso", "user", "agency", "action", "parameters", "purpose"}
    assert set(fields) >= {"case_number", "justification", "result_count", "outcome", "reason", "prev_hash"}


def test_entry_keeps_every_field(ledger: AuditLedger, clock: Clock) -> None:
    clock.set(T0 - 1)
    event = AuditEvent(
        action="search",
        user="api:dispatch",
        agency="ca-sfpd",
        outcome="refused",
        reason="lookback of 400 days exceeds the agency's 365",
        parameters={"plate": "7ABC123", "area": {"lat": 37.77, "lon": -122.42, "radius_m": 500}},
        purpose="investigation",
        case_number="24-0042",
        justification="hit and run",
        result_count=None,
    )
    entry = ledger.record(event)

    stored = ledger.entries()[0]
    assert stored == entry
    assert stored.ts_ms == T0
    assert stored.ts_iso == "2026-01-01T00:00:00.000Z" == iso_utc(T0)
    assert stored.parameters["area"] == {"lat": 37.77, "lon": -122.42, "radius_m": 500}
    assert (stored.outcome, stored.reason, stored.result_count) == ("refused", event.reason, None)


def test_anonymous_user_is_null(ledger: AuditLedger) -> None:
    ledger.record(AuditEvent(action="login_failed", user=None, agency=None, parameters={"username": "ghost"}))
    assert ledger.entries()[0].user is None
    assert ledger.verify().ok


def test_empty_ledger_verifies(ledger: AuditLedger) -> None:
    result = ledger.verify()
    assert (result.ok, result.entries, result.head_seq, result.head_hash) == (True, 0, 0, GENESIS_HASH)


def test_entries_survive_reopening_and_the_chain_continues(ledger_path: Path, clock: Clock) -> None:
    with AuditLedger(ledger_path, clock=clock) as first:
        last = first.record(search())
    with AuditLedger(ledger_path, clock=clock) as second:
        following = second.record(search())
        assert following.seq == 2
        assert following.prev_hash == last.entry_hash
        assert second.verify().ok


def test_required_actions_are_registered_with_descriptions() -> None:
    for action in REQUIRED_ACTIONS:
        assert action in ACTIONS
    assert all(description.strip() for description in ACTIONS.values())
    with pytest.raises(TypeError):
        ACTIONS["made_up"] = "no"  # type: ignore[index]


def test_unknown_action_is_refused_and_nothing_is_written(ledger: AuditLedger) -> None:
    with pytest.raises(ValueError, match="unknown audit action"):
        ledger.record(AuditEvent(action="search_refused", user="u", agency="a"))
    assert ledger.entries() == []
    assert ledger.head()[0] == 0


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (AuditEvent(action="search", user="u", agency="a", outcome="refused"), "must say why"),
        (AuditEvent(action="search", user="u", agency="a", outcome="maybe"), "outcome"),  # type: ignore[arg-type]
        (AuditEvent(action="search", user="u", agency="a", result_count=-1), "result_count"),
        (AuditEvent(action="search", user="u", agency="a", result_count=True), "result_count"),
        (AuditEvent(action="search", user="u", agency="a", parameters={"x": {1, 2}}), "JSON"),
        (AuditEvent(action="search", user="u", agency="a", parameters={"x": math.nan}), "JSON|Out of range"),
        (AuditEvent(action="search", user="u", agency="a", parameters={1: "x"}), "string keys"),  # type: ignore[dict-item]
        (AuditEvent(action="search", user=42, agency="a"), "user"),  # type: ignore[arg-type]
    ],
)
def test_invalid_events_are_refused(ledger: AuditLedger, event: AuditEvent, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ledger.record(event)
    assert ledger.entries() == []


def test_parameters_are_copied_when_recorded(ledger: AuditLedger) -> None:
    parameters = {"plate": "7ABC123", "window": {"days": 7}}
    entry = ledger.record(AuditEvent(action="search", user="u", agency="a", parameters=parameters))
    parameters["window"]["days"] = 900
    assert entry.parameters["window"]["days"] == 7
    assert ledger.entries()[0].parameters["window"]["days"] == 7
    assert ledger.verify().ok


def test_sqlite_refuses_update_and_delete_while_triggers_stand(ledger: AuditLedger, ledger_path: Path) -> None:
    ledger.record(search())
    ledger.record(search())
    connection = sqlite3.connect(ledger_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("UPDATE entries SET user = 'someone else' WHERE seq = 1")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("DELETE FROM entries WHERE seq = 2")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("INSERT INTO entries SELECT * FROM entries WHERE seq = 1")
        with pytest.raises(sqlite3.IntegrityError, match="head"):
            connection.execute("UPDATE head SET last_seq = 1")
        with pytest.raises(sqlite3.IntegrityError, match="head"):
            connection.execute("DELETE FROM head")
    finally:
        connection.close()
    assert ledger.verify().ok


def test_schema_is_versioned_wal_and_durable(ledger: AuditLedger, ledger_path: Path) -> None:
    connection = sqlite3.connect(ledger_path)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        connection.execute("PRAGMA user_version = 99")
    finally:
        connection.close()
    assert ledger._writer is not None
    assert ledger._writer.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with pytest.raises(LedgerVersionError):
        AuditLedger(ledger_path)


def test_retention_cannot_be_set_below_a_year(ledger_path: Path) -> None:
    with pytest.raises(ValueError, match="365"):
        AuditLedger(ledger_path, retention_days=90)
    with AuditLedger(ledger_path, retention_days=2555) as opened:
        assert opened.retention_days == 2555
    assert not hasattr(AuditLedger, "purge_older_than")


def test_read_only_ledger_refuses_to_record(filled: Path, tmp_path: Path) -> None:
    with AuditLedger(filled, read_only=True) as opened:
        assert opened.verify().ok
        with pytest.raises(LedgerError, match="read-only"):
            opened.record(search())
    with pytest.raises(FileNotFoundError):
        AuditLedger(tmp_path / "absent.db", read_only=True)
    assert not (tmp_path / "absent.db").exists()


def test_canonical_json_is_independent_of_key_order() -> None:
    assert canonical_json({"b": 1, "a": [1, {"d": 2, "c": 3}]}) == '{"a":[1,{"c":3,"d":2}],"b":1}'
    assert canonical_json({"plate": "ÄB1"}) == '{"plate":"ÄB1"}'

"""Listing entries by filter, and exporting them as CSV and JSON Lines."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

from plateledger.audit import AuditEvent, AuditLedger
from plateledger.audit import export as exporting
from plateledger.audit.chain import GENESIS_HASH, canonical_json
from plateledger.audit.export import CSV_COLUMNS

from .conftest import DAY, T0, Clock, search


@pytest.fixture
def mixed(ledger: AuditLedger, clock: Clock) -> AuditLedger:
    """Seven entries over three days by three users of two agencies."""
    clock.set(T0)
    ledger.record(search(user="alice", plate="7ABC123", case_number="24-0001"))  # 1, day 0
    ledger.record(search(user="bob", plate="5SOW350", case_number="24-0002"))  # 2
    ledger.record(AuditEvent(action="login", user="alice", agency="ca-sfpd"))  # 3
    clock.set(T0 + DAY)
    ledger.record(search(user="alice", plate="7abc-123", case_number="24-0003", result_count=0))  # 4, day 1
    ledger.record(search(user="carol", agency="ca-oakpd", plate="7ABC123", case_number="24-0001"))  # 5
    clock.set(T0 + 2 * DAY)
    ledger.record(AuditEvent(action="search", user="bob", agency="ca-sfpd", outcome="refused", reason="no case"))  # 6
    ledger.record(AuditEvent(action="image_view", user="bob", agency="ca-sfpd", parameters={"read": "r-1"}))  # 7
    return ledger


def seqs(entries: list) -> list[int]:
    return [entry.seq for entry in entries]


def test_filters_narrow_the_listing(mixed: AuditLedger) -> None:
    assert seqs(mixed.entries()) == [1, 2, 3, 4, 5, 6, 7]
    assert seqs(mixed.entries(user="alice")) == [1, 3, 4]
    assert seqs(mixed.entries(agency="ca-oakpd")) == [5]
    assert seqs(mixed.entries(plate="7ABC123")) == [1, 4, 5]
    assert seqs(mixed.entries(plate="7abc 123")) == [1, 4, 5]
    assert seqs(mixed.entries(plate="5SOW350")) == [2]
    assert seqs(mixed.entries(case_number="24-0001")) == [1, 5]
    assert seqs(mixed.entries(action="search")) == [1, 2, 4, 5, 6]
    assert seqs(mixed.entries(since_ms=T0 + DAY)) == [4, 5, 6, 7]
    assert seqs(mixed.entries(until_ms=T0 + DAY)) == [1, 2, 3]
    assert seqs(mixed.entries(since_ms=T0 + DAY, until_ms=T0 + 2 * DAY)) == [4, 5]
    assert seqs(mixed.entries(user="alice", plate="7ABC123", since_ms=T0 + DAY)) == [4]
    assert mixed.entries(user="nobody") == []


def test_paging_with_limit_and_after_seq(mixed: AuditLedger) -> None:
    assert seqs(mixed.entries(limit=3)) == [1, 2, 3]
    assert seqs(mixed.entries(limit=3, after_seq=3)) == [4, 5, 6]
    assert seqs(mixed.entries(action="search", after_seq=4)) == [5, 6]
    assert mixed.entries(limit=0) == []
    with pytest.raises(ValueError):
        mixed.entries(limit=-1)


def test_plate_column_is_indexed(mixed: AuditLedger) -> None:
    plan = mixed._reader.execute(
        "EXPLAIN QUERY PLAN SELECT seq FROM entries WHERE seq > 0 AND plate = ? ORDER BY seq", ("X",)
    ).fetchall()
    assert any("entries_by_plate" in row[-1] for row in plan)
    plan = mixed._reader.execute(
        "EXPLAIN QUERY PLAN SELECT seq FROM entries WHERE seq > 0 AND case_number = ? ORDER BY seq", ("X",)
    ).fetchall()
    assert any("entries_by_case" in row[-1] for row in plan)


def test_csv_export_contains_the_filtered_entries(mixed: AuditLedger) -> None:
    out = io.StringIO()
    written = mixed.export(out, "csv", plate="7ABC123")

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert written == 3
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row["seq"] for row in rows] == ["1", "4", "5"]
    assert [row["user"] for row in rows] == ["alice", "alice", "carol"]
    assert rows[1]["result_count"] == "0"
    assert rows[1]["case_number"] == "24-0003"
    assert json.loads(rows[1]["parameters"])["plate"] == "7abc-123"
    assert rows[0]["prev_hash"] == GENESIS_HASH
    assert rows[0]["ts_iso"] == "2026-01-01T00:00:00.001Z"


def test_csv_export_neutralises_spreadsheet_formulas(ledger: AuditLedger) -> None:
    ledger.record(search(justification='=HYPERLINK("http://evil","click")'))
    out = io.StringIO()
    ledger.export(out, "csv")
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["justification"] == '\'=HYPERLINK("http://evil","click")'
    assert row["user"] == "officer1"


def test_jsonl_export_lets_anyone_recompute_every_hash(mixed: AuditLedger) -> None:
    out = io.StringIO()
    written = mixed.export(out, "jsonl")

    lines = out.getvalue().splitlines()
    assert written == len(lines) == 7
    previous = GENESIS_HASH
    for line in lines:
        fields = json.loads(line)
        assert canonical_json(fields) == line
        digest = fields.pop("entry_hash")
        assert hashlib.sha256(canonical_json(fields).encode()).hexdigest() == digest
        assert fields["prev_hash"] == previous
        previous = digest
    refused = json.loads(lines[5])
    assert (refused["outcome"], refused["reason"], refused["user"]) == ("refused", "no case", "bob")


def test_jsonl_export_filters_by_user_and_time(mixed: AuditLedger) -> None:
    out = io.StringIO()
    assert mixed.export(out, "jsonl", user="bob", since_ms=T0 + DAY) == 2
    assert [json.loads(line)["seq"] for line in out.getvalue().splitlines()] == [6, 7]


def test_export_pages_through_large_results_and_honours_a_cap(
    mixed: AuditLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exporting, "PAGE", 2)
    out = io.StringIO()
    assert mixed.export(out, "jsonl") == 7
    assert [json.loads(line)["seq"] for line in out.getvalue().splitlines()] == [1, 2, 3, 4, 5, 6, 7]
    capped = io.StringIO()
    assert mixed.export(capped, "jsonl", limit=3, action="search") == 3
    assert [json.loads(line)["seq"] for line in capped.getvalue().splitlines()] == [1, 2, 4]


def test_export_refuses_unknown_formats(mixed: AuditLedger) -> None:
    with pytest.raises(ValueError, match="format"):
        mixed.export(io.StringIO(), "xml")  # type: ignore[arg-type]

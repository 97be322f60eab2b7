"""`plateledger audit verify|export` through Typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from plateledger.audit import AuditLedger
from plateledger.audit.cli import audit_app

from .conftest import T0, tamper

runner = CliRunner()


def test_verify_exits_0_on_an_intact_ledger(filled: Path) -> None:
    result = runner.invoke(audit_app, ["verify", "--ledger", str(filled)])
    assert result.exit_code == 0, result.output
    assert "intact: 10 entries" in result.output


def test_verify_exits_1_naming_the_first_bad_entry(filled: Path) -> None:
    tamper(filled, "UPDATE entries SET justification = 'ADMINISTRATIVE' WHERE seq = 5")
    result = runner.invoke(audit_app, ["verify", "--ledger", str(filled)])
    assert result.exit_code == 1
    assert "first bad entry 5" in result.output
    assert "hash mismatch" in result.output


def test_verify_does_not_change_the_file(filled: Path) -> None:
    tamper(filled, "DELETE FROM entries WHERE seq = 7")
    before = filled.read_bytes()
    result = runner.invoke(audit_app, ["verify", "--ledger", str(filled)])
    assert result.exit_code == 1
    assert "first bad entry 7" in result.output
    assert filled.read_bytes() == before


def test_verify_exits_2_without_a_ledger(tmp_path: Path) -> None:
    result = runner.invoke(audit_app, ["verify", "--ledger", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert not (tmp_path / "none.db").exists()


def test_verify_checks_a_published_anchor(filled: Path) -> None:
    with AuditLedger(filled, read_only=True) as opened:
        seq, digest = opened.head()
    good = runner.invoke(audit_app, ["verify", "--ledger", str(filled), "--anchor", f"{seq}:{digest}"])
    bad = runner.invoke(audit_app, ["verify", "--ledger", str(filled), "--anchor", f"{seq}:{'f' * 64}"])
    assert (good.exit_code, bad.exit_code) == (0, 1)
    assert "anchor mismatch" in bad.output


def test_export_csv_to_a_file_is_itself_audited(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    result = runner.invoke(
        audit_app,
        ["export", "--ledger", str(filled), "--format", "csv", "--user", "officer1", "--out", str(out), "--by", "sup"],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [row["seq"] for row in rows] == ["2", "5", "8"]
    assert {row["user"] for row in rows} == {"officer1"}
    with AuditLedger(filled, read_only=True) as opened:
        [entry] = opened.entries(action="export")
        assert opened.verify().ok
    assert (entry.seq, entry.user, entry.result_count) == (11, "sup", 3)
    assert entry.parameters["filters"] == {"user": "officer1"}
    assert entry.parameters["format"] == "csv"


def test_export_jsonl_to_stdout_with_plate_and_time_filters(filled: Path) -> None:
    since = "2026-01-01T00:00:00.003Z"  # the fixture's clock stamps entry n at T0 + n ms
    result = runner.invoke(
        audit_app, ["export", "--ledger", str(filled), "--format", "jsonl", "--since", since, "--until", str(T0 + 8)]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert [json.loads(line)["seq"] for line in lines] == [3, 4, 5, 6, 7]
    plate = runner.invoke(audit_app, ["export", "--ledger", str(filled), "--format", "jsonl", "--plate", "plate-4"])
    assert [json.loads(line)["seq"] for line in plate.stdout.splitlines() if line.startswith("{")] == [5]


def test_export_rejects_a_bad_time_and_a_bad_format(filled: Path) -> None:
    bad_time = runner.invoke(audit_app, ["export", "--ledger", str(filled), "--format", "csv", "--since", "yesterday"])
    bad_format = runner.invoke(audit_app, ["export", "--ledger", str(filled), "--format", "xml"])
    assert bad_time.exit_code == 2
    assert bad_format.exit_code == 2


def test_the_audit_commands_are_registered_on_the_main_cli(filled: Path) -> None:
    from plateledger.cli import app

    result = runner.invoke(app, ["audit", "verify", "--ledger", str(filled)])
    assert result.exit_code == 0, result.output
    assert "intact: 10 entries" in result.output

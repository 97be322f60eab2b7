"""`plateledger audit ...`: verify the ledger's chain and export its entries from the command line."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from plateledger.audit.ledger import AuditLedger
from plateledger.audit.types import AuditEvent

audit_app = typer.Typer(help="The audit ledger: verify its hash chain, export its entries.", no_args_is_help=True)

LedgerOption = Annotated[Path, typer.Option("--ledger", help="The audit ledger SQLite file.")]


class ExportFormat(StrEnum):
    """The export formats."""

    csv = "csv"
    jsonl = "jsonl"


@audit_app.command()
def verify(
    ledger: LedgerOption,
    anchor: Annotated[
        str | None, typer.Option(help="A published head, SEQ:HASH, that the ledger must still contain.")
    ] = None,
) -> None:
    """Walk the hash chain. Exit 0 when intact, 1 naming the first bad entry, 2 when there is no ledger.

    The file is opened read-only: checking a ledger never changes it, so a damaged one stays as evidence.
    """
    if not ledger.exists():
        typer.echo(f"no audit ledger at {ledger}", err=True)
        raise typer.Exit(2)
    with AuditLedger(ledger, read_only=True) as opened:
        result = opened.verify(anchor=_parse_anchor(anchor) if anchor else None)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if result.ok:
        typer.echo(f"intact: {result.entries} entries; head {result.head_seq} {result.head_hash}")
        return
    typer.echo(f"TAMPERED: first bad entry {result.first_bad}: {result.reason}")
    raise typer.Exit(1)


@audit_app.command()
def export(
    ledger: LedgerOption,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv, or jsonl (exact, hashes recomputable).")],
    user: Annotated[str | None, typer.Option(help="Only entries by this user or API key.")] = None,
    agency: Annotated[str | None, typer.Option(help="Only entries of this agency.")] = None,
    plate: Annotated[str | None, typer.Option(help="Only entries whose parameters name this plate.")] = None,
    case: Annotated[str | None, typer.Option(help="Only entries with this case number.")] = None,
    action: Annotated[str | None, typer.Option(help="Only entries of this action.")] = None,
    since: Annotated[str | None, typer.Option(help="From this time (ISO 8601, or epoch ms), inclusive.")] = None,
    until: Annotated[str | None, typer.Option(help="Until this time (ISO 8601, or epoch ms), exclusive.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
    by: Annotated[
        str | None, typer.Option(help="Who exports, for the ledger's own record (default: local:<login>).")
    ] = None,
) -> None:
    """Export entries as CSV or JSON Lines. The export itself is recorded in the ledger as an `export` entry."""
    if not ledger.exists():
        typer.echo(f"no audit ledger at {ledger}", err=True)
        raise typer.Exit(2)
    filters: dict[str, Any] = {
        "user": user,
        "agency": agency,
        "plate": plate,
        "case_number": case,
        "action": action,
        "since_ms": _parse_time(since) if since else None,
        "until_ms": _parse_time(until) if until else None,
    }
    filters = {key: value for key, value in filters.items() if value is not None}
    with AuditLedger(ledger) as opened:
        if out is None:
            rows = opened.export(sys.stdout, fmt.value, **filters)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                rows = opened.export(handle, fmt.value, **filters)
        opened.record(
            AuditEvent(
                action="export",
                user=by or f"local:{_login()}",
                agency=agency,
                parameters={"format": fmt.value, "filters": filters, "out": str(out) if out else "-"},
                result_count=rows,
            )
        )
    typer.echo(f"exported {rows} entries", err=True)


def _parse_time(text: str) -> int:
    """Epoch milliseconds from digits, or from ISO 8601 (a time without an offset is taken as UTC)."""
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter(f"not a time: {text!r} (use ISO 8601 or epoch milliseconds)") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _parse_anchor(text: str) -> tuple[int, str]:
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise typer.BadParameter("anchor must be SEQ:HASH (a sequence number and a 64-digit SHA-256)")
    return int(seq), digest.lower()


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"

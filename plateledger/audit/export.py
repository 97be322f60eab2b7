"""Writing entries out: CSV for spreadsheets, JSON Lines for exact, independently verifiable copies."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any, Literal, TextIO

from plateledger.audit.chain import canonical_json
from plateledger.audit.types import AuditEntry

CSV_COLUMNS: tuple[str, ...] = (
    "seq",
    "ts_ms",
    "ts_iso",
    "user",
    "agency",
    "action",
    "outcome",
    "reason",
    "purpose",
    "case_number",
    "justification",
    "result_count",
    "parameters",
    "prev_hash",
    "entry_hash",
    "version",
)

PAGE = 1000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write(
    list_entries: Callable[..., list[AuditEntry]], out: TextIO, fmt: Literal["csv", "jsonl"], **filters: Any
) -> int:
    """Page through ``list_entries(**filters)`` and write every entry to ``out``; return the number written."""
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"export format must be 'csv' or 'jsonl', not {fmt!r}")
    cap: int | None = filters.pop("limit", None)
    after = int(filters.pop("after_seq", 0))
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(CSV_COLUMNS)
    written = 0
    while cap is None or written < cap:
        page = PAGE if cap is None else min(PAGE, cap - written)
        batch = list_entries(after_seq=after, limit=page, **filters)
        for entry in batch:
            if writer is not None:
                writer.writerow(csv_row(entry))
            else:
                out.write(canonical_json(entry.to_dict()) + "\n")
        written += len(batch)
        if len(batch) < page:
            break
        after = batch[-1].seq
    return written


def csv_row(entry: AuditEntry) -> list[str | int]:
    """One CSV row. Free text that a spreadsheet would run as a formula is prefixed with an apostrophe;
    the JSONL export is the exact copy to recompute hashes from."""
    values = entry.to_dict()
    row: list[str | int] = []
    for column in CSV_COLUMNS:
        value = values[column]
        if column == "parameters":
            row.append(canonical_json(value))
        elif value is None:
            row.append("")
        elif isinstance(value, str) and value.startswith(_FORMULA_START):
            row.append("'" + value)
        else:
            row.append(value)
    return row

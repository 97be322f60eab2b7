"""AuditLedger: append entries, verify the chain, list, export and review them.

Retention: the ledger lives in its own file and is never purged with reads. No pruning is provided at all: every
entry is kept at least ``retention_days`` (365 or more) and, since a pruned prefix would need a signed checkpoint
to keep the chain verifiable, removing old entries is left to a later, deliberate design.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TextIO

from plateledger.audit import anomalies as anomaly_rules
from plateledger.audit import export as exporting
from plateledger.audit import queries, schema
from plateledger.audit.actions import check_action
from plateledger.audit.chain import ENTRY_VERSION, GENESIS_HASH, canonical_json, entry_hash, iso_utc, walk
from plateledger.audit.types import OUTCOMES, Anomaly, AuditEntry, AuditEvent, VerifyResult

MIN_RETENTION_DAYS = 365


class LedgerError(RuntimeError):
    """The ledger cannot append (its head record is gone, or it was opened read-only)."""


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class AuditLedger:
    """An append-only, hash-chained ledger of every access, in its own SQLite file.

    One lock serialises writers in this process; ``BEGIN IMMEDIATE`` serialises writers across processes. Reads
    use a second connection (verify() a short-lived third), so reading never waits for an append's fsync.
    ``clock`` (epoch milliseconds) exists for tests and replays; production uses the system clock.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        retention_days: int = MIN_RETENTION_DAYS,
        read_only: bool = False,
        clock: Callable[[], int] | None = None,
    ) -> None:
        if retention_days < MIN_RETENTION_DAYS:
            raise ValueError(f"audit retention must be at least {MIN_RETENTION_DAYS} days, not {retention_days}")
        self.path = Path(path)
        self.retention_days = retention_days
        self.read_only = read_only
        self._clock: Callable[[], int] = clock if clock is not None else _now_ms
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None
        if read_only:
            if not self.path.exists():
                raise FileNotFoundError(f"no audit ledger at {self.path}")
            self._reader = schema.connect(self.path, read_only=True)
            schema.check_version(self._reader)
        else:
            self._writer = schema.connect(self.path)
            schema.migrate(self._writer)
            self._reader = schema.connect(self.path)
            self._reader.execute("PRAGMA query_only = ON")

    # -- appending ---------------------------------------------------------------------------------------------

    def record(self, event: AuditEvent) -> AuditEntry:
        """Append ``event`` as the next entry; the entry is on disk (fsynced) when this returns."""
        parameters = _validate(event)
        if self._writer is None:
            raise LedgerError("this audit ledger was opened read-only")
        with self._write_lock:
            writer = self._writer
            writer.execute("BEGIN IMMEDIATE")
            try:
                head = queries.read_head(writer)
                if head is None:
                    raise LedgerError("the audit head record is missing; refusing to append to an unverifiable chain")
                ts_ms = int(self._clock())
                entry = AuditEntry(
                    seq=head[0] + 1,
                    ts_ms=ts_ms,
                    ts_iso=iso_utc(ts_ms),
                    user=event.user,
                    agency=event.agency,
                    action=event.action,
                    parameters=parameters,
                    purpose=event.purpose,
                    case_number=event.case_number,
                    justification=event.justification,
                    result_count=event.result_count,
                    outcome=event.outcome,
                    reason=event.reason,
                    prev_hash=head[1],
                    entry_hash="",
                    version=ENTRY_VERSION,
                )
                entry = replace(entry, entry_hash=entry_hash(entry))
                writer.execute(queries.INSERT_ENTRY, queries.insert_values(entry))
                writer.execute(queries.ADVANCE_HEAD, (entry.seq, entry.entry_hash))
                writer.execute("COMMIT")
            except BaseException:
                writer.execute("ROLLBACK")
                raise
        return entry

    # -- checking ----------------------------------------------------------------------------------------------

    def verify(self, *, anchor: tuple[int, str] | None = None) -> VerifyResult:
        """Walk the whole chain in one consistent snapshot; name the first bad entry and why.

        ``anchor`` is a (seq, hash) pair published earlier (see ``head()``), for example on the transparency page.
        Someone able to rewrite the file could recompute the whole chain and the head; an anchor kept elsewhere
        catches that too.
        """
        reader = schema.connect(self.path, read_only=True)  # its own snapshot: listing is not held up meanwhile
        try:
            reader.execute("BEGIN")
            head = queries.read_head(reader)

            def locate(digest: str) -> int | None:
                return 0 if digest == GENESIS_HASH else queries.seq_of_hash(reader, digest)

            result = walk(queries.stream_all(reader), locate, head)
            missing = schema.missing_triggers(reader)
            anchored = None
            if anchor is not None and anchor[0] > 0:
                found = queries.select_entries(reader, queries.EntryFilter(after_seq=anchor[0] - 1), 1)
                anchored = found[0].entry_hash if found and found[0].seq == anchor[0] else None
            elif anchor is not None:
                anchored = GENESIS_HASH
            reader.execute("COMMIT")
        finally:
            reader.close()
        if missing:
            result = replace(result, warnings=(*result.warnings, f"append-only triggers missing: {', '.join(missing)}"))
        if anchor is not None and result.ok and anchored != anchor[1]:
            seq = anchor[0]
            return replace(
                result,
                ok=False,
                first_bad=max(seq, 1),
                entries=max(seq - 1, 0),
                reason=f"anchor mismatch: entry {seq} no longer carries the published hash (chain rewritten)",
            )
        return result

    def head(self) -> tuple[int, str]:
        """(last seq, last hash): publish it elsewhere and pass it back to ``verify(anchor=...)`` later."""
        with self._read_lock:
            head = queries.read_head(self._reader)
        if head is None:
            raise LedgerError("the audit head record is missing")
        return head

    # -- reading -----------------------------------------------------------------------------------------------

    def entries(
        self,
        *,
        user: str | None = None,
        agency: str | None = None,
        plate: str | None = None,
        case_number: str | None = None,
        action: str | None = None,
        since_ms: int | None = None,
        until_ms: int | None = None,
        limit: int = 1000,
        after_seq: int = 0,
    ) -> list[AuditEntry]:
        """Entries matching every given filter, ascending by sequence number; page with ``after_seq``.

        ``since_ms`` is inclusive and ``until_ms`` exclusive; ``plate`` matches ``parameters["plate"]`` after
        upper-casing and dropping spaces, hyphens and dots.
        """
        if limit < 0:
            raise ValueError("limit must not be negative")
        where = queries.EntryFilter(user, agency, plate, case_number, action, since_ms, until_ms, after_seq)
        with self._read_lock:
            return queries.select_entries(self._reader, where, limit)

    def export(self, out: TextIO, fmt: Literal["csv", "jsonl"], **filters: Any) -> int:
        """Write the matching entries to ``out`` as CSV or JSON Lines; return how many rows were written.

        ``filters`` are those of ``entries()``; ``limit`` there caps the whole export (default: no cap). JSONL
        lines are the canonical JSON of each entry, so anyone can recompute every hash from the export alone.
        Exporting is a read: the caller records the ``export`` action, since only it knows who asked.
        """
        return exporting.write(self.entries, out, fmt, **filters)

    def anomalies(
        self,
        agency: str | None = None,
        *,
        now_ms: int | None = None,
        other_agencies: Mapping[str, str] | Iterable[str] | None = None,
    ) -> list[Anomaly]:
        """Patterns for a supervisor to review among the searches of the last 30 days (see ``anomalies.py``).

        ``agency`` limits the review to one agency's users. ``other_agencies`` are the agencies a justification
        must not name: a mapping of agency id to display name, or plain ids/names. The searcher's own agency is
        never counted as "other".
        """
        now = int(self._clock()) if now_ms is None else now_ms
        with self._read_lock:
            return anomaly_rules.find(self._reader, agency=agency, now_ms=now, other_agencies=other_agencies)

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close both connections; the ledger object cannot be used afterwards. Closing twice is harmless."""
        with self._write_lock, self._read_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            self._reader.close()

    def __enter__(self) -> AuditLedger:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _validate(event: AuditEvent) -> dict[str, Any]:
    """Check an event before anything is written; return its parameters as plain JSON (a deep copy)."""
    check_action(event.action)
    if event.outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {event.outcome!r}")
    if not isinstance(event.reason, str):
        raise ValueError("reason must be a string")
    if event.outcome == "refused" and not event.reason.strip():
        raise ValueError("a refused event must say why (reason)")
    for name in ("user", "agency", "purpose", "case_number", "justification"):
        value = getattr(event, name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be a string or None")
    count = event.result_count
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise ValueError("result_count must be a non-negative integer or None")
    if not isinstance(event.parameters, dict) or not all(isinstance(key, str) for key in event.parameters):
        raise ValueError("parameters must be a JSON object with string keys")
    return json.loads(canonical_json(event.parameters))

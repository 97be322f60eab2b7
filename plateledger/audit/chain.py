"""The hash chain: canonical encoding, entry hashes, and the walk that finds the first bad entry.

Each entry's hash is SHA-256 over the canonical JSON (sorted keys, no whitespace, UTF-8) of every field of the
entry, ``prev_hash`` included, so an entry commits to the whole history before it. The first entry chains to
``GENESIS_HASH``. The walk below is pure (no SQL), so every tamper case can be reasoned about on its own.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from plateledger.audit.types import AuditEntry, VerifyResult

GENESIS_HASH = "0" * 64
"""What entry 1 chains to."""

ENTRY_VERSION = 1
"""The version of the hashed field set; stored and hashed in every entry so a later change cannot drop fields."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PLATE_NOISE = re.compile(r"[\s\-.·]")


def canonical_json(value: Any) -> str:
    """One byte-exact JSON text per value: sorted keys, no whitespace, no NaN/Infinity.

    Raises ValueError when the value is not plain JSON (sets, objects, NaN, non-string keys ...).
    """
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except TypeError as error:
        raise ValueError(f"not JSON-serialisable: {error}") from error


def hash_fields(fields: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of an entry's hashed fields."""
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def entry_hash(entry: AuditEntry) -> str:
    """The hash an entry must carry, recomputed from its fields."""
    return hash_fields(entry.hashed_fields())


def iso_utc(ts_ms: int) -> str:
    """Epoch milliseconds as ISO 8601 UTC with millisecond precision ("2024-05-01T12:00:00.123Z")."""
    moment = _EPOCH + timedelta(milliseconds=ts_ms)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def plate_key(value: object) -> str | None:
    """The indexed plate column for ``parameters["plate"]``: upper case, spaces/hyphens/dots dropped.

    Wildcard characters are kept, so a partial-plate search ("AB*12") stays distinct from an exact one.
    Anything but a non-empty string has no key.
    """
    if not isinstance(value, str):
        return None
    key = _PLATE_NOISE.sub("", value.upper())
    return key or None


@dataclass(frozen=True)
class StoredEntry:
    """One row as read back from storage, before trusting anything in it."""

    entry: AuditEntry
    plate_column: str | None
    damage: str = ""  # set when a stored value could not even be decoded (e.g. parameters not JSON)


def walk(
    rows: Iterable[StoredEntry],
    seq_of_hash: Callable[[str], int | None],
    head: tuple[int, str] | None,
) -> VerifyResult:
    """Check ``rows`` (in ascending ``seq`` order) against each other and against the head record.

    ``seq_of_hash`` finds which stored entry carries a given hash (0 for the genesis value); it only serves to
    explain a broken link (inserted entry, or entries out of order). ``first_bad`` is the earliest entry that
    can no longer be vouched for: the missing one for a gap, the inserted one for an insertion.
    """
    expected = 1
    prev_hash = GENESIS_HASH
    for row in rows:
        entry = row.entry
        problem = _check_row(row, expected, prev_hash, seq_of_hash)
        if problem is not None:
            return VerifyResult(ok=False, entries=expected - 1, first_bad=problem[0], reason=problem[1])
        prev_hash = entry.entry_hash
        expected += 1
    return _check_head(expected - 1, prev_hash, head)


def _check_row(
    row: StoredEntry, expected: int, prev_hash: str, seq_of_hash: Callable[[str], int | None]
) -> tuple[int, str] | None:
    entry = row.entry
    seq = entry.seq
    if not isinstance(seq, int) or seq < expected:
        return expected, f"sequence out of order: entry {seq!r} appears where entry {expected} belongs"
    if seq > expected:
        before = f"entry {expected - 1}" if expected > 1 else "the genesis value"
        return expected, f"sequence gap: entry {expected} is missing ({before} is followed by entry {seq})"
    if row.damage:
        return seq, f"hash mismatch: entry {seq} is damaged ({row.damage})"
    if entry.prev_hash != prev_hash:
        return _explain_broken_link(entry, seq_of_hash)
    if entry_hash(entry) != entry.entry_hash:
        return seq, f"hash mismatch: entry {seq}'s contents do not match its hash (changed after it was written)"
    if row.plate_column != plate_key(entry.parameters.get("plate")):
        return seq, f"index column mismatch: entry {seq}'s plate column does not match its parameters"
    return None


def _explain_broken_link(entry: AuditEntry, seq_of_hash: Callable[[str], int | None]) -> tuple[int, str]:
    seq = entry.seq
    source = seq_of_hash(entry.prev_hash) if isinstance(entry.prev_hash, str) else None
    if source is not None and source >= seq:
        return seq, f"sequence out of order: entry {seq} chains from entry {source}, which comes after it"
    if source is not None:
        first = source + 1
        span = f"entry {first}" if first == seq - 1 else f"entries {first}..{seq - 1}"
        return first, (
            f"chain broken: entry {seq} chains from entry {source}, not from entry {seq - 1}; "
            f"{span} were inserted or rewritten"
        )
    if entry_hash(entry) != entry.entry_hash or seq == 1:
        return seq, f"chain broken: entry {seq} does not chain from the entry before it and its own hash fails"
    return seq - 1, (
        f"chain broken: entry {seq} does not chain from entry {seq - 1}; "
        f"entry {seq - 1} (or {seq}) was rewritten with a recomputed hash"
    )


def _check_head(last_seq: int, last_hash: str, head: tuple[int, str] | None) -> VerifyResult:
    def bad(first_bad: int | None, reason: str) -> VerifyResult:
        good = min(last_seq, first_bad - 1) if first_bad is not None else last_seq
        return VerifyResult(False, max(good, 0), first_bad, reason, head[0] if head else 0, head[1] if head else "")

    if head is None:
        return bad(None, "head record missing: cannot tell whether entries were removed from the end")
    head_seq, head_hash = head
    if head_seq > last_seq:
        return bad(
            last_seq + 1,
            f"truncated: the head record says the ledger ends at entry {head_seq}, but the last entry is {last_seq}",
        )
    if head_seq < last_seq:
        return bad(head_seq + 1, f"entries {head_seq + 1}..{last_seq} were added without updating the head record")
    if head_hash != last_hash:
        return bad(
            last_seq or None, f"head record mismatch: its hash is not entry {last_seq}'s (the tail was replaced)"
        )
    return VerifyResult(True, last_seq, None, f"intact: {last_seq} entries", head_seq, head_hash)

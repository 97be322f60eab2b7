"""The ledger's value types: what a caller records, what is stored, what verification and review report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal["allowed", "refused"]
OUTCOMES: tuple[str, ...] = ("allowed", "refused")


@dataclass(frozen=True)
class AuditEvent:
    """What a caller records: one action by one principal, with everything needed to judge it later.

    ``user`` is the username or API key name (None for an anonymous caller); ``parameters`` is the full request
    (plate, region, area, window ...) as a JSON object; a refused event must say why in ``reason``.
    """

    action: str
    user: str | None
    agency: str | None
    outcome: Outcome = "allowed"
    reason: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    purpose: str | None = None
    case_number: str | None = None
    justification: str | None = None
    result_count: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One stored, chained entry. ``entry_hash`` is SHA-256 over the canonical JSON of every other field."""

    seq: int
    ts_ms: int
    ts_iso: str
    user: str | None
    agency: str | None
    action: str
    parameters: dict[str, Any]
    purpose: str | None
    case_number: str | None
    justification: str | None
    result_count: int | None
    outcome: str
    reason: str
    prev_hash: str
    entry_hash: str
    version: int = 1

    def hashed_fields(self) -> dict[str, Any]:
        """Every field that the entry hash covers (all but the hash itself), keyed by its stable name."""
        return {
            "version": self.version,
            "seq": self.seq,
            "ts_ms": self.ts_ms,
            "ts_iso": self.ts_iso,
            "user": self.user,
            "agency": self.agency,
            "action": self.action,
            "parameters": self.parameters,
            "purpose": self.purpose,
            "case_number": self.case_number,
            "justification": self.justification,
            "result_count": self.result_count,
            "outcome": self.outcome,
            "reason": self.reason,
            "prev_hash": self.prev_hash,
        }

    def to_dict(self) -> dict[str, Any]:
        """The entry as a JSON object, hash included (the JSONL export line)."""
        return {**self.hashed_fields(), "entry_hash": self.entry_hash}


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of walking the chain.

    ``entries`` counts the entries found intact (all of them when ``ok``). When not ok, ``first_bad`` is the
    sequence number of the first entry that is wrong or missing and ``reason`` says why in words. ``warnings``
    lists things that do not break the chain but deserve a look (append-only triggers dropped, for example).
    """

    ok: bool
    entries: int
    first_bad: int | None
    reason: str
    head_seq: int = 0
    head_hash: str = ""
    warnings: tuple[str, ...] = ()


AnomalyKind = Literal["repeated_no_hit", "volume_spike", "on_behalf_of_other_agency"]


@dataclass(frozen=True)
class Anomaly:
    """A pattern a supervisor should look at; a flag for a human, never a verdict."""

    kind: AnomalyKind
    user: str | None
    agency: str | None
    detail: str
    seqs: tuple[int, ...]

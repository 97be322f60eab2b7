"""Approvals: a supervisor of the requester's agency allows one exact search for a limited time.

An approval is bound to the binding hash of the search it covers (see query.py): the same search may be run
with it (and paged through) until it expires; any other search is refused. Nobody approves their own request.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from plateledger.access.clock import Clock
from plateledger.access.db import AccessDatabase
from plateledger.access.principal import Principal
from plateledger.access.recorder import Recorder, record
from plateledger.policy.actions import authorize
from plateledger.policy.decision import Decision, Refused
from plateledger.policy.query import SearchQuery, iso

Status = Literal["pending", "granted", "denied", "expired"]
_COLUMNS = (
    "id, agency_id, requester, request, request_hash, kind, purpose, case_number, status, created_ms, expires_ms, "
    "decided_by, decided_ms, reasons, note"
)


@dataclass(frozen=True, slots=True)
class Approval:
    id: str
    agency_id: str
    requester: str
    request: dict[str, Any]
    request_hash: str
    kind: str
    purpose: str | None
    case_number: str | None
    stored_status: str
    created_ms: int
    expires_ms: int
    decided_by: str | None
    decided_ms: int | None
    reasons: str | None
    note: str | None

    def status(self, now_ms: int) -> Status:
        if self.stored_status == "denied":
            return "denied"
        if now_ms >= self.expires_ms:
            return "expired"
        return "granted" if self.stored_status == "granted" else "pending"


def _approval(row: tuple) -> Approval:  # type: ignore[type-arg]
    values = list(row)
    values[3] = json.loads(values[3])
    return Approval(*values)


class Approvals:
    def __init__(self, db: AccessDatabase, clock: Clock, ledger: Recorder, lifetime_seconds: int) -> None:
        self.db = db
        self.clock = clock
        self.ledger = ledger
        self.lifetime_ms = lifetime_seconds * 1000

    def get(self, approval_id: str) -> Approval | None:
        with self.db.read() as connection:
            row = connection.execute(f"SELECT {_COLUMNS} FROM approvals WHERE id = ?", (approval_id,)).fetchone()
        return None if row is None else _approval(row)

    def list(self, agency_id: str, requester: str | None = None, limit: int = 100) -> list[Approval]:
        query = f"SELECT {_COLUMNS} FROM approvals WHERE agency_id = ?"
        values: list[object] = [agency_id]
        if requester is not None:
            query += " AND requester = ?"
            values.append(requester)
        with self.db.read() as connection:
            rows = connection.execute(query + " ORDER BY created_ms DESC, id LIMIT ?", (*values, limit)).fetchall()
        return [_approval(row) for row in rows]

    def create(self, principal: Principal, query: SearchQuery, reasons: list[str]) -> Approval:
        """A pending request (the caller has authorised it and checked the search's purpose and case)."""
        approval_id = "apr_" + secrets.token_hex(8)
        now = self.clock.now_ms()
        with self.db.write() as connection:
            connection.execute(
                f"INSERT INTO approvals ({_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, NULL, NULL, ?, NULL)",
                (
                    approval_id,
                    principal.agency_id,
                    principal.name,
                    json.dumps(query.canonical(), sort_keys=True),
                    query.binding_hash(),
                    query.kind,
                    query.purpose,
                    query.case_number,
                    now,
                    now + self.lifetime_ms,
                    "; ".join(reasons) or None,
                ),
            )
        record(
            self.ledger,
            "approval_requested",
            user=principal.name,
            agency=principal.agency_id,
            reason="; ".join(reasons),
            parameters={"approval_id": approval_id, **query.subject()},
            purpose=query.purpose,
            case_number=query.case_number,
            justification=query.justification,
        )
        approval = self.get(approval_id)
        assert approval is not None
        return approval

    def visible(self, principal: Principal, approval_id: str) -> Approval:
        """The approval if the principal may see it (its requester, or a supervisor of its agency)."""
        approval = self.get(approval_id)
        missing = Decision.deny(f"approval {approval_id!r} does not exist", "not_found", 404, "approval_id")
        if approval is None:
            raise Refused(missing)
        decision = authorize(principal, "approval_read", approval.agency_id)
        if not decision.allowed:
            raise Refused(decision)
        if principal.role != "supervisor" and approval.requester != principal.name:
            raise Refused(Decision.deny("officers see only their own approval requests", "forbidden"))
        return approval

    def decide(self, principal: Principal, approval_id: str, grant: bool, note: str | None = None) -> Approval:
        """Grant or deny a pending request: a supervisor of the same agency, never the requester."""
        action = "approval_granted" if grant else "approval_denied"
        approval = self.get(approval_id)
        now = self.clock.now_ms()
        if approval is None:
            decision = Decision.deny(f"approval {approval_id!r} does not exist", "not_found", 404, "approval_id")
        else:
            decision = self._may_decide(principal, approval, now)
        agency = principal.agency_id if approval is None else approval.agency_id
        parameters = {"approval_id": approval_id, "requester": None if approval is None else approval.requester}
        if not decision.allowed:
            record(
                self.ledger,
                action,
                user=principal.name,
                agency=agency,
                outcome="refused",
                reason=decision.reason,
                parameters=parameters,
            )
            raise Refused(decision)
        assert approval is not None
        status = "granted" if grant else "denied"
        expires = now + self.lifetime_ms if grant else approval.expires_ms
        with self.db.write() as connection:
            changed = connection.execute(
                "UPDATE approvals SET status = ?, decided_by = ?, decided_ms = ?, expires_ms = ?, "
                "note = ? WHERE id = ? AND status = 'pending'",
                (status, principal.name, now, expires, note, approval_id),
            ).rowcount
        if not changed:
            raise Refused(Decision.deny("the approval was decided meanwhile", "conflict", 409, "approval_id"))
        record(
            self.ledger,
            action,
            user=principal.name,
            agency=approval.agency_id,
            reason=note or "",
            parameters={**parameters, "expires": iso(expires)},
            purpose=approval.purpose,
            case_number=approval.case_number,
        )
        decided = self.get(approval_id)
        assert decided is not None
        return decided

    def _may_decide(self, principal: Principal, approval: Approval, now: int) -> Decision:
        decision = authorize(principal, "approval_decide", approval.agency_id)
        if not decision.allowed:
            return decision
        if approval.requester == principal.name:
            return Decision.deny("nobody may decide their own approval request", "own_request")
        status = approval.status(now)
        if status != "pending":
            return Decision.deny(f"the approval is {status}, not pending", "not_pending", 409, "approval_id")
        return Decision.allow(decision.reason)

    def check(self, principal: Principal, approval_id: str | None, query: SearchQuery, reasons: list[str]) -> Decision:
        """Does a valid approval cover exactly this search by this principal?"""
        if not approval_id:
            return Decision.deny(
                f"this search needs a supervisor's approval ({'; '.join(reasons)}): "
                "send the same request to POST /api/v1/approvals, then repeat it with the approval_id",
                "approval_required",
                403,
                "approval_id",
            )
        approval = self.get(approval_id)
        if approval is None or approval.agency_id != principal.agency_id:
            return Decision.deny(f"approval {approval_id!r} does not exist", "approval_invalid", 403, "approval_id")
        if approval.requester != principal.name:
            return Decision.deny(
                f"approval {approval_id} was requested by another user", "approval_invalid", 403, "approval_id"
            )
        status = approval.status(self.clock.now_ms())
        if status != "granted":
            return Decision.deny(f"approval {approval_id} is {status}", f"approval_{status}", 403, "approval_id")
        if approval.request_hash != query.binding_hash():
            return Decision.deny(
                f"approval {approval_id} covers a different search: the parameters, purpose or case differ",
                "approval_mismatch",
                403,
                "approval_id",
            )
        return Decision.allow(f"approved by {approval.decided_by} until {iso(approval.expires_ms)}")

"""A permission decision: allowed or not, and always why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Decision:
    """`reason` is for people (shown to the user, written to the ledger); `code` and `field` are for programs.

    `status` is the HTTP status a refusal maps to: 401 no principal, 403 not permitted, 404 nothing there (or
    nothing the principal may know of), 409 a state conflict, 422 a missing or malformed required value.
    """

    allowed: bool
    reason: str
    code: str = "allowed"
    status: int = 200
    field: str | None = None

    @classmethod
    def allow(cls, reason: str) -> Decision:
        return cls(True, reason)

    @classmethod
    def deny(cls, reason: str, code: str = "forbidden", status: int = 403, field: str | None = None) -> Decision:
        return cls(False, reason, code, status, field)


class Refused(Exception):
    """Raised with the Decision that refused an operation."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision

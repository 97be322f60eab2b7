"""Writing audit events: one small helper so every service records the same way."""

from __future__ import annotations

from typing import Any, Protocol

from plateledger.audit import AuditEvent


class Recorder(Protocol):
    """What the services need of the ledger (plateledger.audit.AuditLedger provides it)."""

    def record(self, event: AuditEvent) -> Any: ...


def record(
    ledger: Recorder,
    action: str,
    *,
    user: str | None,
    agency: str | None,
    outcome: str = "allowed",
    reason: str = "",
    parameters: dict[str, Any] | None = None,
    **fields: Any,
) -> Any:
    """Record one event; returns the ledger's entry (its seq can be shown to the user)."""
    return ledger.record(
        AuditEvent(
            action=action,
            user=user,
            agency=agency,
            outcome=outcome,  # type: ignore[arg-type]
            reason=reason,
            parameters=parameters or {},
            **fields,
        )
    )

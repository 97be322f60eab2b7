"""The append-only, hash-chained audit ledger: every access recorded, any tampering detected."""

from plateledger.audit.actions import ACTIONS
from plateledger.audit.ledger import AuditLedger, LedgerError
from plateledger.audit.schema import LedgerVersionError
from plateledger.audit.types import Anomaly, AuditEntry, AuditEvent, VerifyResult

__all__ = [
    "ACTIONS",
    "Anomaly",
    "AuditEntry",
    "AuditEvent",
    "AuditLedger",
    "LedgerError",
    "LedgerVersionError",
    "VerifyResult",
]

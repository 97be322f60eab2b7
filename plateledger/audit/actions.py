"""Every auditable action, registered in this one place with what it means.

Design: a refusal is not a separate action. When the policy gate refuses a search (or any other action), the
ledger records the action that was attempted with ``outcome="refused"`` and the gate's reason; there is no
``search_refused``. Two events keep names of their own because nothing was attempted on behalf of a known,
signed-in principal: ``login_failed`` (the credentials did not authenticate anyone) and ``ingest_refused``
(a camera or feed presented a credential or payload that was turned away).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_REGISTRY: dict[str, str] = {
    # access to reads
    "search": "A plate, partial-plate or area search over reads (refused ones carry outcome=refused and the reason).",
    "read_view": "A single read's details were opened.",
    "image_view": "A plate crop or overview image was viewed.",
    # sessions and identity
    "login": "A user signed in.",
    "login_failed": "A sign-in attempt failed (unknown user, wrong password or wrong one-time code).",
    "logout": "A user signed out or a session was ended.",
    "lockout": "An account was locked after repeated failures.",
    "unlock": "A locked account was unlocked by an administrator.",
    "mfa_enrolled": "A user enrolled a second factor.",
    "user_created": "A user account was created.",
    "user_disabled": "A user account was disabled.",
    "role_change": "A user's roles were changed.",
    "api_key_created": "An API key was issued.",
    "api_key_rotated": "An API key's secret was rotated.",
    "api_key_revoked": "An API key was revoked.",
    # approvals
    "approval_requested": "A search beyond a user's own limits asked a supervisor for approval.",
    "approval_granted": "A supervisor granted an approval.",
    "approval_denied": "A supervisor denied an approval.",
    # administration
    "agency_created": "An agency was created.",
    "policy_changed": "An agency's retention, sharing, purpose or lookback policy was changed.",
    "camera_created": "A camera was registered with its ingest credential.",
    "ingest_refused": "A camera or feed was refused at ingest (bad credential, unknown camera, invalid payload).",
    "ingest_binding_changed": "The cameras or source-camera map an ingest API key may post for were set.",
    "agreement_created": "A data sharing agreement between agencies was created.",
    "agreement_revoked": "A data sharing agreement was revoked.",
    "hotlist_changed": "A hot list or one of its entries was added, changed or removed.",
    "hotlist_entry_renewed": "A custom hot-list entry was kept longer (at most a year from the renewal).",
    "hotlist_feed_imported": "A feed's entries were replaced by a new import (refused ones say why).",
    "alert_raised": "A read matched a hot-list entry and an alert was raised (a lead, not probable cause).",
    "alert_acknowledged": "A user took up an alert (the first step before verifying or rejecting it).",
    "alert_dispositioned": "A human recorded the disposition of an alert (confirmed, misread, stale entry ...).",
    "legal_hold_set": "A legal hold was placed on reads.",
    "legal_hold_released": "A legal hold was released or expired.",
    "purge": "Retention removed reads older than the agency's period.",
    # the ledger itself
    "export": "Audit entries were exported (the export of the audit trail is itself audited).",
    "audit_view": "Audit entries were listed or viewed.",
    "audit_verify": "The audit ledger's hash chain was verified.",
}

ACTIONS: Mapping[str, str] = MappingProxyType(_REGISTRY)
"""Action name -> description. Read-only: new actions are added to this module, nowhere else."""


def check_action(action: str) -> None:
    """Raise ValueError unless ``action`` is registered."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; register it in plateledger/audit/actions.py")

"""Who is asking: a signed-in user (with one role) or a machine credential (API key with scopes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Role = Literal["officer", "supervisor", "auditor", "agency_admin", "system_admin"]
ROLES: tuple[Role, ...] = get_args(Role)
ROLE_DESCRIPTIONS: dict[Role, str] = {
    "officer": "searches reads for a stated purpose and case; handles alerts",
    "supervisor": "an officer who also approves searches and reviews the audit of the agency",
    "auditor": "reads the agency's audit; cannot search plates",
    "agency_admin": "manages the agency's users, cameras, API keys and policy; cannot search",
    "system_admin": "manages agencies; cannot search",
}

Scope = Literal["ingest", "audit"]
SCOPES: tuple[Scope, ...] = get_args(Scope)
SCOPE_DESCRIPTIONS: dict[Scope, str] = {
    "ingest": "send reads from cameras and feeds (the default scope of a new key)",
    "audit": "read and export the agency's audit (for a SIEM or an oversight body)",
}


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller. `name` is the username, or `api_key:<id>` for a machine credential."""

    kind: Literal["user", "api_key"]
    name: str
    agency_id: str
    role: Role | None = None
    scopes: frozenset[str] = frozenset()
    session_hash: str | None = None

    @property
    def is_user(self) -> bool:
        return self.kind == "user"

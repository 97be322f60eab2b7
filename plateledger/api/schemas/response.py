"""Response bodies: what each endpoint answers, documented in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from plateledger.policy.agency_policy import AgencyPolicy


class ErrorBody(BaseModel):
    error: str = Field(description="a stable code, e.g. purpose_invalid, approval_required, invalid")
    detail: str = Field(description="what went wrong, in words")
    field: str | None = Field(description="the dotted name of the field at fault, when one is")


class Health(BaseModel):
    status: str
    reads: int
    agencies: int


class Banner(BaseModel):
    banner: str


class PrincipalOut(BaseModel):
    kind: str
    name: str
    agency_id: str
    role: str | None
    scopes: list[str]


class SessionOut(BaseModel):
    token: str = Field(description="send as Authorization: Bearer <token>")
    token_type: str = "bearer"
    expires_at: str = Field(description="the latest the session can last (absolute limit)")
    idle_timeout_seconds: int
    principal: PrincipalOut


class AgencyOut(BaseModel):
    id: str
    name: str
    kind: str
    jurisdiction: str


class AgencyCreated(AgencyOut):
    policy: AgencyPolicy


class UserOut(BaseModel):
    username: str
    agency_id: str
    role: str
    locked: bool
    disabled: bool
    mfa_enrolled: bool
    created_at: str
    last_login_at: str | None


class NewUserOut(BaseModel):
    username: str
    agency_id: str
    role: str
    password: str = Field(description="shown once: hand it to the user over a safe channel")
    totp_secret: str = Field(description="shown once: the user adds it to an authenticator app")
    totp_uri: str


class ApiKeyOut(BaseModel):
    id: str
    agency_id: str
    name: str
    scopes: list[str]
    created_at: str
    created_by: str
    rotated_at: str | None
    revoked_at: str | None


class NewApiKeyOut(ApiKeyOut):
    token: str = Field(description="shown once: store it in the camera or integration")


class CameraOut(BaseModel):
    id: str
    agency_id: str
    kind: str
    description: str
    lat: float | None
    lon: float | None
    heading: float | None


class CandidateOut(BaseModel):
    plate: str
    confidence: float


class ReadOut(BaseModel):
    id: int
    pass_id: int
    plate: str
    plate_raw: str
    region: str | None
    region_assumed: bool
    confidence: float
    observed_at: str
    lat: float
    lon: float
    heading: float | None
    camera_id: str
    agency_id: str
    is_best: bool
    candidates: list[CandidateOut]


class HitOut(BaseModel):
    read: ReadOut
    how: str
    detail: str


class SearchOut(BaseModel):
    hits: list[HitOut]
    count: int
    next_cursor: str | None
    reach: list[str] = Field(description="the agencies whose reads this search could return")
    audit_seq: int | None = Field(description="the ledger entry recording this search")
    approval: str | None


class ApprovalOut(BaseModel):
    id: str
    agency_id: str
    requester: str
    status: str = Field(description="pending, granted, denied or expired")
    request: dict[str, Any] = Field(description="the exact search this approval covers")
    reasons: str | None = Field(description="why the search needs approval")
    note: str | None = Field(description="the supervisor's note on the decision")
    created_at: str
    expires_at: str
    decided_by: str | None
    decided_at: str | None


class AuditEntryOut(BaseModel):
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
    version: int


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    next_after: int | None = Field(description="pass as `after` for the next page; null at the end")


class VerifyOut(BaseModel):
    ok: bool
    entries: int
    first_bad: int | None
    reason: str
    head_seq: int
    head_hash: str
    warnings: list[str]


class AnomalyOut(BaseModel):
    kind: str
    user: str | None
    agency: str | None
    detail: str
    seqs: list[int]

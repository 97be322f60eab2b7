"""The audit ledger, for the agency's auditors and supervisors: list, export, verify, anomalies.

Reading the audit is itself audited (audit_view, export, audit_verify).
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from plateledger.access.principal import Principal
from plateledger.access.recorder import record
from plateledger.api.auth import CurrentPrincipal, ServicesDep, require
from plateledger.api.schemas.response import AnomalyOut, AuditEntryOut, AuditPage, VerifyOut
from plateledger.api.services import Services
from plateledger.api.tags import Tags
from plateledger.policy.decision import Decision, Refused
from plateledger.reads import to_epoch_ms

router = APIRouter(prefix="/api/v1/audit", tags=[Tags.audit])
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}

AgencyParam = Annotated[str | None, Query(min_length=1, max_length=32, description="default: your own agency")]
UserParam = Annotated[str | None, Query(min_length=1, max_length=128)]
PlateParam = Annotated[str | None, Query(min_length=1, max_length=20)]
CaseParam = Annotated[str | None, Query(alias="case", min_length=1, max_length=64, description="case number")]
ActionParam = Annotated[str | None, Query(min_length=1, max_length=64)]
TimeParam = Annotated[
    str | None,
    Query(
        max_length=40,
        description="ISO-8601 with a time zone, e.g. 2024-05-01T00:00:00Z",
        json_schema_extra={"format": "date-time"},
    ),
]


def _filters(
    agency: str,
    user: str | None,
    plate: str | None,
    case: str | None,
    action: str | None,
    since: str | None,
    until: str | None,
) -> dict[str, Any]:
    return {
        "agency": agency,
        "user": user,
        "plate": plate,
        "case_number": case,
        "action": action,
        "since_ms": None if since is None else _epoch(since, "since"),
        "until_ms": None if until is None else _epoch(until, "until"),
    }


def _epoch(text: str, field: str) -> int:
    """Epoch ms of an ISO-8601 time with a zone; only text of that shape (no bare numbers) is accepted."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Refused(Decision.deny(f"{field}: not an ISO-8601 time", "invalid", 422, field)) from None
    if moment.tzinfo is None:
        raise Refused(Decision.deny(f"{field}: give a time zone (e.g. Z)", "invalid", 422, field))
    try:
        return to_epoch_ms(moment)
    except (OverflowError, ValueError, OSError):
        raise Refused(Decision.deny(f"{field}: out of range", "invalid", 422, field)) from None


def _record(
    services: Services, principal: Principal, action: str, parameters: dict[str, Any], count: int | None
) -> None:
    shown = {key: value for key, value in parameters.items() if value is not None}
    record(
        services.ledger, action, user=principal.name, agency=principal.agency_id, parameters=shown, result_count=count
    )


@router.get("")
def list_entries(
    principal: CurrentPrincipal,
    services: ServicesDep,
    agency: AgencyParam = None,
    user: UserParam = None,
    plate: PlateParam = None,
    case: CaseParam = None,
    action: ActionParam = None,
    since: TimeParam = None,
    until: TimeParam = None,
    after: Annotated[int, Query(ge=0, le=2**62, description="the next_after of the previous page")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """The agency's audit entries, oldest first, filtered; page with `after`."""
    target = agency or principal.agency_id
    require(services, principal, "audit_read", target)
    filters = _filters(target, user, plate, case, action, since, until)
    entries = services.ledger.entries(**filters, limit=limit, after_seq=after)
    _record(services, principal, "audit_view", {**filters, "after": after, "limit": limit}, len(entries))
    next_after = entries[-1].seq if len(entries) == limit else None
    return AuditPage(entries=[AuditEntryOut(**entry.to_dict()) for entry in entries], next_after=next_after)


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {media: {"schema": {"type": "string"}} for media in EXPORT_TYPES.values()}}},
)
def export(
    principal: CurrentPrincipal,
    services: ServicesDep,
    format: Annotated[Literal["csv", "jsonl"], Query()] = "jsonl",
    agency: AgencyParam = None,
    user: UserParam = None,
    plate: PlateParam = None,
    case: CaseParam = None,
    action: ActionParam = None,
    since: TimeParam = None,
    until: TimeParam = None,
) -> Response:
    """The agency's audit entries as CSV or JSON Lines (canonical JSON: every hash can be recomputed)."""
    target = agency or principal.agency_id
    require(services, principal, "audit_export", target)
    filters = _filters(target, user, plate, case, action, since, until)
    out = io.StringIO()
    count = services.ledger.export(out, format, **filters)
    _record(services, principal, "export", {**filters, "format": format}, count)
    return Response(out.getvalue(), media_type=EXPORT_TYPES[format])


@router.get("/verify")
def verify(principal: CurrentPrincipal, services: ServicesDep) -> VerifyOut:
    """Walk the whole hash chain: ok, or the first bad entry and why."""
    require(services, principal, "audit_verify")
    result = services.ledger.verify()
    record(
        services.ledger,
        "audit_verify",
        user=principal.name,
        agency=principal.agency_id,
        reason=result.reason if not result.ok else "",
        parameters={"ok": result.ok, "entries": result.entries, "first_bad": result.first_bad},
    )
    return VerifyOut(
        ok=result.ok,
        entries=result.entries,
        first_bad=result.first_bad,
        reason=result.reason,
        head_seq=result.head_seq,
        head_hash=result.head_hash,
        warnings=list(result.warnings),
    )


@router.get("/anomalies")
def anomalies(principal: CurrentPrincipal, services: ServicesDep, agency: AgencyParam = None) -> list[AnomalyOut]:
    """Patterns in the agency's searches of the last 30 days that a supervisor should look at."""
    target = agency or principal.agency_id
    require(services, principal, "audit_anomalies", target)
    others = {item.id: item.name for item in services.store.list_agencies() if item.id != target}
    found = services.ledger.anomalies(agency=target, other_agencies=others)
    _record(services, principal, "audit_view", {"agency": target, "view": "anomalies"}, len(found))
    return [
        AnomalyOut(kind=item.kind, user=item.user, agency=item.agency, detail=item.detail, seqs=list(item.seqs))
        for item in found
    ]

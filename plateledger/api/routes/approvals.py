"""Approvals: an officer asks, a supervisor of the same agency grants or denies; bound to one exact search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from plateledger.api.auth import CurrentPrincipal, ServicesDep, require
from plateledger.api.convert import approval_out, to_query
from plateledger.api.schemas.request import ApprovalDecision, SearchRequest
from plateledger.api.schemas.response import ApprovalOut
from plateledger.api.tags import Tags
from plateledger.policy.decision import Decision, Refused

router = APIRouter(prefix="/api/v1/approvals", tags=[Tags.approvals])
ApprovalId = Annotated[str, Path(max_length=64)]


@router.post("", status_code=201)
def request_approval(body: SearchRequest, principal: CurrentPrincipal, services: ServicesDep) -> ApprovalOut:
    """Ask for approval of a search: send the search body exactly as it will be run (cursor and limit aside)."""
    if body.approval_id is not None:
        raise Refused(Decision.deny("an approval request cannot carry an approval_id", "invalid", 422, "approval_id"))
    approval = services.gate.request_approval(principal, to_query(body))
    return approval_out(approval, services.clock.now_ms())


@router.get("")
def list_approvals(principal: CurrentPrincipal, services: ServicesDep) -> list[ApprovalOut]:
    """The agency's approval requests (supervisors), or one's own (officers); newest first."""
    require(services, principal, "approval_read")
    requester = None if principal.role == "supervisor" else principal.name
    now = services.clock.now_ms()
    return [approval_out(item, now) for item in services.approvals.list(principal.agency_id, requester)]


@router.get("/{approval_id}")
def get_approval(approval_id: ApprovalId, principal: CurrentPrincipal, services: ServicesDep) -> ApprovalOut:
    return approval_out(services.approvals.visible(principal, approval_id), services.clock.now_ms())


@router.post("/{approval_id}/grant")
def grant(
    approval_id: ApprovalId,
    principal: CurrentPrincipal,
    services: ServicesDep,
    body: ApprovalDecision | None = None,
) -> ApprovalOut:
    """Grant (a supervisor of the requester's agency, not the requester); valid for the approval lifetime."""
    approval = services.approvals.decide(principal, approval_id, True, None if body is None else body.note)
    return approval_out(approval, services.clock.now_ms())


@router.post("/{approval_id}/deny")
def deny(
    approval_id: ApprovalId,
    principal: CurrentPrincipal,
    services: ServicesDep,
    body: ApprovalDecision | None = None,
) -> ApprovalOut:
    approval = services.approvals.decide(principal, approval_id, False, None if body is None else body.note)
    return approval_out(approval, services.clock.now_ms())

"""Searches: through the policy gate, the only way to the read store."""

from __future__ import annotations

from fastapi import APIRouter

from plateledger.api.auth import CurrentPrincipal, ServicesDep
from plateledger.api.convert import hit_out, to_query
from plateledger.api.schemas.request import SearchRequest
from plateledger.api.schemas.response import SearchOut
from plateledger.api.tags import Tags

router = APIRouter(prefix="/api/v1", tags=[Tags.searches])


@router.post("/searches")
def search(body: SearchRequest, principal: CurrentPrincipal, services: ServicesDep) -> SearchOut:
    """Search reads: exact plate, near (confusable characters, one edit), wildcard pattern, or area.

    Every search states a purpose and a case number; purpose `other` needs a justification of 20+ characters.
    The window may not reach past the agency's lookback cap; wildcard and area searches (and very long
    windows) need a supervisor's approval: POST the same body to /api/v1/approvals first. Allowed or refused,
    the search is recorded in the audit ledger.
    """
    outcome = services.gate.search(principal, to_query(body))
    return SearchOut(
        hits=[hit_out(hit) for hit in outcome.page.hits],
        count=len(outcome.page.hits),
        next_cursor=outcome.page.next_cursor,
        reach=sorted(outcome.reach),
        audit_seq=outcome.audit_seq,
        approval=outcome.approval,
    )

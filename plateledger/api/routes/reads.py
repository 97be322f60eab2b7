"""A single read, through the policy gate (purpose and case required), recorded as read_view."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from plateledger.api.auth import CurrentPrincipal, ServicesDep
from plateledger.api.convert import read_out
from plateledger.api.schemas.response import ReadOut
from plateledger.api.tags import Tags

router = APIRouter(prefix="/api/v1/reads", tags=[Tags.reads])


@router.get("/{read_id}")
def view_read(
    read_id: Annotated[int, Path(ge=0, le=2**62)],
    principal: CurrentPrincipal,
    services: ServicesDep,
    purpose: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    case_number: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    justification: Annotated[str | None, Query(min_length=1, max_length=2000)] = None,
) -> ReadOut:
    """One read, for a stated purpose and case."""
    return read_out(services.gate.view_read(principal, read_id, purpose, case_number, justification))

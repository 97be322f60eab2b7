"""Agencies and their policies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from plateledger.api.auth import CurrentPrincipal, ServicesDep, require
from plateledger.api.schemas.request import AgencyCreate, PolicyBody
from plateledger.api.schemas.response import AgencyCreated, AgencyOut
from plateledger.api.tags import Tags
from plateledger.policy.agencies import create_agency
from plateledger.policy.agency_policy import AgencyPolicy
from plateledger.policy.decision import Decision, Refused
from plateledger.store.contract import Agency, NotFound

router = APIRouter(prefix="/api/v1/agencies", tags=[Tags.agencies])
AgencyId = Annotated[str, Path(max_length=32, description="the agency's id")]


def agency_out(agency: Agency) -> AgencyOut:
    return AgencyOut(id=agency.id, name=agency.name, kind=agency.kind, jurisdiction=agency.jurisdiction)


@router.get("")
def list_agencies(principal: CurrentPrincipal, services: ServicesDep) -> list[AgencyOut]:
    """Every agency (id, name, kind, jurisdiction)."""
    require(services, principal, "agency_read")
    return [agency_out(agency) for agency in services.store.list_agencies()]


@router.post("", status_code=201)
def create(body: AgencyCreate, principal: CurrentPrincipal, services: ServicesDep) -> AgencyCreated:
    """Create an agency with its policy (system_admin)."""
    require(services, principal, "agency_create", body.id, parameters={"id": body.id})
    agency = Agency(body.id, body.name, body.kind, body.jurisdiction)
    policy = None if body.policy is None else body.policy.to_policy()
    chosen = create_agency(services.store, services.policies, services.ledger, agency, policy, actor=principal.name)
    return AgencyCreated(**agency_out(agency).model_dump(), policy=chosen)


def _existing(services: ServicesDep, agency_id: str) -> Agency:
    try:
        return services.store.get_agency(agency_id)
    except NotFound:
        raise Refused(Decision.deny(f"agency {agency_id!r} does not exist", "not_found", 404, "agency_id")) from None


@router.get("/{agency_id}")
def get_agency(agency_id: AgencyId, principal: CurrentPrincipal, services: ServicesDep) -> AgencyOut:
    require(services, principal, "agency_read", agency_id)
    return agency_out(_existing(services, agency_id))


@router.get("/{agency_id}/policy")
def get_policy(agency_id: AgencyId, principal: CurrentPrincipal, services: ServicesDep) -> AgencyPolicy:
    """The agency's policy: purposes, case-number pattern, lookback cap, what needs approval."""
    require(services, principal, "policy_read", agency_id)
    _existing(services, agency_id)
    return services.policies.get(agency_id)


@router.put("/{agency_id}/policy")
def put_policy(
    agency_id: AgencyId, body: PolicyBody, principal: CurrentPrincipal, services: ServicesDep
) -> AgencyPolicy:
    """Replace the agency's policy (agency_admin); recorded as policy_changed."""
    require(services, principal, "policy_change", agency_id)
    _existing(services, agency_id)
    return services.policies.put(agency_id, body.to_policy(), actor=principal.name)

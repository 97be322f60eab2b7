"""API keys of an agency: machine credentials, scoped (ingest by default), shown once, rotatable, revocable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from plateledger.access.apikeys import ApiKey
from plateledger.access.principal import Principal
from plateledger.access.users import AccessError
from plateledger.api.auth import CurrentPrincipal, ServicesDep, require
from plateledger.api.convert import key_out
from plateledger.api.routes.agencies import AgencyId
from plateledger.api.schemas.request import ApiKeyCreate
from plateledger.api.schemas.response import ApiKeyOut, NewApiKeyOut
from plateledger.api.services import Services
from plateledger.api.tags import Tags
from plateledger.policy.decision import Decision, Refused

router = APIRouter(prefix="/api/v1", tags=[Tags.api_keys])
KeyId = Annotated[str, Path(max_length=32)]


def _target(services: Services, principal: Principal, key_id: str, action: str) -> ApiKey:
    try:
        key = services.access.api_keys.get(key_id)
    except AccessError:
        require(services, principal, action, parameters={"key_id": key_id})
        raise
    require(services, principal, action, key.agency_id, parameters={"key_id": key_id})
    return key


@router.get("/agencies/{agency_id}/api-keys")
def list_keys(agency_id: AgencyId, principal: CurrentPrincipal, services: ServicesDep) -> list[ApiKeyOut]:
    require(services, principal, "api_key_read", agency_id)
    return [key_out(key) for key in services.access.api_keys.list(agency_id)]


@router.post("/agencies/{agency_id}/api-keys", status_code=201)
def create_key(
    agency_id: AgencyId, body: ApiKeyCreate, principal: CurrentPrincipal, services: ServicesDep
) -> NewApiKeyOut:
    """Issue a key; its token is in this answer only."""
    require(services, principal, "api_key_create", agency_id, parameters={"name": body.name})
    if set(body.scopes) - {"ingest"}:
        # An audit-scoped key reads the audit, which no administrator role may: such keys are issued on the
        # server's own command line (plateledger admin create-api-key --scope audit), by whoever runs it.
        reason = "over HTTP only ingest keys are issued; other scopes come from `plateledger admin create-api-key`"
        raise Refused(Decision.deny(reason, "forbidden", 403, "scopes"))
    key, token = services.access.api_keys.create(agency_id, body.name, body.scopes, actor=principal.name)
    return NewApiKeyOut(**key_out(key).model_dump(), token=token)


@router.post("/api-keys/{key_id}/rotate")
def rotate_key(key_id: KeyId, principal: CurrentPrincipal, services: ServicesDep) -> NewApiKeyOut:
    """A new secret for the key; the old token stops working at once."""
    _target(services, principal, key_id, "api_key_rotate")
    key, token = services.access.api_keys.rotate(key_id, actor=principal.name)
    return NewApiKeyOut(**key_out(key).model_dump(), token=token)


@router.delete("/api-keys/{key_id}")
def revoke_key(key_id: KeyId, principal: CurrentPrincipal, services: ServicesDep) -> ApiKeyOut:
    _target(services, principal, key_id, "api_key_revoke")
    return key_out(services.access.api_keys.revoke(key_id, actor=principal.name))

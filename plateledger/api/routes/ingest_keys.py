"""Ingest credentials: which cameras an ingest API key may post for, and an agent's source-camera map."""

from __future__ import annotations

from fastapi import APIRouter

from plateledger.access.principal import Principal
from plateledger.access.recorder import record
from plateledger.api.auth import CurrentPrincipal, ServicesDep
from plateledger.api.routes.api_keys import KeyId, _target
from plateledger.api.schemas.ingest import BindingIn, BindingOut
from plateledger.api.services import Services
from plateledger.api.tags import Tags
from plateledger.ingest.bindings import Binding
from plateledger.policy.decision import Decision, Refused
from plateledger.store.contract import NotFound

router = APIRouter(prefix="/api/v1/api-keys/{key_id}/binding", tags=[Tags.ingest])


def _out(binding: Binding) -> BindingOut:
    return BindingOut(
        key_id=binding.key_id,
        agency_id=binding.agency_id,
        cameras=list(binding.cameras),
        default_camera=binding.default_camera,
        sources=dict(binding.sources),
    )


def _check_camera(services: Services, agency_id: str, camera_id: str, field: str) -> None:
    try:
        camera = services.store.get_camera(camera_id)
    except (NotFound, ValueError):
        raise Refused(Decision.deny(f"camera {camera_id!r} is not registered", "invalid", 422, field)) from None
    if camera.agency_id != agency_id:
        raise Refused(Decision.deny(f"camera {camera_id!r} is not a camera of {agency_id}", "invalid", 422, field))


@router.get("")
def get_binding(key_id: KeyId, principal: CurrentPrincipal, services: ServicesDep) -> BindingOut:
    """The cameras the key may post for (empty: any camera of its agency), its default camera and source map."""
    key = _target(services, principal, key_id, "ingest_binding_read")
    return _out(services.bindings.get(key.id, key.agency_id))


@router.put("")
def set_binding(key_id: KeyId, body: BindingIn, principal: CurrentPrincipal, services: ServicesDep) -> BindingOut:
    """Bind an ingest key to cameras of its agency: a camera's own key names one camera; an agent's key maps
    the agent's camera numbers or names to ours in `sources`. Reads for other cameras are refused with 403."""
    key = _target(services, principal, key_id, "ingest_binding_change")
    if "ingest" not in key.scopes:
        raise Refused(Decision.deny("only a key with scope ingest posts reads", "invalid", 422, "key_id"))
    for index, camera_id in enumerate(body.cameras):
        _check_camera(services, key.agency_id, camera_id, f"cameras[{index}]")
    for name, camera_id in body.sources.items():
        _check_camera(services, key.agency_id, camera_id, f"sources.{name}")
    if body.default_camera is not None:
        _check_camera(services, key.agency_id, body.default_camera, "default_camera")
    binding = services.bindings.put(
        Binding(key.id, key.agency_id, tuple(body.cameras), body.default_camera, dict(body.sources)),
        actor=principal.name,
    )
    services.senders.forget()
    _record(services, principal, binding)
    return _out(binding)


def _record(services: Services, principal: Principal, binding: Binding) -> None:
    record(
        services.ledger,
        "ingest_binding_changed",
        user=principal.name,
        agency=binding.agency_id,
        parameters=binding.to_dict(),
    )

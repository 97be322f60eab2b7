"""Cameras of an agency."""

from __future__ import annotations

from fastapi import APIRouter

from plateledger.access.recorder import record
from plateledger.api.auth import CurrentPrincipal, ServicesDep, require
from plateledger.api.convert import camera_out
from plateledger.api.routes.agencies import AgencyId
from plateledger.api.schemas.request import CameraCreate
from plateledger.api.schemas.response import CameraOut
from plateledger.api.tags import Tags
from plateledger.policy.decision import Decision, Refused
from plateledger.store.contract import Camera, StoreError

router = APIRouter(prefix="/api/v1/agencies/{agency_id}/cameras", tags=[Tags.cameras])


@router.get("")
def list_cameras(agency_id: AgencyId, principal: CurrentPrincipal, services: ServicesDep) -> list[CameraOut]:
    require(services, principal, "camera_read", agency_id)
    return [camera_out(camera) for camera in services.store.list_cameras(agency_id)]


@router.post("", status_code=201)
def create_camera(
    agency_id: AgencyId, body: CameraCreate, principal: CurrentPrincipal, services: ServicesDep
) -> CameraOut:
    """Register a fixed camera (with lat, lon) or a mobile one (its reads carry GPS)."""
    require(services, principal, "camera_create", agency_id, parameters={"camera_id": body.id})
    if (body.lat is None) != (body.lon is None):
        raise Refused(Decision.deny("lat and lon come together", "invalid", 422, "lat" if body.lat is None else "lon"))
    camera = Camera(
        id=body.id,
        agency_id=agency_id,
        kind=body.kind,
        description=body.description,
        lat=body.lat,
        lon=body.lon,
        heading=body.heading,
        created_ms=services.clock.now_ms(),
    )
    try:
        services.store.add_camera(camera)
    except StoreError as error:
        status = 404 if "does not exist" in str(error) else 409 if "exists" in str(error) else 422
        code = {404: "not_found", 409: "conflict"}.get(status, "invalid")
        raise Refused(Decision.deny(str(error), code, status, "id")) from None
    record(
        services.ledger,
        "camera_created",
        user=principal.name,
        agency=agency_id,
        parameters={"camera_id": camera.id, "kind": camera.kind, "lat": camera.lat, "lon": camera.lon},
    )
    return camera_out(services.store.get_camera(camera.id))

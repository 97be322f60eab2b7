"""Plate crops and overview images: never public, each view through the policy gate and in the ledger.

Like a single read, an image needs a purpose and a case number, and the read it belongs to must be one the
user may see (else 404, as for a read outside the reach). Allowed or refused, each view is recorded as
`image_view`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from plateledger.api.auth import CurrentPrincipal, ServicesDep
from plateledger.api.schemas.ingest import ImageOut
from plateledger.api.tags import Tags
from plateledger.images import ImageNotFound
from plateledger.policy.decision import Decision, Refused

router = APIRouter(prefix="/api/v1", tags=[Tags.images])

Purpose = Annotated[str | None, Query(min_length=1, max_length=64, description="a purpose code of the policy")]
CaseNumber = Annotated[str | None, Query(min_length=1, max_length=64, description="the case this view is for")]
Justification = Annotated[str | None, Query(min_length=1, max_length=2000, description="for purpose 'other'")]
Sha256 = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="the image's SHA-256, lower-case hex")]
NO_STORE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


@router.get("/reads/{read_id}/images")
def list_read_images(
    read_id: Annotated[int, Path(ge=0, le=2**62)],
    principal: CurrentPrincipal,
    services: ServicesDep,
    purpose: Purpose = None,
    case_number: CaseNumber = None,
    justification: Justification = None,
) -> list[ImageOut]:
    """The images of one read (crop, vehicle, overview), for a stated purpose and case."""
    services.gate.view_read(
        principal, read_id, purpose, case_number, justification, action="image_view", subject={"images": "list"}
    )
    return [
        ImageOut(
            kind=image.kind,
            sha256=image.ref.sha256,
            format=image.ref.format,
            width=image.ref.width,
            height=image.ref.height,
            bytes=image.ref.bytes,
            url=f"/api/v1/images/{image.ref.sha256}",
        )
        for image in services.images.images_for(read_id)
    ]


@router.get(
    "/images/{sha256}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The image bytes"}},
)
def get_image(
    sha256: Sha256,
    principal: CurrentPrincipal,
    services: ServicesDep,
    purpose: Purpose = None,
    case_number: CaseNumber = None,
    justification: Justification = None,
) -> Response:
    """One image, if it belongs to a read the user may see, for a stated purpose and case."""
    read_ids = services.images.database.reads_with(sha256)
    read = services.gate.view_image(principal, read_ids, sha256, purpose, case_number, justification)
    attached = next((image for image in services.images.images_for(read.id) if image.ref.sha256 == sha256), None)
    try:
        data = services.images.get(sha256)
    except ImageNotFound:
        attached = None
    if attached is None:
        raise Refused(Decision.deny(f"image {sha256} is not on disk", "not_found", 404, "sha256"))
    return Response(data, media_type=attached.ref.media_type, headers=NO_STORE)

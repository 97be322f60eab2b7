"""Conversions at the API's edge: request models to domain objects, domain objects to response models."""

from __future__ import annotations

from plateledger.access.apikeys import ApiKey
from plateledger.access.principal import Principal
from plateledger.access.users import User
from plateledger.api.schemas.request import AreaSearch as AreaSearchBody
from plateledger.api.schemas.request import AreaShape, CircleArea, ExactSearch, NearSearch, SearchBase, WildcardSearch
from plateledger.api.schemas.response import (
    ApiKeyOut,
    ApprovalOut,
    CameraOut,
    CandidateOut,
    HitOut,
    PrincipalOut,
    ReadOut,
    UserOut,
)
from plateledger.policy.approvals import Approval
from plateledger.policy.query import SearchQuery, iso
from plateledger.reads import StoredRead, to_epoch_ms
from plateledger.store.contract import Area, Camera, Circle, Hit, Polygon, TimeWindow


def to_area(area: AreaShape) -> Area:
    if isinstance(area, CircleArea):
        return Circle(area.lat, area.lon, area.radius_m)
    return Polygon(tuple((point.lat, point.lon) for point in area.points))


def to_query(body: SearchBase) -> SearchQuery:
    window = TimeWindow(to_epoch_ms(body.window.start), to_epoch_ms(body.window.end))
    common = {
        "window": window,
        "purpose": body.purpose,
        "case_number": body.case_number,
        "justification": body.justification,
        "approval_id": body.approval_id,
        "limit": body.limit,
        "cursor": body.cursor,
    }
    if isinstance(body, ExactSearch):
        return SearchQuery(kind="exact", plate=body.plate, region=body.region, **common)  # type: ignore[arg-type]
    if isinstance(body, NearSearch):
        return SearchQuery(kind="near", plate=body.plate, **common)  # type: ignore[arg-type]
    if isinstance(body, WildcardSearch):
        return SearchQuery(kind="wildcard", pattern=body.pattern, **common)  # type: ignore[arg-type]
    assert isinstance(body, AreaSearchBody)
    return SearchQuery(kind="area", area=to_area(body.area), **common)  # type: ignore[arg-type]


def maybe_iso(epoch_ms: int | None) -> str | None:
    return None if epoch_ms is None else iso(epoch_ms)


def principal_out(principal: Principal) -> PrincipalOut:
    return PrincipalOut(
        kind=principal.kind,
        name=principal.name,
        agency_id=principal.agency_id,
        role=principal.role,
        scopes=sorted(principal.scopes),
    )


def user_out(user: User) -> UserOut:
    return UserOut(
        username=user.username,
        agency_id=user.agency_id,
        role=user.role,
        locked=user.locked,
        disabled=user.disabled,
        mfa_enrolled=user.mfa_confirmed_ms is not None,
        created_at=iso(user.created_ms),
        last_login_at=maybe_iso(user.last_login_ms),
    )


def key_out(key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        agency_id=key.agency_id,
        name=key.name,
        scopes=list(key.scopes),
        created_at=iso(key.created_ms),
        created_by=key.created_by,
        rotated_at=maybe_iso(key.rotated_ms),
        revoked_at=maybe_iso(key.revoked_ms),
    )


def camera_out(camera: Camera) -> CameraOut:
    return CameraOut(
        id=camera.id,
        agency_id=camera.agency_id,
        kind=camera.kind,
        description=camera.description,
        lat=camera.lat,
        lon=camera.lon,
        heading=camera.heading,
    )


def read_out(read: StoredRead) -> ReadOut:
    return ReadOut(
        id=read.id,
        pass_id=read.pass_id,
        plate=read.plate,
        plate_raw=read.plate_raw,
        region=read.region,
        region_assumed=read.region_assumed,
        confidence=read.confidence,
        observed_at=iso(read.observed_ms),
        lat=read.lat,
        lon=read.lon,
        heading=read.heading,
        camera_id=read.camera_id,
        agency_id=read.agency_id,
        is_best=read.is_best,
        candidates=[CandidateOut(plate=c.plate, confidence=c.confidence) for c in read.candidates],
    )


def hit_out(hit: Hit) -> HitOut:
    return HitOut(read=read_out(hit.read), how=hit.how, detail=hit.detail)


def approval_out(approval: Approval, now_ms: int) -> ApprovalOut:
    return ApprovalOut(
        id=approval.id,
        agency_id=approval.agency_id,
        requester=approval.requester,
        status=approval.status(now_ms),
        request=approval.request,
        reasons=approval.reasons,
        note=approval.note,
        created_at=iso(approval.created_ms),
        expires_at=iso(approval.expires_ms),
        decided_by=approval.decided_by,
        decided_at=maybe_iso(approval.decided_ms),
    )

"""Alerts: live to on-duty users (Server-Sent Events), listed, verified or rejected by a human; deliveries.

A hit is a lead, not probable cause: an alert shows the read's plate crop and overview beside the entry, says
how it matched in words, and becomes `verified` only with both confirmations (image compared, entry confirmed
with its source). Every step is in the ledger.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from plateledger.access.principal import Principal
from plateledger.access.recorder import record
from plateledger.access.users import AccessError
from plateledger.alerts.model import Alert
from plateledger.alerts.runtime import Alerting
from plateledger.alerts.schemas import (
    AlertOut,
    DeliveryOut,
    DispositionCount,
    DutyIn,
    DutyOut,
    RejectIn,
    VerifyIn,
)
from plateledger.alerts.stream import sse
from plateledger.api.auth import CurrentPrincipal, ServicesDep, require
from plateledger.api.services import Services
from plateledger.images import ImageNotFound
from plateledger.policy.decision import Decision, Refused

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])
AlertId = Annotated[int, Path(ge=1, le=2**62)]
HEARTBEAT_SECONDS = 15.0
NO_STORE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _alerting(services: Services) -> Alerting:
    return services.alerting


def _out(services: Services, alert: Alert, history: bool = False) -> AlertOut:
    shown = _alerting(services).shown(alert)
    if history:
        shown["history"] = _alerting(services).alerts.history(alert.id)
    return AlertOut(**shown)


def _session_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "alert events as they happen"}},
)
async def stream(
    request: Request,
    principal: CurrentPrincipal,
    services: ServicesDep,
    max_seconds: Annotated[
        float, Query(gt=0, le=43200, description="close after this long (EventSource clients reconnect)")
    ] = 3600.0,
) -> StreamingResponse:
    """The agency's alerts as Server-Sent Events, for a signed-in user: `alert` (new), `alert_repeat` (a collapsed
    repeat, count raised), `alert_update` (someone acknowledged, verified or rejected it). Opening the stream puts
    the user on duty, unless they toggled off duty. Comments keep the connection alive every 15 s; a session
    that ends (logout, expiry) ends the stream."""
    require(services, principal, "alert_read")
    if not principal.is_user:
        raise Refused(Decision.deny("the alert stream is for signed-in users, not API keys"))
    alerting = _alerting(services)
    subscriber = alerting.broker.subscribe(principal.agency_id, principal.name)
    token = _session_token(request)
    toggles = alerting.deliveries.duty(principal.agency_id)
    on_duty = toggles.get(principal.name, (principal.agency_id, True, 0))[1]

    def session_alive() -> bool:
        try:
            services.access.authenticate(token or "")
        except (AccessError, Refused):
            return False
        return True

    async def events() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_seconds
        try:
            yield "retry: 3000\n\n"
            hello = {"username": principal.name, "agency_id": principal.agency_id, "on_duty": on_duty}
            yield sse({"event": "hello", "data": hello})
            while (left := deadline - loop.time()) > 0:
                try:
                    event = await asyncio.wait_for(subscriber.queue.get(), timeout=min(HEARTBEAT_SECONDS, left))
                except TimeoutError:
                    if loop.time() < deadline:
                        if not await run_in_threadpool(session_alive):
                            yield sse({"event": "session_ended", "data": {"reason": "the session ended"}})
                            return
                        yield ": keep-alive\n\n"
                    continue
                if subscriber.missed:
                    yield sse({"event": "missed", "data": {"count": subscriber.missed}})
                    subscriber.missed = 0
                yield sse(event)
        finally:
            alerting.broker.unsubscribe(subscriber)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


@router.get("/duty")
def on_duty(principal: CurrentPrincipal, services: ServicesDep) -> list[DutyOut]:
    """Who is on duty for the agency's alerts: an open stream, or the explicit toggle."""
    require(services, principal, "alert_duty_read")
    return [DutyOut(**item) for item in _alerting(services).on_duty(principal.agency_id)]


@router.put("/duty")
def set_duty(body: DutyIn, principal: CurrentPrincipal, services: ServicesDep) -> DutyOut:
    """Say you are on duty (or off: an open stream then gets no alerts)."""
    require(services, principal, "alert_read")
    alerting = _alerting(services)
    alerting.set_duty(principal.name, principal.agency_id, body.on_duty)
    streaming = principal.name in alerting.broker.streaming(principal.agency_id)
    return DutyOut(username=principal.name, on_duty=body.on_duty, streaming=streaming, toggle=body.on_duty)


@router.get("/deliveries")
def deliveries(
    principal: CurrentPrincipal,
    services: ServicesDep,
    status: Literal["pending", "delivered", "retrying", "failed"] | None = None,
    alert_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    agency: Annotated[str | None, Query(min_length=1, max_length=32, description="default: your own")] = None,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="the last id of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeliveryOut]:
    """Alert deliveries (email/SMS, webhooks, MQTT), newest first; `status=failed` lists the failures."""
    target = agency or principal.agency_id
    require(services, principal, "alert_delivery_read", target)
    found = _alerting(services).deliveries.list(target, status=status, alert_id=alert_id, before=before, limit=limit)
    return [DeliveryOut(**item) for item in found]


@router.get("/dispositions")
def dispositions(principal: CurrentPrincipal, services: ServicesDep) -> list[DispositionCount]:
    """The agency's alerts counted by match type and disposition (open, verified, or the rejection reason)."""
    require(services, principal, "alert_stats")
    counts = _alerting(services).alerts.disposition_counts(principal.agency_id)
    return [DispositionCount(**row) for row in counts]


@router.get("")
def list_alerts(
    principal: CurrentPrincipal,
    services: ServicesDep,
    status: Literal["new", "acknowledged", "verified", "rejected"] | None = None,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="the last id of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[AlertOut]:
    """The agency's alerts, newest first."""
    require(services, principal, "alert_read")
    found = _alerting(services).alerts.list(principal.agency_id, status=status, before=before, limit=limit)
    return [_out(services, alert) for alert in found]


@router.get("/{alert_id}")
def get_alert(alert_id: AlertId, principal: CurrentPrincipal, services: ServicesDep) -> AlertOut:
    """One alert with its history: the read beside the entry, images, how it matched, who did what."""
    require(services, principal, "alert_read")
    return _out(services, _alerting(services).workflow.visible(principal, alert_id), history=True)


@router.get(
    "/{alert_id}/images/{sha256}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The image bytes"}},
)
def alert_image(
    alert_id: AlertId,
    sha256: Annotated[str, Path(pattern="^[0-9a-f]{64}$")],
    principal: CurrentPrincipal,
    services: ServicesDep,
) -> Response:
    """The plate crop or overview of the alert's read. The alert is the purpose and its entry's case the case:
    recorded as image_view with both."""
    require(services, principal, "alert_read")
    alert = _alerting(services).workflow.visible(principal, alert_id)
    attached = next((i for i in services.images.images_for(alert.read_id) if i.ref.sha256 == sha256), None)
    data = None
    if attached is not None:
        try:
            data = services.images.get(sha256)
        except ImageNotFound:
            data = None
    _record_image(services, principal, alert, sha256, None if attached is None else attached.kind, data is not None)
    if attached is None or data is None:
        raise Refused(Decision.deny(f"image {sha256} is not an image of alert {alert_id}", "not_found", 404, "sha256"))
    return Response(data, media_type=attached.ref.media_type, headers=NO_STORE)


def _record_image(
    services: Services, principal: Principal, alert: Alert, sha256: str, kind: str | None, found: bool
) -> None:
    record(
        services.ledger,
        "image_view",
        user=principal.name,
        agency=principal.agency_id,
        outcome="allowed" if found else "refused",
        reason="" if found else "not an image of this alert",
        parameters={"alert_id": alert.id, "read_id": alert.read_id, "sha256": sha256, "kind": kind},
        purpose="hotlist_alert",
        case_number=alert.entry.get("case_number"),
        result_count=1 if found else 0,
    )


@router.post("/{alert_id}/acknowledge")
def acknowledge(alert_id: AlertId, principal: CurrentPrincipal, services: ServicesDep) -> AlertOut:
    """Take up a new alert (the first step; recorded as alert_acknowledged)."""
    require(services, principal, "alert_handle", parameters={"alert_id": alert_id})
    return _out(services, _alerting(services).workflow.acknowledge(principal, alert_id))


@router.post("/{alert_id}/verify")
def verify(alert_id: AlertId, body: VerifyIn, principal: CurrentPrincipal, services: ServicesDep) -> AlertOut:
    """Verify an acknowledged alert: `image_compared` and `confirmed_with_source` must both be true (else 422
    naming the missing one). A STALE alert cannot be verified (409)."""
    require(services, principal, "alert_handle", parameters={"alert_id": alert_id})
    workflow = _alerting(services).workflow
    return _out(
        services, workflow.verify(principal, alert_id, body.image_compared, body.confirmed_with_source, body.note)
    )


@router.post("/{alert_id}/reject")
def reject(alert_id: AlertId, body: RejectIn, principal: CurrentPrincipal, services: ServicesDep) -> AlertOut:
    """Reject an alert: misread, wrong_region, stale_entry or no_longer_wanted."""
    require(services, principal, "alert_handle", parameters={"alert_id": alert_id})
    return _out(services, _alerting(services).workflow.reject(principal, alert_id, body.reason, body.note))

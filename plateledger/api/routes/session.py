"""The use banner, login (password + TOTP + banner acknowledgement), the current principal, logout."""

from __future__ import annotations

from fastapi import APIRouter, Response

from plateledger.api.auth import CurrentPrincipal, ServicesDep, public, require
from plateledger.api.convert import principal_out
from plateledger.api.schemas.request import LoginRequest
from plateledger.api.schemas.response import Banner, PrincipalOut, SessionOut
from plateledger.api.tags import Tags
from plateledger.policy.query import iso

router = APIRouter(prefix="/api/v1", tags=[Tags.session])


@router.get("/banner")
@public
def banner(services: ServicesDep) -> Banner:
    """The use banner every user must acknowledge at login."""
    return Banner(banner=services.settings.banner)


@router.post("/session", status_code=201)
@public
def login(body: LoginRequest, services: ServicesDep) -> SessionOut:
    """Log in with username, password and the current TOTP code; `banner_ack: true` is required."""
    access = services.access
    user = access.users.login(body.username, body.password, body.totp)
    token = access.sessions.issue(user)
    now = access.clock.now_ms()
    principal = access.sessions.resolve(token)
    return SessionOut(
        token=token,
        expires_at=iso(now + services.settings.session_absolute_seconds * 1000),
        idle_timeout_seconds=services.settings.session_idle_seconds,
        principal=principal_out(principal),
    )


@router.get("/session")
def whoami(principal: CurrentPrincipal, services: ServicesDep) -> PrincipalOut:
    """Who the bearer token belongs to."""
    require(services, principal, "session_read")
    return principal_out(principal)


@router.delete("/session", status_code=204, response_class=Response)
def logout(principal: CurrentPrincipal, services: ServicesDep) -> Response:
    """End the session: its token stops working at once."""
    services.access.sessions.end(principal)
    return Response(status_code=204)

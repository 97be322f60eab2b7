"""Deny by default: every route needs an authenticated principal unless it is declared @public on the route.

`authenticate` is a dependency of the whole app. It looks at the matched endpoint: one marked with @public is
let through without credentials; any other needs a valid bearer token (a session token or an API key), or the
request ends with 401 before the route runs. The routes then ask `require()` whether the principal may do the
action, which consults the one authorization table (plateledger.policy.actions) and records refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from plateledger.access.principal import Principal
from plateledger.access.recorder import record
from plateledger.api.services import Services
from plateledger.policy.actions import ACTIONS, authorize
from plateledger.policy.decision import Decision, Refused

PUBLIC_MARK = "__plateledger_public__"
F = TypeVar("F", bound=Callable[..., Any])

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A session token from POST /api/v1/session, or an API key (plk_...).",
)


def public(endpoint: F) -> F:
    """Declare a route public: it answers without credentials. Put it on the route function itself."""
    setattr(endpoint, PUBLIC_MARK, True)
    return endpoint


def is_public(endpoint: object) -> bool:
    return bool(getattr(endpoint, PUBLIC_MARK, False))


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    services: Annotated[Services, Depends(get_services)],
) -> Principal | None:
    """The app-wide dependency: the principal, or None on a public route; 401 otherwise."""
    if is_public(request.scope.get("endpoint")):
        return None
    if credentials is None:
        raise Refused(
            Decision.deny("authentication required: send Authorization: Bearer <token>", "unauthenticated", 401)
        )
    principal = services.access.authenticate(credentials.credentials)
    request.state.principal = principal
    return principal


def _query_names(dependant: Any) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def reject_unknown_query(request: Request) -> None:
    """The app-wide check that every query parameter is one the route declares, given once: unknown or repeated
    ones are refused (no route takes a list in its query; one that does must be exempted here)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.query_params:
        return
    known = _query_names(dependant)
    for name in request.query_params:
        field = name or "(empty name)"
        if name not in known:
            raise Refused(Decision.deny(f"{field}: unknown query parameter", "invalid", 422, field))
        if len(request.query_params.getlist(name)) > 1:
            raise Refused(Decision.deny(f"{field}: given more than once", "invalid", 422, field))


def current_principal(principal: Annotated[Principal | None, Depends(authenticate)]) -> Principal:
    if principal is None:  # a public route asked for a principal: a programming error, refused all the same
        raise Refused(Decision.deny("authentication required", "unauthenticated", 401))
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
ServicesDep = Annotated[Services, Depends(get_services)]


def require(
    services: Services,
    principal: Principal,
    action: str,
    agency_id: str | None = None,
    parameters: dict[str, Any] | None = None,
) -> Decision:
    """Allow or raise Refused; a refused audited action is recorded in the ledger with the reason."""
    decision = authorize(principal, action, agency_id)
    if decision.allowed:
        return decision
    rule = ACTIONS.get(action)
    if rule is not None and rule.audit is not None:
        record(
            services.ledger,
            rule.audit,
            user=principal.name,
            agency=agency_id or principal.agency_id,
            outcome="refused",
            reason=decision.reason,
            parameters=parameters or {},
        )
    raise Refused(decision)

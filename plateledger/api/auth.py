"""Deny by default: every route needs an authenticated principal unless it is declared @public on the route.

`check_request` is the dependency of the whole app. Its `authenticate` looks at the matched endpoint: one marked
with @public is let through without credentials; any other needs a valid bearer token (a session token or an
API key), or the request ends with 401 before the route runs. The routes then ask `require()` whether the
principal may do the action, which consults the one authorization table (plateledger.policy.actions) and
records refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool

from plateledger.access.principal import Principal
from plateledger.access.recorder import record
from plateledger.access.tokens import API_KEY_PREFIX
from plateledger.access.users import AccessError
from plateledger.api.ingest_senders import credential_id, record_refusal
from plateledger.api.services import Services
from plateledger.policy.actions import ACTIONS, authorize
from plateledger.policy.decision import Decision, Refused

PUBLIC_MARK = "__plateledger_public__"
INGEST_MARK = "__plateledger_ingest__"  # True, or "query_key" where the key may also come as ?key=
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


def ingest_route(*, query_key: bool = False) -> Callable[[F], F]:
    """Declare an ingest route: a refused credential is recorded as `ingest_refused`. `query_key`: the API key
    may also come as the query parameter `key` (for camera software that cannot send headers)."""

    def mark(endpoint: F) -> F:
        setattr(endpoint, INGEST_MARK, "query_key" if query_key else True)
        return endpoint

    return mark


def _ingest_mark(endpoint: object) -> object:
    return getattr(endpoint, INGEST_MARK, None)


# The app-wide dependency is one coroutine with no dependencies of its own. A plain function dependency would
# run in a worker thread (a handful of thread hops cost more than a whole small request), and FastAPI solves
# each sub-dependency per request, again for every dependant that names it: solving dependencies held the GIL
# for 18 % of the time on ingest posts (bench-ingest under py-spy). So the bearer token is read by calling
# `bearer` directly, and the OpenAPI document declares its scheme itself (app.py).


def services_of(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


async def get_services(request: Request) -> Services:
    return services_of(request)


async def check_request(request: Request) -> None:
    """The app-wide dependency: authenticate (401 unless the route is public), then refuse unknown query
    parameters (422)."""
    await authenticate(request)
    await reject_unknown_query(request)


async def authenticate(request: Request) -> Principal | None:
    """The principal, or None on a public route; 401 otherwise. Kept in `request.state.principal`.

    An API key is checked on the event loop (a digest; its row is read again at most every few seconds, see
    apikeys.py); a session, whose use is written to the access database, in a worker thread."""
    endpoint = request.scope.get("endpoint")
    if is_public(endpoint):
        return None
    services: Services = request.app.state.services
    ingest = _ingest_mark(endpoint)
    credentials = await bearer(request)
    token = None if credentials is None else credentials.credentials
    if token is None and ingest == "query_key":
        token = request.query_params.get("key") or None
    try:
        if token is None:
            raise Refused(
                Decision.deny("authentication required: send Authorization: Bearer <token>", "unauthenticated", 401)
            )
        if token.startswith(API_KEY_PREFIX):
            principal = services.access.authenticate(token)
        else:
            principal = await run_in_threadpool(services.access.authenticate, token)
    except (Refused, AccessError) as error:
        if ingest is not None:
            reason = error.decision.reason if isinstance(error, Refused) else error.detail
            await run_in_threadpool(
                partial(record_refusal, route=request.url.path, credential=credential_id(token), status=401),
                services.ledger,
                reason,
            )
        raise
    request.state.principal = principal
    return principal


def _query_names(dependant: Any) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def reject_unknown_query(request: Request) -> None:
    """Every query parameter must be one the route declares, given once: unknown or repeated ones are refused
    (no route takes a list in its query; one that does must be exempted here)."""
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


async def current_principal(request: Request) -> Principal:
    """The principal the app-wide `check_request` found (FastAPI runs app-wide dependencies first)."""
    return principal_of(request)


def principal_of(request: Request) -> Principal:
    """`current_principal` without a dependency: for the ingest routes, where FastAPI's solving of each
    dependency is a measurable part of a small post."""
    principal: Principal | None = getattr(request.state, "principal", None)
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

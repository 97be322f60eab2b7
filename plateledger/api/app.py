"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from plateledger import __version__
from plateledger.access import Access
from plateledger.api.auth import bearer, check_request, is_public
from plateledger.api.errors import install_error_handlers
from plateledger.api.metrics import Metrics
from plateledger.api.middleware import BodyLimitMiddleware, MetricsMiddleware
from plateledger.api.routes import (
    agencies,
    alerts,
    api_keys,
    approvals,
    audit,
    cameras,
    health,
    hotlists,
    images,
    ingest,
    ingest_keys,
    reads,
    searches,
    session,
    users,
)
from plateledger.api.schemas.response import ErrorBody
from plateledger.api.services import Services
from plateledger.audit import AuditLedger
from plateledger.config import Settings
from plateledger.ingest import ROUTES as INGEST_ROUTES
from plateledger.store.contract import ReadStore

# Starlette matches a request against the routes in this order: ingest, by far the busiest, goes first (matched
# after the routers of ten resources, a post cost 0.25 ms more server CPU: 1.85 against 1.6 ms, bench-ingest).
ROUTERS = (ingest, health, session, agencies, users, api_keys, cameras, searches, reads, approvals, audit)
ROUTERS += (ingest_keys, images)
ROUTERS += (hotlists, alerts)
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
DOC_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect"})
ERROR_STATUSES = {
    400: "Malformed request (e.g. malformed JSON)",
    401: "Not authenticated: no, expired or forged credentials",
    403: "Not permitted, with the reason",
    404: "Not found",
    409: "Conflict with the current state",
    413: "Request body over the limit",
    422: "Invalid input: `field` names the first failing field",
}


def create_app(
    settings: Settings, store: ReadStore, access: Access, ledger: AuditLedger, *, metrics: Metrics | None = None
) -> FastAPI:
    """The HTTP API over a read store, the access database and the audit ledger. Deny by default."""
    return app_for(Services(settings, store, access, ledger, metrics or Metrics()))


def app_for(services: Services, *, lifespan: Lifespan | None = None) -> FastAPI:
    """The HTTP API over services already opened (by `open_services`): one set of engines and threads.
    `lifespan` runs around serving (a worker process closes its services after it)."""
    app = FastAPI(
        lifespan=lifespan,
        title="plateledger",
        version=__version__,
        description="An accountable records platform for automated licence plate readers. Every search needs a "
        "purpose and a case, passes the policy gate and is recorded in a tamper-evident ledger.",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(check_request)],
        # FastAPI's own OpenTelemetry hooks look up the global providers on every request (2-3 % of a small
        # post's CPU); the server's figures are its Prometheus metrics (/metrics) and its logs.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        responses={status: {"model": ErrorBody, "description": text} for status, text in ERROR_STATUSES.items()},
    )
    settings = services.settings
    app.state.services = services
    install_error_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router)
    app.state.allowed_methods = allowed_methods
    ingest_limits = dict.fromkeys(INGEST_ROUTES.values(), settings.ingest_max_body_bytes)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, path_limits=ingest_limits)
    app.add_middleware(MetricsMiddleware, metrics=services.metrics, static_paths=DOC_PATHS)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def api_routes() -> list[APIRoute]:
    """Every API route of the app's routers."""
    return [route for module in ROUTERS for route in module.router.routes if isinstance(route, APIRoute)]


def allowed_methods(path: str) -> set[str]:
    """The methods some API route answers on this path (the Allow header of a 405)."""
    return {method for route in api_routes() if route.path_regex.match(path) for method in route.methods}


def _not_nullable(parameter: dict[str, Any]) -> None:
    """An optional parameter is left out, never sent as null (a query string cannot carry a null): drop the
    `null` alternative FastAPI writes for `str | None` parameters."""
    schema = parameter.get("schema", {})
    options = schema.get("anyOf")
    if parameter.get("in") != "path" and options:
        kept = [option for option in options if option.get("type") != "null"]
        if len(kept) == 1:
            parameter["schema"] = {**{k: v for k, v in schema.items() if k != "anyOf"}, **kept[0]}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document: every route needs the bearer scheme, but those marked public (no credentials).
    The scheme is declared here because `check_request` reads the token itself (see auth.py)."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes, tags=None
        )
        for path in schema["paths"].values():
            for operation in path.values():
                for parameter in operation.get("parameters", []):
                    _not_nullable(parameter)
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes[bearer.scheme_name] = bearer.model.model_dump(mode="json", by_alias=True, exclude_none=True)
        for route in api_routes():
            needs = [] if is_public(route.endpoint) else [{bearer.scheme_name: []}]
            for method in route.methods:
                schema["paths"][route.path_format][method.lower()]["security"] = needs
        app.openapi_schema = schema
    return app.openapi_schema

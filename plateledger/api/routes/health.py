"""Liveness and metrics: public, for load balancers and Prometheus."""

from __future__ import annotations

from fastapi import APIRouter, Response

from plateledger.api.auth import ServicesDep, public
from plateledger.api.metrics import CONTENT_TYPE_LATEST
from plateledger.api.schemas.response import Health
from plateledger.api.tags import Tags

router = APIRouter(tags=[Tags.health])


@router.get("/healthz")
@public
def healthz(services: ServicesDep) -> Health:
    """Liveness: the read store answers."""
    return Health(status="ok", reads=services.store.count_reads(), agencies=len(services.store.list_agencies()))


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
@public
def metrics(services: ServicesDep) -> Response:
    """Prometheus metrics: requests by route and status, latency, searches by kind and outcome."""
    return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)

"""Reads from camera software: our own batches, OpenALPR / Rekor agents, Plate Recognizer webhooks.

Each route authenticates an ingest credential (an API key with scope `ingest`), builds its IngestContext,
and hands the raw body to the Ingestor. A 200 means every stored read, image link and extra is durably
committed; the answer lists each item's outcome. A payload that cannot be parsed is kept as a dead letter
and answered 422; a native batch over 10,000 reads (or a body over the ingest limit) 413. Every refusal of a
credential or payload is recorded in the ledger as `ingest_refused`. See docs/ingest.md.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from plateledger.access.principal import Principal
from plateledger.api.auth import ingest_route, principal_of, require, services_of
from plateledger.api.ingest_docs import body_docs
from plateledger.api.ingest_senders import key_id_of, record_refusal
from plateledger.api.schemas.ingest import IngestOut
from plateledger.api.services import Services
from plateledger.api.tags import Tags
from plateledger.ingest import ROUTES, IngestContext, IngestOutcome, Rejected
from plateledger.ingest.pipeline import PendingIngest

router = APIRouter(tags=[Tags.ingest])
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"model": IngestOut, "description": "Committed: one outcome per item of the payload"},
}
MAX_FORM_FILES = 4
# A body this small is parsed on the event loop: an OpenALPR post with its 20 KB crop in about 0.1 ms, less
# than the hop to a worker thread and back, where its parsing would also take the GIL from the loop (bench-ingest,
# crop posts: 838-861 -> 973-994 a second with the image checks alone in threads). One that cannot be parsed is
# dead-lettered from there too (a small commit). A larger body (a native batch of thousands of reads, tens of
# milliseconds to parse) goes to a worker thread, so the loop keeps answering.
INLINE_BODY_BYTES = 256 * 1024


def _credential(principal: Principal) -> str:
    return key_id_of(principal) if principal.kind == "api_key" else principal.name


def _authorize(services: Services, principal: Principal, route: str) -> None:
    require(services, principal, "reads_ingest", parameters={"route": route, "credential_id": _credential(principal)})


def _rejected(services: Services, principal: Principal, route: str, error: Rejected) -> JSONResponse:
    code = "payload_too_large" if error.status == 413 else "payload_refused"
    record_refusal(
        services.ledger,
        f"{error.field}: {error.reason}",
        route=route,
        credential=_credential(principal),
        agency=principal.agency_id,
        status=error.status,
        dead_letter=error.deadletter_id,
    )
    body = {"error": code, "detail": f"{error.field}: {error.reason}", **error.to_dict()}
    body["error"] = code
    return JSONResponse(body, status_code=error.status)


def _answer(services: Services, principal: Principal, route: str, outcome: IngestOutcome) -> JSONResponse:
    unknown = [item for item in outcome.items if item["status"] == "refused" and item.get("field") == "camera_id"]
    if unknown:
        record_refusal(
            services.ledger,
            f"{len(unknown)} item(s) refused: {unknown[0]['reason']}",
            route=route,
            credential=_credential(principal),
            agency=principal.agency_id,
            items=[item["index"] for item in unknown[:50]],
        )
    return JSONResponse(outcome.to_dict())


def _camera_ids(document: Any) -> set[str]:
    """Our camera ids a native batch names (its other problems are the adapter's to report)."""
    reads = document.get("reads") if isinstance(document, dict) else None
    if not isinstance(reads, list):
        return set()
    return {item["camera_id"] for item in reads if isinstance(item, dict) and isinstance(item.get("camera_id"), str)}


async def _receive_json(request: Request, adapter: str, route: str) -> JSONResponse:
    principal, services = principal_of(request), services_of(request)
    _authorize(services, principal, route)
    body = await request.body()
    content_type = request.headers.get("content-type", "application/json")

    ingestor = services.ingestor

    def start() -> PendingIngest:
        context, binding = services.senders.context(principal)
        document = None
        if adapter == "native":
            try:
                document = json.loads(body)
            except ValueError:
                document = None  # the adapter says why, and the body becomes a dead letter
            if isinstance(document, dict):
                context = services.senders.check_cameras(principal, context, binding, _camera_ids(document), route)
            else:
                document = None
        return ingestor.start(adapter, body, context, content_type=content_type, document=document)

    try:
        if ingestor.awaits_commits:
            # Parsed here or in a worker thread; then the image checks run in the ingestor's threads and the
            # commits are awaited here: no thread is parked for the length of a group commit.
            outcome = await ingestor.finish(
                start() if len(body) < INLINE_BODY_BYTES else await run_in_threadpool(start)
            )
        else:
            outcome = await run_in_threadpool(lambda: ingestor.complete(start()))
    except Rejected as error:
        return _rejected(services, principal, route, error)
    return _answer(services, principal, route, outcome)


@router.post(ROUTES["native"], responses=ANSWERS, openapi_extra=body_docs("native"))
@ingest_route()
async def post_reads(request: Request) -> JSONResponse:
    """A batch of reads in plateledger's own format (at most 10,000 a batch).

    Each read names its camera (our id) or takes the credential's camera. A read for a camera the credential
    may not post for (another agency's, or outside the key's cameras) refuses the whole batch with 403; a read
    for an unknown camera is refused alone. A read sent again with its `source_id` answers `duplicate`.
    """
    return await _receive_json(request, "native", ROUTES["native"])


@router.post(ROUTES["openalpr"], responses=ANSWERS, openapi_extra=body_docs("openalpr"))
@ingest_route(query_key=True)
async def post_openalpr(
    request: Request,
    key: Annotated[
        str | None,
        Query(
            max_length=200,
            description="The ingest API key, for OpenALPR agents that cannot send an Authorization header "
            "(this route only). It lands in proxy and server logs: prefer the header where the sender can.",
        ),
    ] = None,
) -> JSONResponse:
    """An OpenALPR Agent / Rekor Scout webhook: `alpr_group`, `alpr_results`, `alpr_alert`, `vehicle`,
    `heartbeat`, or the open-source alprd's results (no `data_type`)."""
    return await _receive_json(request, "openalpr", ROUTES["openalpr"])


@router.post(ROUTES["platerecognizer"], responses=ANSWERS, openapi_extra=body_docs("platerecognizer"))
@ingest_route()
async def post_platerecognizer(request: Request) -> JSONResponse:
    """A Plate Recognizer Stream or Snapshot webhook: JSON, or multipart/form-data with the JSON in the `json`
    field and the image in the `upload` file ("webhook with image")."""
    route = ROUTES["platerecognizer"]
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return await _receive_json(request, "platerecognizer", route)
    principal, services = principal_of(request), services_of(request)
    _authorize(services, principal, route)
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    async with request.form(max_files=MAX_FORM_FILES, max_fields=20) as form:
        for name, value in form.multi_items():
            if isinstance(value, str):
                fields[name] = value
            else:
                files[name] = await value.read()

    def work() -> IngestOutcome:
        context: IngestContext = services.senders.context(principal)[0]
        return services.ingestor.receive_form("platerecognizer", fields, files, context)

    try:
        outcome = await run_in_threadpool(work)
    except Rejected as error:
        return _rejected(services, principal, route, error)
    return _answer(services, principal, route, outcome)

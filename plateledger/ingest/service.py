"""What the API routes call: one `Ingestor` holding the store, images, records and dead letters.

    ingestor = Ingestor(store, images=ImageStore(...), records=IngestRecords(...), deadletters=DeadLetterStore(...))
    context = context_for_camera(store, authenticated_camera_id, credential_id=credential.id)
    outcome = ingestor.receive("openalpr", await request.body(), context)      # 200 + outcome.to_dict()
    # Rejected(status 422 or 413, field, reason, deadletter_id) -> answer error.to_dict() with error.status

A payload that cannot be parsed is dead-lettered before Rejected is raised: nothing is lost. A batch over the
size limit (413) is not: the sender still holds it and sends it again in smaller batches.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypedDict, Unpack

from plateledger.images import ImageStore
from plateledger.ingest.deadletters import DeadLetter, DeadLetterStore
from plateledger.ingest.model import BatchTooLarge, CameraInfo, IngestContext, ParsedPayload, PayloadError
from plateledger.ingest.pipeline import (
    HotlistHook,
    IngestOutcome,
    PendingIngest,
    StoredItem,
    complete,
    ingest,
    ingest_async,
    no_hotlists,
)
from plateledger.ingest.records import IngestRecords
from plateledger.ingest.registry import get_adapter
from plateledger.ingest.writes import DirectWrites, GroupWrites, Writes
from plateledger.reads import BatchResult, NewRead
from plateledger.store.contract import NotFound, ReadStore

log = logging.getLogger(__name__)

IMAGE_CHECK_THREADS = 2

# The URL paths the API mounts each adapter at (documented in docs/ingest.md).
ROUTES = {
    "native": "/api/v1/reads",
    "openalpr": "/api/v1/ingest/openalpr",
    "platerecognizer": "/api/v1/ingest/platerecognizer",
}


class PayloadOptions(TypedDict, total=False):
    """The keyword options of `Ingestor.start`, which `receive` passes on."""

    content_type: str
    source: str
    document: dict[str, Any] | None


class Rejected(Exception):
    """A payload refused whole: the HTTP status to answer, the field and reason, and its dead letter."""

    def __init__(self, status: int, field_name: str, reason: str, deadletter_id: int | None = None) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.status = status
        self.field = field_name
        self.reason = reason
        self.deadletter_id = deadletter_id

    def to_dict(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"error": "payload refused", "field": self.field, "reason": self.reason}
        if self.deadletter_id is not None:
            answer["dead_letter"] = self.deadletter_id
        return answer


def camera_info(store: ReadStore, camera_id: str) -> CameraInfo:
    """Our camera as ingest needs it, with its agency's jurisdiction (NotFound for an unknown camera)."""
    camera = store.get_camera(camera_id)
    try:
        jurisdiction: str | None = store.get_agency(camera.agency_id).jurisdiction
    except NotFound:
        jurisdiction = None
    return CameraInfo(
        id=camera.id,
        agency_id=camera.agency_id,
        kind=camera.kind,
        jurisdiction=jurisdiction,
        lat=camera.lat,
        lon=camera.lon,
        heading=camera.heading,
        created_ms=camera.created_ms,
    )


def context_for_camera(
    store: ReadStore,
    camera_id: str | None,
    *,
    sources: Mapping[str, str] | None = None,
    credential_id: str | None = None,
) -> IngestContext:
    """The context for an authenticated camera (or agent): `sources` maps the sender's camera names or
    numbers to our camera ids, for agents that post for several cameras."""
    infos: dict[str, CameraInfo] = {}

    def info(ours: str) -> CameraInfo:
        if ours not in infos:
            infos[ours] = camera_info(store, ours)
        return infos[ours]

    return IngestContext(
        camera=None if camera_id is None else info(camera_id),
        sources={name: info(ours) for name, ours in (sources or {}).items()},
        credential_id=credential_id,
    )


class Ingestor:
    def __init__(
        self,
        store: ReadStore,
        *,
        images: ImageStore | None = None,
        records: IngestRecords | None = None,
        deadletters: DeadLetterStore | None = None,
        hotlist_hook: HotlistHook | None = None,
        group_commit: bool = False,
    ) -> None:
        self.store = store
        self.images = images
        self.records = records
        self.deadletters = deadletters
        self.hotlist_hook: HotlistHook = hotlist_hook or no_hotlists  # settable after construction
        # Group commit shares transactions between concurrent callers (an HTTP server's requests): see commit.py.
        self.writes: Writes = (GroupWrites if group_commit else DirectWrites)(store, images, records)
        # Where `finish` checks images. Pillow lets the GIL go while it decodes, so two threads keep both cores
        # busy; more only take the GIL from the event loop more often.
        self._image_checks = ThreadPoolExecutor(IMAGE_CHECK_THREADS, thread_name_prefix="image-check")

    def ingest(self, parsed: ParsedPayload) -> IngestOutcome:
        return ingest(parsed, self.store, self.images, self.hotlist_hook, records=self.records, writes=self.writes)

    def append_reads(self, reads: list[NewRead]) -> BatchResult:
        """Reads a subscriber parsed itself (Frigate over MQTT): committed like any payload's, then handed
        to the hot-list hook. A sink for FrigateSubscriber."""
        result = self.writes.append(reads)
        stored = [StoredItem(index, reads[index], read_id) for index, read_id in sorted(result.stored.items())]
        if stored:
            try:
                self.hotlist_hook(stored)
            except Exception:  # committed already: a failing hook must not fail the sink
                log.exception("hot-list hook failed for %d reads", len(stored))
        return result

    def close(self) -> None:
        """Finish queued commits and close ingest's own files (not the read store: it is the caller's)."""
        self._image_checks.shutdown()  # first: a check still running ends in a write
        self.writes.close()
        for part in (self.images, self.records, self.deadletters):
            if part is not None:
                part.close()

    def _dead_letter(self, error: PayloadError, **letter: Any) -> Rejected:
        letter_id = None
        if self.deadletters is not None and not isinstance(error, BatchTooLarge):
            letter_id = self.deadletters.add(field_name=error.field, reason=error.reason, **letter)
        return Rejected(error.status, error.field, error.reason, letter_id)

    def receive(
        self, adapter: str, body: bytes, context: IngestContext, **options: Unpack[PayloadOptions]
    ) -> IngestOutcome:
        """Parse and store one payload (`start`, then its writes, each blocking until durable); raise Rejected
        (after dead-lettering it) when it cannot be parsed."""
        return self.complete(self.start(adapter, body, context, **options))

    def start(
        self,
        adapter: str,
        body: bytes,
        context: IngestContext,
        *,
        content_type: str = "application/json",
        source: str = "http",
        document: dict[str, Any] | None = None,
    ) -> PendingIngest:
        """A payload parsed, its steps (image checks, writes) still to run: by `complete` in this thread, or
        awaited by `finish` on an event loop. `document`: the body's JSON object when the caller decoded it
        already (the body is still what a dead letter keeps). Rejected (after dead-lettering the payload) when
        it cannot be parsed."""
        try:
            parsed = get_adapter(adapter).parse(body if document is None else document, context)
        except PayloadError as error:
            raise self._dead_letter(
                error, adapter=adapter, body=body, content_type=content_type, context=context, source=source
            ) from None
        return PendingIngest(parsed, self.images, self.hotlist_hook, self.records)

    @property
    def awaits_commits(self) -> bool:
        """Whether `finish` can await the commits (group commit); else callers `complete` in a thread."""
        return isinstance(self.writes, GroupWrites)

    def complete(self, pending: PendingIngest) -> IngestOutcome:
        """The steps of a started payload, in this thread, each write blocking until durable."""
        return complete(pending, self.writes)

    async def finish(self, pending: PendingIngest) -> IngestOutcome:
        """The steps of a started payload on an event loop: image checks in this ingestor's threads, writes
        awaited as group-commit futures (only with group commit)."""
        if not isinstance(self.writes, GroupWrites):
            raise RuntimeError("only group commit hands out futures: complete() in a worker thread instead")
        return await ingest_async(pending, self.writes, self._image_checks)

    def receive_form(
        self,
        adapter: str,
        fields: Mapping[str, str],
        files: Mapping[str, bytes],
        context: IngestContext,
        *,
        source: str = "http",
    ) -> IngestOutcome:
        """A multipart/form-data webhook, given its text fields and uploaded files (by form field name)."""
        handler = get_adapter(adapter)
        parse_form = getattr(handler, "parse_form", None)
        if parse_form is None:
            raise Rejected(415, "content-type", f"the {adapter} adapter takes JSON, not form data")
        try:
            parsed = parse_form(fields, files, context)
        except PayloadError as error:
            body = str(fields.get("json", "")).encode()
            raise self._dead_letter(
                error,
                adapter=adapter,
                body=body,
                content_type="multipart/form-data",
                context=context,
                source=source,
                form={name: str(value) for name, value in fields.items() if name != "json"},
                files=files,
            ) from None
        return self.ingest(parsed)

    # -- dead letters ----------------------------------------------------------------------------------------------
    def refreshed_context(self, letter: DeadLetter, sources: Mapping[str, str] | None = None) -> IngestContext:
        """The letter's context with each camera as registered now, plus any new source mappings."""

        def fresh(camera: CameraInfo) -> CameraInfo:
            try:
                return camera_info(self.store, camera.id)
            except NotFound:
                return camera

        context = letter.context
        mapped = {name: fresh(camera) for name, camera in context.sources.items()}
        for name, ours in (sources or {}).items():
            mapped[name] = camera_info(self.store, ours)
        return replace(context, camera=None if context.camera is None else fresh(context.camera), sources=mapped)

    def reprocess(self, letter_id: int, sources: Mapping[str, str] | None = None) -> IngestOutcome:
        """Run a dead letter through its (fixed) adapter and the pipeline again. On success it is marked
        reprocessed with the outcome; on failure it stays pending with the new reason, and Rejected is raised."""
        if self.deadletters is None:
            raise RuntimeError("this ingestor keeps no dead letters")
        letter = self.deadletters.get(letter_id)
        if letter.status != "pending":
            raise ValueError(f"dead letter {letter_id} is {letter.status}, not pending")
        context = self.refreshed_context(letter, sources)
        handler = get_adapter(letter.adapter)
        try:
            if letter.content_type.startswith("multipart/form-data"):
                parsed = handler.parse_form({**letter.form, "json": letter.body.decode()}, letter.files, context)  # type: ignore[attr-defined]
            else:
                parsed = handler.parse(letter.body, context)
        except PayloadError as error:
            self.deadletters.mark_failed_again(letter_id, error.field, error.reason)
            raise Rejected(error.status, error.field, error.reason, letter_id) from None
        outcome = self.ingest(parsed)
        summary = outcome.to_dict()
        summary.pop("items", None)
        summary["read_ids"] = [item.get("id") for item in outcome.items if item.get("id") is not None]
        self.deadletters.mark_reprocessed(letter_id, summary)
        return outcome

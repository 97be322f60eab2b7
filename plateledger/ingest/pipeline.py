"""From a parsed payload to durable reads: image checks, region, store, images, extras, liveness, then the
hot-list hook.

`ingest` returns only after the store committed the batch: an outcome means the stored reads survive a crash.
Source read ids make it idempotent: a payload sent twice is answered with duplicates, stored once (the store
deduplicates on source id per agency), and its images and extras attach to the reads stored the first time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Generator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from plateledger.images import ImageError, ImageStore
from plateledger.images.store import ImageRef
from plateledger.ingest.model import ParsedPayload, PendingImage, ReadExtras
from plateledger.ingest.records import IngestRecords
from plateledger.ingest.writes import Attachments, DirectWrites, GroupWrites, Writes
from plateledger.reads import BatchResult, NewRead
from plateledger.store.contract import ReadStore

log = logging.getLogger(__name__)


class StoredItem(NamedTuple):
    """A read that this ingest stored (not a duplicate): handed to the hot-list hook. (A named tuple: a
    batch builds thousands, at under half the cost of a frozen dataclass.)"""

    source_index: int
    read: NewRead
    read_id: int
    extras: ReadExtras | None = None


HotlistHook = Callable[[list[StoredItem]], None]


def no_hotlists(items: list[StoredItem]) -> None:
    """The default hot-list hook: nothing is checked yet (a later issue brings hot lists)."""


@dataclass(slots=True)
class IngestOutcome:
    """What happened to each item of a payload, by the payload's own item index."""

    adapter: str
    kind: str
    items: list[dict[str, Any]] = field(default_factory=list)
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    images_stored: int = 0
    images_refused: int = 0
    liveness: int = 0
    notes: list[str] = field(default_factory=list)
    hook_error: str | None = None
    stored_items: list[StoredItem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON an API answers with."""
        answer: dict[str, Any] = {
            "adapter": self.adapter,
            "kind": self.kind,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "refused": self.refused,
            "images_stored": self.images_stored,
            "images_refused": self.images_refused,
            "items": self.items,
        }
        if self.liveness:
            answer["liveness"] = self.liveness
        if self.notes:
            answer["notes"] = self.notes
        return answer


def _with_region(parsed: ParsedPayload) -> list[NewRead]:
    """A read without a region gets its camera's jurisdiction, marked as assumed."""
    cameras = parsed.context.cameras()
    reads = []
    for read in parsed.reads:
        camera = cameras.get(read.camera_id)
        if read.region is None and camera is not None and camera.jurisdiction:
            read = read._replace(region=camera.jurisdiction, region_assumed=True)
        reads.append(read)
    return reads


# An image as checked: what it is, or why it is refused.
Checked = tuple[PendingImage, ImageRef | str]
ImageChecks = Callable[[], list[Checked]]

# What an ingest waits for between its steps: the check of its images, if it has any (a function the driver
# calls, answered with its verdicts), a durable append of reads (answered with the store's BatchResult), then
# a durable attach of images, links, extras and liveness (answered with None).
Step = (
    tuple[Literal["check"], ImageChecks]
    | tuple[Literal["append"], list[NewRead]]
    | tuple[Literal["attach"], Attachments]
)
Steps = Generator[Step, Any, IngestOutcome]


def ingest(
    parsed: ParsedPayload,
    store: ReadStore,
    images: ImageStore | None = None,
    hotlist_hook: HotlistHook | None = None,
    *,
    records: IngestRecords | None = None,
    writes: Writes | None = None,
) -> IngestOutcome:
    """Store a parsed payload; see the module docstring. Refusals are per item, never for the whole payload.

    `writes` commits (DirectWrites by default: a transaction per call; GroupWrites shares transactions with
    concurrent callers). The reads are committed first, then the images with their links, the extras and
    the liveness in one transaction, then the hot-list hook runs: an outcome means all of it is durable.
    """
    writes = writes or DirectWrites(store, images, records)
    return complete(PendingIngest(parsed, images, hotlist_hook, records), writes)


def complete(pending: PendingIngest, writes: Writes) -> IngestOutcome:
    """Run a PendingIngest to its end in this thread, each write blocking until it is durable."""
    while pending.step is not None:
        kind, payload = pending.step
        if kind == "check":
            answer: Any = payload()  # type: ignore[operator]
        elif kind == "append":
            answer = writes.append(payload)  # type: ignore[arg-type]
        else:
            answer = writes.attach(payload)  # type: ignore[arg-type]
        pending.advance(answer)
    return pending.outcome()


async def ingest_async(pending: PendingIngest, writes: GroupWrites, image_checks: Executor) -> IngestOutcome:
    """`ingest` on an event loop: the image checks run in `image_checks` (Pillow decodes with the GIL let
    go, so a worker thread decodes while the loop serves other requests), and each write is awaited as a
    group-commit future, so no thread waits out the commits."""
    loop = asyncio.get_running_loop()
    while pending.step is not None:
        kind, payload = pending.step
        if kind == "check":
            answer = await loop.run_in_executor(image_checks, payload)  # type: ignore[arg-type]
        else:
            later = writes.append_later(payload) if kind == "append" else writes.attach_later(payload)  # type: ignore[arg-type]
            answer = await asyncio.wrap_future(later)
        pending.advance(answer)
    return pending.outcome()


class PendingIngest:
    """An ingest paused at its next step (`step`): the check of its images, or a durable write; or done
    (`step` is None). The driver (`complete`, `ingest_async`) runs each step and hands its answer back."""

    def __init__(
        self,
        parsed: ParsedPayload,
        images: ImageStore | None,
        hotlist_hook: HotlistHook | None,
        records: IngestRecords | None,
    ) -> None:
        self._steps = _steps(parsed, images, hotlist_hook or no_hotlists, records)
        self._outcome: IngestOutcome | None = None
        self.step: Step | None = None
        self.advance(None)

    def advance(self, answer: Any) -> None:
        """Hand the answer of the current step to the pipeline and run it to its next step, or its end."""
        try:
            self.step = self._steps.send(answer)
        except StopIteration as done:
            self.step = None
            self._outcome = done.value

    def outcome(self) -> IngestOutcome:
        if self._outcome is None:
            raise RuntimeError("the ingest has writes still to do")
        return self._outcome


def _steps(
    parsed: ParsedPayload, images: ImageStore | None, hotlist_hook: HotlistHook, records: IngestRecords | None
) -> Steps:
    outcome = IngestOutcome(adapter=parsed.adapter, kind=parsed.kind, notes=list(parsed.notes))
    by_index: dict[int, dict[str, Any]] = {}
    for refusal in parsed.refused:
        by_index[refusal.index] = {
            "index": refusal.index,
            "status": "refused",
            "field": refusal.field,
            "reason": refusal.reason,
        }
    checked: list[Checked] = []
    if parsed.images:
        checked = yield ("check", lambda: [(pending, _inspect(pending, images)) for pending in parsed.images])
    ids: dict[int, int] = {}  # position in parsed.reads -> read id (stored or stored before)
    if parsed.reads:
        reads = _with_region(parsed)
        result: BatchResult = yield ("append", reads)
        for refusal in result.refused:
            index = parsed.source_index[refusal.index]
            by_index[index] = {"index": index, "status": "refused", "field": refusal.field, "reason": refusal.reason}
        for position, read_id in result.duplicates.items():
            index = parsed.source_index[position]
            by_index[index] = {"index": index, "status": "duplicate", "id": read_id}
            ids[position] = read_id
        for position, read_id in result.stored.items():
            index = parsed.source_index[position]
            by_index[index] = {"index": index, "status": "stored", "id": read_id}
            ids[position] = read_id
        outcome.stored_items = [
            StoredItem(parsed.source_index[position], reads[position], read_id, parsed.extras.get(position))
            for position, read_id in sorted(result.stored.items())
        ]
    attachments = _link_images(parsed, checked, ids, by_index, outcome)
    if records is not None:
        attachments.extras = [
            (parsed.adapter, ids[position], extra) for position, extra in parsed.extras.items() if position in ids
        ]
        attachments.liveness = [(parsed.adapter, beat) for beat in parsed.liveness]
    yield ("attach", attachments)
    outcome.liveness = len(parsed.liveness)
    outcome.items = [by_index[index] for index in sorted(by_index)]
    for item in outcome.items:
        if item["status"] == "stored":
            outcome.stored += 1
        elif item["status"] == "duplicate":
            outcome.duplicates += 1
        else:
            outcome.refused += 1
    if outcome.stored_items:
        try:
            hotlist_hook(outcome.stored_items)
        except Exception as error:  # the reads are committed: a failing hook must not turn that into an error
            log.exception("hot-list hook failed for %d reads", len(outcome.stored_items))
            outcome.hook_error = f"{type(error).__name__}: {error}"
    return outcome


def _inspect(pending: PendingImage, images: ImageStore | None) -> ImageRef | str:
    if images is None:
        return "this server keeps no images"
    if pending.data is None:
        return pending.error or "is empty"
    try:
        return images.inspect(pending.data)
    except ImageError as error:
        return error.reason


def _link_images(
    parsed: ParsedPayload,
    checked: list[Checked],
    ids: dict[int, int],
    by_index: dict[int, dict[str, Any]],
    outcome: IngestOutcome,
) -> Attachments:
    """The images of stored reads: what to keep and link, committed with the payload's attachments. A bad
    image is refused alone, the read stays; the images of refused reads are not kept."""
    attachments = Attachments()
    for pending, verdict in checked:
        if pending.read_index not in ids:
            continue
        item = by_index[parsed.source_index[pending.read_index]]
        report: dict[str, Any] = {"kind": pending.kind, "field": pending.field}
        if isinstance(verdict, str):
            report.update(status="refused", reason=verdict)
            outcome.images_refused += 1
        else:
            attachments.images.append((verdict, pending.data))  # type: ignore[arg-type]
            attachments.links.append((ids[pending.read_index], pending.kind, verdict))
            report.update(status="stored", sha256=verdict.sha256, format=verdict.format)
            outcome.images_stored += 1
        item.setdefault("images", []).append(report)
    return attachments

"""From a parsed payload to durable reads: region, store, images, extras, liveness, then the hot-list hook.

`ingest` returns only after the store committed the batch: an outcome means the stored reads survive a crash.
Source read ids make it idempotent: a payload sent twice is answered with duplicates, stored once (the store
deduplicates on source id per agency), and its images and extras attach to the reads stored the first time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from plateledger.images import ImageError, ImageStore
from plateledger.ingest.model import ParsedPayload, ReadExtras
from plateledger.ingest.records import IngestRecords
from plateledger.ingest.writes import Attachments, DirectWrites, Writes
from plateledger.reads import NewRead
from plateledger.store.contract import ReadStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoredItem:
    """A read that this ingest stored (not a duplicate): handed to the hot-list hook."""

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
    outcome = IngestOutcome(adapter=parsed.adapter, kind=parsed.kind, notes=list(parsed.notes))
    by_index: dict[int, dict[str, Any]] = {}
    for refusal in parsed.refused:
        by_index[refusal.index] = {
            "index": refusal.index,
            "status": "refused",
            "field": refusal.field,
            "reason": refusal.reason,
        }
    ids: dict[int, int] = {}  # position in parsed.reads -> read id (stored or stored before)
    if parsed.reads:
        reads = _with_region(parsed)
        result = writes.append(reads)
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
    attachments = _images(parsed, images, ids, by_index, outcome)
    if records is not None:
        attachments.extras = [
            (parsed.adapter, ids[position], extra) for position, extra in parsed.extras.items() if position in ids
        ]
        attachments.liveness = [(parsed.adapter, beat) for beat in parsed.liveness]
    writes.attach(attachments)
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
            (hotlist_hook or no_hotlists)(outcome.stored_items)
        except Exception as error:  # the reads are committed: a failing hook must not turn that into an error
            log.exception("hot-list hook failed for %d reads", len(outcome.stored_items))
            outcome.hook_error = f"{type(error).__name__}: {error}"
    return outcome


def _images(
    parsed: ParsedPayload,
    images: ImageStore | None,
    ids: dict[int, int],
    by_index: dict[int, dict[str, Any]],
    outcome: IngestOutcome,
) -> Attachments:
    """Validate the images of stored reads: what to keep and link, committed with the payload's attachments.
    A bad image is refused alone, the read stays."""
    attachments = Attachments()
    for pending in parsed.images:
        if pending.read_index not in ids:
            continue  # the read was refused: its images are not kept
        item = by_index[parsed.source_index[pending.read_index]]
        report: dict[str, Any] = {"kind": pending.kind, "field": pending.field}
        if images is None:
            report.update(status="refused", reason="this server keeps no images")
        elif pending.data is None:
            report.update(status="refused", reason=pending.error or "is empty")
        else:
            try:
                ref = images.inspect(pending.data)
            except ImageError as error:
                report.update(status="refused", reason=error.reason)
            else:
                attachments.images.append((ref, pending.data))
                attachments.links.append((ids[pending.read_index], pending.kind, ref))
                report.update(status="stored", sha256=ref.sha256, format=ref.format)
        if report["status"] == "stored":
            outcome.images_stored += 1
        else:
            outcome.images_refused += 1
        item.setdefault("images", []).append(report)
    return attachments

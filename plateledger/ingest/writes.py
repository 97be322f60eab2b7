"""The durable writes of an ingest, direct or through group commit.

A payload's reads go to the store (`append`); then what hangs off the stored reads (images and their links, extras,
camera liveness) goes to ingest's own files (`attach`). `DirectWrites` commits each call on its own: one
transaction per call. `GroupWrites` runs both through a `GroupCommit`, so concurrent payloads (an HTTP server's
requests) share one store transaction, one image transaction and one extras transaction; the last two are
separate files, committed side by side. Either way a call returns only when its data is durable; `GroupWrites`
also hands out futures (`append_later`, `attach_later`) for an event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
from typing import Protocol

from plateledger.images import ImageStore, KeptImage, LinkKind
from plateledger.images.store import ImageRef
from plateledger.ingest.commit import GroupCommit
from plateledger.ingest.model import Liveness, ReadExtras
from plateledger.ingest.records import IngestRecords
from plateledger.reads import BatchResult, NewRead, Refusal
from plateledger.store.contract import ReadStore


@dataclass(slots=True)
class Attachments:
    """What one payload attaches to its stored reads."""

    links: list[tuple[int, LinkKind, ImageRef]] = field(default_factory=list)
    images: list[KeptImage] = field(default_factory=list)  # the bytes of the linked images (inspected)
    extras: list[tuple[str, int, ReadExtras]] = field(default_factory=list)  # (adapter, read id, extras)
    liveness: list[tuple[str, Liveness]] = field(default_factory=list)  # (source, beat)

    @property
    def has_images(self) -> bool:
        return bool(self.links or self.images)

    @property
    def has_records(self) -> bool:
        return bool(self.extras or self.liveness)

    def extend(self, other: Attachments) -> None:
        self.links.extend(other.links)
        self.images.extend(other.images)
        self.extras.extend(other.extras)
        self.liveness.extend(other.liveness)


class Writes(Protocol):
    def append(self, reads: list[NewRead]) -> BatchResult: ...

    def attach(self, attachments: Attachments) -> None: ...

    def close(self) -> None: ...


class DirectWrites:
    """One transaction per call."""

    def __init__(self, store: ReadStore, images: ImageStore | None, records: IngestRecords | None) -> None:
        self.store = store
        self.images = images
        self.records = records

    def append(self, reads: list[NewRead]) -> BatchResult:
        return self.store.append(reads)

    def attach(self, attachments: Attachments) -> None:
        self.keep_images(attachments)
        self.keep_records(attachments)

    def keep_images(self, attachments: Attachments) -> None:
        if attachments.has_images and self.images is not None:
            self.images.database.attach_many(attachments.links, attachments.images)

    def keep_records(self, attachments: Attachments) -> None:
        if attachments.has_records and self.records is not None:
            self.records.keep_batch(attachments.extras, attachments.liveness)

    def close(self) -> None:
        pass


def split_result(result: BatchResult, sizes: Sequence[int]) -> list[BatchResult]:
    """One store answer for a concatenated batch, cut back into the answers of its parts."""
    starts = []
    offset = 0
    for size in sizes:
        starts.append(offset)
        offset += size
    parts = [BatchResult() for _ in sizes]

    def part_of(index: int) -> int:
        low, high = 0, len(starts) - 1
        while low < high:  # the last start at or before index
            middle = (low + high + 1) // 2
            if starts[middle] <= index:
                low = middle
            else:
                high = middle - 1
        return low

    for index, read_id in result.stored.items():
        number = part_of(index)
        parts[number].stored[index - starts[number]] = read_id
    for index, read_id in result.duplicates.items():
        number = part_of(index)
        parts[number].duplicates[index - starts[number]] = read_id
    for refusal in result.refused:
        number = part_of(refusal.index)
        parts[number].refused.append(Refusal(refusal.index - starts[number], refusal.field, refusal.reason))
    return parts


class GroupWrites(DirectWrites):
    """Concurrent callers share transactions (see commit.py); the answers are the same as DirectWrites'.

    Images and extras are separate files, each with its own group commit: an attach waits for the slower of
    the two commits, not for both one after the other."""

    def __init__(self, store: ReadStore, images: ImageStore | None, records: IngestRecords | None) -> None:
        super().__init__(store, images, records)
        self._reads: GroupCommit[list[NewRead], BatchResult] = GroupCommit("reads", self._append_many, super().append)
        self._images: GroupCommit[Attachments, None] = GroupCommit(
            "images", self._combined(super().keep_images), super().keep_images
        )
        self._records: GroupCommit[Attachments, None] = GroupCommit(
            "records", self._combined(super().keep_records), super().keep_records
        )

    def _append_many(self, batches: list[list[NewRead]]) -> list[BatchResult]:
        if len(batches) == 1:
            return [self.store.append(batches[0])]
        combined = [read for batch in batches for read in batch]
        return split_result(self.store.append(combined), [len(batch) for batch in batches])

    @staticmethod
    def _combined(keep: Callable[[Attachments], None]) -> Callable[[list[Attachments]], list[None]]:
        """A group's attachments kept in one transaction."""

        def keep_many(groups: list[Attachments]) -> list[None]:
            combined = Attachments()
            for attachments in groups:
                combined.extend(attachments)
            keep(combined)
            return [None] * len(groups)

        return keep_many

    def append(self, reads: list[NewRead]) -> BatchResult:
        return self._reads.submit(reads)

    def attach(self, attachments: Attachments) -> None:
        self.attach_later(attachments).result()

    def append_later(self, reads: list[NewRead]) -> Future[BatchResult]:
        return self._reads.enqueue(reads)

    def attach_later(self, attachments: Attachments) -> Future[None]:
        pending = []
        if attachments.has_images and self.images is not None:
            pending.append(self._images.enqueue(attachments))
        if attachments.has_records and self.records is not None:
            pending.append(self._records.enqueue(attachments))
        return all_of(pending)

    @property
    def stats(self) -> dict[str, dict[str, int]]:
        return {
            commit.name: {"groups": commit.stats.groups, "items": commit.stats.items, "largest": commit.stats.largest}
            for commit in (self._reads, self._images, self._records)
        }

    def close(self) -> None:
        self._reads.close()
        self._images.close()
        self._records.close()


def all_of(futures: list[Future[None]]) -> Future[None]:
    """A future done when each of `futures` is: with the error of the first that failed, if one did."""
    if len(futures) == 1:
        return futures[0]
    done: Future[None] = Future()
    if not futures:
        done.set_result(None)
        return done
    remaining = len(futures)
    errors: list[BaseException] = []
    lock = threading.Lock()

    # The callback holds no reference to `futures`: each future holds it, and a cycle between them would leave
    # every request's futures to the cyclic garbage collector (a 5-15 ms pause every few hundred requests).
    def one_done(future: Future[None]) -> None:
        nonlocal remaining
        with lock:
            if future.cancelled():
                errors.append(CancelledError())
            elif (error := future.exception()) is not None:
                errors.append(error)
            remaining -= 1
            if remaining:
                return
        if not done.set_running_or_notify_cancel():
            return  # the caller gave up waiting; the writes went ahead all the same
        if errors:
            done.set_exception(errors[0])
        else:
            done.set_result(None)

    for future in futures:
        future.add_done_callback(one_done)
    return done

"""Group commit: many concurrent callers, one durable transaction.

Every committed write costs an fsync (1-2 ms on the project's machines), and SQLite has one writer: one
transaction per request caps a server at a few hundred requests a second whatever its CPU. A `GroupCommit`
puts callers' work in a queue; one thread takes everything queued, commits it in one transaction, and wakes
each caller with its own share of the result. A caller still returns only after its data is durable.

There is no timer: at low load a group is one caller (no added latency); under load, the callers that arrive
during a commit form the next group, so group size grows with the load and the fsync cost per caller falls.

A caller either blocks (`submit`) or takes a future (`enqueue`): an event loop awaits it with
`asyncio.wrap_future` instead of parking a worker thread for the length of the commit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_GROUP = 512  # callers per transaction at most (a batch of 10,000 reads is one caller)


@dataclass(slots=True)
class _Slot(Generic[Item, Result]):
    item: Item
    future: Future[Result] = field(default_factory=Future)


@dataclass(slots=True)
class GroupStats:
    groups: int = 0
    items: int = 0
    largest: int = 0


class GroupCommit(Generic[Item, Result]):
    """`submit(item)` blocks until `commit_many([... item ...])` has run and returns that item's result.

    `commit_many` gets the items of one group in arrival order and returns one result per item. If it raises,
    each item of the group is committed alone (`commit_one`), so one bad item fails only its own caller.
    """

    def __init__(
        self,
        name: str,
        commit_many: Callable[[list[Item]], Sequence[Result]],
        commit_one: Callable[[Item], Result] | None = None,
        *,
        max_group: int = MAX_GROUP,
    ) -> None:
        self.name = name
        self._commit_many = commit_many
        self._commit_one = commit_one or (lambda item: commit_many([item])[0])
        self._max_group = max_group
        self._queue: list[_Slot[Item, Result]] = []
        self._wake = threading.Condition(threading.Lock())
        self._thread: threading.Thread | None = None
        self._closed = False
        self.stats = GroupStats()

    def submit(self, item: Item) -> Result:
        return self.enqueue(item).result()

    def enqueue(self, item: Item) -> Future[Result]:
        """Queue an item; the future gets its result (or its error) once its group is durable."""
        slot: _Slot[Item, Result] = _Slot(item)
        with self._wake:
            if self._closed:
                raise RuntimeError(f"group commit {self.name} is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"group-commit-{self.name}", daemon=True)
                self._thread.start()
            self._queue.append(slot)
            self._wake.notify()
        return slot.future

    def close(self) -> None:
        """Commit what is queued, then stop the thread; later submits raise."""
        with self._wake:
            self._closed = True
            thread = self._thread
            self._wake.notify()
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._closed:
                    self._wake.wait()
                if not self._queue:
                    return
                group = self._queue[: self._max_group]
                del self._queue[: self._max_group]
            # A future cancelled while queued (its awaiting request was cancelled) is left out; once running it
            # can no longer be cancelled, so every future of the group gets its answer.
            group = [slot for slot in group if slot.future.set_running_or_notify_cancel()]
            if group:
                self._commit(group)

    def _commit(self, group: list[_Slot[Item, Result]]) -> None:
        self.stats.groups += 1
        self.stats.items += len(group)
        self.stats.largest = max(self.stats.largest, len(group))
        try:
            results = self._commit_many([slot.item for slot in group])
            if len(results) != len(group):
                raise RuntimeError(f"group commit {self.name}: {len(results)} results for {len(group)} items")
        except BaseException:
            if len(group) > 1:
                log.warning("group commit %s failed for %d callers: committing each alone", self.name, len(group))
            for slot in group:
                try:
                    slot.future.set_result(self._commit_one(slot.item))
                except BaseException as error:  # handed to that caller, raised where it waits
                    slot.future.set_exception(error)
        else:
            for slot, result in zip(group, results, strict=True):
                slot.future.set_result(result)

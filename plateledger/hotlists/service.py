"""Hot lists as a service: lists, entries, feeds and exclusions, each change audited and put into the index.

Callers (the API, the command line) decide who may do what; this records what was done, by whom, and keeps the
match index in step: a custom entry added or removed is applied to a copy of the index, a feed import or a
change of exclusions rebuilds it, and either way one reference is swapped.

Changes made by another process on the same database (the command line beside a running server) reach this
index through `follow_changes`: the database counts every change the index is built from, and a count other
than the one this index has seen means a rebuild.
"""

from __future__ import annotations

import re
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from plateledger.access.clock import Clock
from plateledger.access.recorder import Recorder, record
from plateledger.hotlists.db import HotlistDatabase
from plateledger.hotlists.feeds import FeedContext, FeedError, check_mapping, parse_feed
from plateledger.hotlists.index import IndexedEntry, IndexHolder
from plateledger.hotlists.model import (
    DAY_MS,
    MAX_CUSTOM_DAYS,
    Entry,
    EntryDraft,
    EntryError,
    FeedSettings,
    HotList,
    ListKind,
    check_draft,
    normalize_category,
)
from plateledger.hotlists.repository import HotlistRepository
from plateledger.hotlists.transparency import exclusions_of
from plateledger.policy.decision import Decision, Refused

LIST_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_FEED_BYTES = 256 * 1024 * 1024


def refuse(reason: str, field: str | None = None, status: int = 422, code: str = "invalid") -> Refused:
    return Refused(Decision.deny(reason, code, status, field))


def indexed(entry: Entry) -> IndexedEntry:
    return IndexedEntry(
        entry.id, entry.list_id, entry.agency_id, entry.plate, entry.region, entry.effective_ms, entry.expires_ms
    )


def fetch_source(source: str, timeout: float = 60.0) -> str:
    """A feed's text from its file path or http(s) URL."""
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=timeout) as response:
            data: bytes = response.read(MAX_FEED_BYTES + 1)
    else:
        data = Path(source).read_bytes()
    if len(data) > MAX_FEED_BYTES:
        raise FeedError("file", f"is larger than {MAX_FEED_BYTES // 1024 // 1024} MiB")
    return data.decode("utf-8-sig", errors="replace")


class HotlistService:
    def __init__(
        self,
        db: HotlistDatabase,
        ledger: Recorder,
        clock: Clock,
        *,
        default_freshness_hours: float = 24.0,
        index: IndexHolder | None = None,
    ) -> None:
        self.repository = HotlistRepository(db)
        self.ledger = ledger
        self.clock = clock
        self.default_freshness_hours = default_freshness_hours
        self.index = index or IndexHolder()
        # This service's changes are made and put into the index under this lock, and counted in `_generation`
        # (the database's count of changes the index holds): a rebuild never swaps in an index that misses one.
        self._index_lock = threading.RLock()
        self._generation = 0
        self.rebuild_index()

    # -- the index -----------------------------------------------------------------------------------------------
    def rebuild_index(self) -> int:
        """Build a new index from the database and swap it in; returns its size."""
        with self._index_lock:
            generation = self.repository.index_generation()  # first: a change after it is seen next time
            built = self.index.replace(self.repository.indexed_entries(self.clock.now_ms()))
            self._generation = generation
            return len(built)

    def follow_changes(self) -> bool:
        """Rebuild the index if another process changed what it is built from; whether it did."""
        if self.repository.index_generation() == self._generation:
            return False
        with self._index_lock:
            if self.repository.index_generation() == self._generation:
                return False  # a rebuild of this service's got there first
            self.rebuild_index()
            return True

    @contextmanager
    def _own_change(self) -> Iterator[None]:
        """One change of this service's, made (one database change) and put into the index in the block."""
        with self._index_lock:
            yield
            self._generation += 1

    # -- lists ---------------------------------------------------------------------------------------------------
    def get(self, list_id: str, agency_id: str | None = None) -> HotList:
        """The list; 404 when it does not exist or belongs to another agency than `agency_id`."""
        hotlist = self.repository.get_list(list_id)
        if hotlist is None or (agency_id is not None and hotlist.agency_id != agency_id):
            raise refuse(f"hot list {list_id!r} does not exist", "list_id", 404, "not_found")
        return hotlist

    def lists(self, agency_id: str | None = None) -> list[HotList]:
        return self.repository.lists(agency_id)

    def create_list(
        self,
        actor: str,
        agency_id: str,
        list_id: str,
        name: str,
        kind: ListKind,
        *,
        description: str = "",
        feed: FeedSettings | None = None,
        freshness_hours: float | None = None,
        excluded_categories: list[str] | None = None,
        targets: list[dict[str, Any]] | None = None,
    ) -> HotList:
        if not LIST_ID.match(list_id):
            raise refuse("an id is 1-64 lower-case letters, digits, '-' or '_'", "id")
        if self.repository.get_list(list_id) is not None:
            raise refuse(f"hot list {list_id!r} exists already", "id", 409, "conflict")
        if (kind == "feed") != (feed is not None):
            raise refuse("a feed list needs its feed settings; a custom list has none", "feed")
        if feed is not None and feed.format == "mapped":
            try:
                check_mapping(feed.mapping or {})
            except FeedError as error:
                raise refuse(error.reason, error.field) from None
        hotlist = HotList(
            id=list_id,
            agency_id=agency_id,
            name=name,
            kind=kind,
            description=description,
            freshness_hours=freshness_hours or self.default_freshness_hours,
            excluded_categories=tuple(sorted({normalize_category(c) for c in excluded_categories or []} - {""})),
            targets=tuple(targets or ()),
            created_ms=self.clock.now_ms(),
            created_by=actor,
            feed=feed,
        )
        self.repository.insert_list(hotlist)
        self._record(actor, hotlist, "hotlist_changed", change="list_created", name=name, kind=kind)
        return hotlist

    def set_exclusions(self, actor: str, hotlist: HotList, categories: list[str]) -> HotList:
        """Exclude categories of a feed from matching (public: see `exclusions`); rebuilds the index."""
        chosen = sorted({normalize_category(category) for category in categories} - {""})
        with self._index_lock:
            self.repository.update_list(hotlist.id, excluded_categories=chosen)
            self.rebuild_index()
        self._record(
            actor,
            hotlist,
            "hotlist_changed",
            change="exclusions",
            before=list(hotlist.excluded_categories),
            after=chosen,
        )
        return self.get(hotlist.id)

    def set_list_targets(self, actor: str, hotlist: HotList, targets: list[dict[str, Any]], shown: list[Any]) -> None:
        self.repository.update_list(hotlist.id, targets=targets)
        self._record(actor, hotlist, "hotlist_changed", change="list_targets", targets=shown)

    # -- entries -------------------------------------------------------------------------------------------------
    def get_entry(self, hotlist: HotList, entry_id: int) -> Entry:
        entry = self.repository.get_entry(entry_id)
        if entry is None or entry.list_id != hotlist.id:
            raise refuse(f"entry {entry_id} is not on hot list {hotlist.id!r}", "entry_id", 404, "not_found")
        return entry

    def add_entry(self, actor: str, hotlist: HotList, draft: EntryDraft) -> Entry:
        if hotlist.kind != "custom":
            raise refuse(
                "a feed's entries come from its imports; add entries to a custom list", "list_id", 409, "conflict"
            )
        now = self.clock.now_ms()
        try:
            checked = check_draft(draft, "custom", now)
        except EntryError as error:
            raise refuse(error.reason, error.field) from None
        with self._own_change():
            entry = self.repository.insert_entry(hotlist, checked, now, actor)
            if entry.category not in hotlist.excluded_categories:
                self.index.change(added=[indexed(entry)])
        self._record(actor, hotlist, "hotlist_changed", change="entry_added", entry=entry.snapshot(), case=entry)
        return entry

    def renew_entry(self, actor: str, hotlist: HotList, entry: Entry, expires_ms: int) -> Entry:
        """Keep a custom entry longer: at most MAX_CUSTOM_DAYS from now; an audited act of its own."""
        now = self.clock.now_ms()
        if hotlist.kind != "custom" or entry.removed_ms is not None:
            raise refuse("only entries of custom lists still on them can be renewed", "entry_id", 409, "conflict")
        if expires_ms <= now:
            raise refuse("is not in the future", "expires_at")
        if expires_ms > now + MAX_CUSTOM_DAYS * DAY_MS:
            raise refuse(f"is more than {MAX_CUSTOM_DAYS} days from now", "expires_at")
        renewed = replace(entry, expires_ms=expires_ms, renewed_ms=now, renewed_by=actor)
        with self._own_change():
            self.repository.renew_entry(entry.id, expires_ms, now, actor)
            if entry.category not in hotlist.excluded_categories:
                self.index.change(added=[indexed(renewed)], removed=[indexed(entry)])
        self._record(
            actor,
            hotlist,
            "hotlist_entry_renewed",
            entry_id=entry.id,
            plate=entry.plate,
            before_expires_ms=entry.expires_ms,
            expires_ms=expires_ms,
            case=entry,
        )
        return renewed

    def remove_entry(self, actor: str, hotlist: HotList, entry: Entry, reason: str) -> None:
        if hotlist.kind != "custom":
            raise refuse("a feed's entries leave with its next import", "entry_id", 409, "conflict")
        if entry.removed_ms is not None:
            raise refuse(f"entry {entry.id} was removed already", "entry_id", 409, "conflict")
        with self._own_change():
            self.repository.remove_entry(entry.id, self.clock.now_ms(), actor)
            self.index.change(removed=[indexed(entry)])
        self._record(
            actor, hotlist, "hotlist_changed", change="entry_removed", entry_id=entry.id, why=reason, case=entry
        )

    def set_entry_targets(
        self, actor: str, hotlist: HotList, entry: Entry, targets: list[dict[str, Any]], shown: list[Any]
    ) -> None:
        self.repository.set_entry_targets(entry.id, targets)
        self._record(actor, hotlist, "hotlist_changed", change="entry_targets", entry_id=entry.id, targets=shown)

    # -- feeds ---------------------------------------------------------------------------------------------------
    def import_feed(self, actor: str, hotlist: HotList, text: str) -> dict[str, Any]:
        """Replace a feed's entries with the valid lines of `text`; bad lines are reported by line number."""
        if hotlist.feed is None:
            raise refuse("only feed lists are imported; add entries to a custom list one by one", "list_id", 409)
        now = self.clock.now_ms()
        context = FeedContext(hotlist.id, hotlist.agency_id, hotlist.feed.mapping or {}, now)
        try:
            parsed = parse_feed(hotlist.feed.format, text, context)
        except FeedError as error:
            self._import_failed(actor, hotlist, error.field, error.reason)
            raise refuse(error.reason, error.field) from None
        if not parsed.drafts and parsed.lines:
            reason = f"none of the feed's {parsed.lines} lines loaded; the list is kept as it was"
            self._import_failed(actor, hotlist, "file", reason, [e.to_dict() for e in parsed.errors[:20]])
            raise refuse(reason, "file")
        summary: dict[str, Any] = {
            "at_ms": now,
            "lines": parsed.lines,
            "loaded": len(parsed.drafts),
            "refused": parsed.error_count,
            "errors": [error.to_dict() for error in parsed.errors],
        }
        with self._index_lock:
            summary["replaced"] = self.repository.replace_feed(hotlist, parsed.drafts, now, actor, summary)
            self.rebuild_index()
        self._record(
            actor,
            hotlist,
            "hotlist_feed_imported",
            lines=parsed.lines,
            loaded=len(parsed.drafts),
            refused=parsed.error_count,
            replaced=summary["replaced"],
            first_errors=summary["errors"][:20],
        )
        return summary

    def _import_failed(
        self, actor: str, hotlist: HotList, field: str, reason: str, errors: list[dict[str, Any]] | None = None
    ) -> None:
        failure = {"at_ms": self.clock.now_ms(), "failed": f"{field}: {reason}", "errors": errors or []}
        self.repository.update_list(hotlist.id, last_import=failure)
        record(
            self.ledger,
            "hotlist_feed_imported",
            user=actor,
            agency=hotlist.agency_id,
            outcome="refused",
            reason=f"{field}: {reason}",
            parameters={"list_id": hotlist.id, "errors": errors or []},
        )

    def refresh(self, actor: str, hotlist: HotList) -> dict[str, Any]:
        """Fetch a feed from its source and import it."""
        if hotlist.feed is None or not hotlist.feed.source:
            raise refuse("this list has no feed source to fetch; upload the file instead", "source", 409, "conflict")
        try:
            text = fetch_source(hotlist.feed.source)
        except (OSError, ValueError) as error:
            self._import_failed(actor, hotlist, "source", f"could not be fetched: {error}")
            raise refuse(f"could not be fetched: {error}", "source", 502, "feed_unavailable") from None
        return self.import_feed(actor, hotlist, text)

    def refresh_due(self, actor: str = "scheduler") -> dict[str, dict[str, Any]]:
        """Import every feed whose schedule says it is due; a failure is recorded and the others go on."""
        outcomes: dict[str, dict[str, Any]] = {}
        now = self.clock.now_ms()
        for hotlist in self.repository.lists():
            if not hotlist.refresh_due(now):
                continue
            try:
                outcomes[hotlist.id] = self.refresh(actor, hotlist)
            except Refused as refused:
                outcomes[hotlist.id] = {"failed": refused.decision.reason}
        return outcomes

    # -- transparency --------------------------------------------------------------------------------------------
    def exclusions(self) -> list[dict[str, Any]]:
        """Which categories each agency leaves out of each list: public, for the transparency page."""
        return exclusions_of(self.repository)

    # -- audit ---------------------------------------------------------------------------------------------------
    def _record(self, actor: str, hotlist: HotList, action: str, case: Entry | None = None, **parameters: Any) -> None:
        record(
            self.ledger,
            action,
            user=actor,
            agency=hotlist.agency_id,
            parameters={"list_id": hotlist.id, **parameters},
            case_number=None if case is None else case.case_number,
        )

"""The pipeline: region assumption, commit before anything else, the hot-list hook, and the registry."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from plateledger.images import ImageRef, ImageStore
from plateledger.ingest import (
    IngestContext,
    ParsedPayload,
    StoredItem,
    adapter_keys,
    get_adapter,
    ingest,
    register_adapter,
)
from plateledger.ingest.pipeline import IngestOutcome, PendingIngest, ingest_async
from plateledger.ingest.registry import UnknownAdapter
from plateledger.ingest.writes import GroupWrites
from plateledger.reads import NewRead
from plateledger.store.sqlite import SqliteReadStore

T0 = 1_717_200_000_000


def parsed_with(context: IngestContext, *reads: NewRead) -> ParsedPayload:
    parsed = ParsedPayload(adapter="test", context=context)
    for read in reads:
        parsed.add(read)
    return parsed


def test_a_read_without_region_gets_the_jurisdiction_marked_assumed(
    read_store: SqliteReadStore, context_for: Callable[..., IngestContext]
) -> None:
    context = context_for("gate-1", {"t2": "trooper-2"})
    parsed = parsed_with(
        context,
        NewRead("AAA111", T0, "gate-1"),
        NewRead("BBB222", T0, "trooper-2", lat=38.6, lon=-92.1),
        NewRead("CCC333", T0, "gate-1", region="us-nv"),
    )
    outcome = ingest(parsed, read_store)
    regions = [(r.region, r.region_assumed) for r in (read_store.get_read(i["id"]) for i in outcome.items)]
    assert regions == [("US-CA", True), ("US-MO", True), ("US-NV", False)]


def test_the_hook_gets_newly_stored_reads_after_the_commit(
    read_store: SqliteReadStore, context_for: Callable[..., IngestContext]
) -> None:
    seen: list[list[StoredItem]] = []

    def hook(items: list[StoredItem]) -> None:
        for item in items:  # committed: readable from the store already
            assert read_store.get_read(item.read_id).plate == item.read.plate_raw
        seen.append(items)

    context = context_for("gate-1")
    ingest(parsed_with(context, NewRead("AAA111", T0, "gate-1", source_id="x1")), read_store, None, hook)
    outcome = ingest(
        parsed_with(
            context,
            NewRead("AAA111", T0, "gate-1", source_id="x1"),  # duplicate: not handed on again
            NewRead("DDD444", T0 + 1000, "gate-1"),
            NewRead("", T0, "gate-1"),  # refused
        ),
        read_store,
        None,
        hook,
    )
    assert [[(item.source_index, item.read.plate_raw) for item in items] for items in seen] == [
        [(0, "AAA111")],
        [(1, "DDD444")],
    ]
    assert (outcome.stored, outcome.duplicates, outcome.refused) == (1, 1, 1)
    assert seen[1][0].read.region == "US-CA" and seen[1][0].read.region_assumed


def test_a_failing_hook_does_not_undo_or_fail_the_ingest(
    read_store: SqliteReadStore, context_for: Callable[..., IngestContext]
) -> None:
    def broken(items: list[StoredItem]) -> None:
        raise RuntimeError("hot lists down")

    outcome = ingest(parsed_with(context_for("gate-1"), NewRead("AAA111", T0, "gate-1")), read_store, None, broken)
    assert outcome.stored == 1 and outcome.hook_error == "RuntimeError: hot lists down"
    assert read_store.count_reads() == 1


def test_without_an_image_store_images_are_refused_and_reads_kept(
    read_store: SqliteReadStore, context_for: Callable[..., IngestContext], make_jpeg: Callable[..., bytes]
) -> None:
    parsed = parsed_with(context_for("gate-1"), NewRead("AAA111", T0, "gate-1"))
    parsed.add_image(0, "crop", "crop", make_jpeg(), None)
    outcome = ingest(parsed, read_store)
    assert outcome.stored == 1
    assert outcome.items[0]["images"] == [
        {"kind": "crop", "field": "crop", "status": "refused", "reason": "this server keeps no images"}
    ]


def test_the_outcome_answers_as_json(read_store: SqliteReadStore, context_for: Callable[..., IngestContext]) -> None:
    outcome = ingest(parsed_with(context_for("gate-1"), NewRead("AAA111", T0, "gate-1")), read_store)
    answer = json.loads(json.dumps(outcome.to_dict()))
    assert answer["stored"] == 1 and answer["items"][0]["status"] == "stored" and answer["adapter"] == "test"


def test_the_registry_knows_the_built_in_adapters_and_takes_plug_ins() -> None:
    assert {"native", "openalpr", "platerecognizer", "frigate"} <= set(adapter_keys())

    @register_adapter("test-echo")
    class EchoAdapter:
        def parse(self, payload: bytes | dict[str, Any], context: IngestContext) -> ParsedPayload:
            return ParsedPayload(adapter="test-echo", context=context, kind="ignored")

    assert get_adapter("test-echo").key == "test-echo"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="registered twice"):
        register_adapter("test-echo")(type("Other", (), {}))
    with pytest.raises(UnknownAdapter):
        get_adapter("nope")


def test_the_async_ingest_awaits_group_commits_and_answers_as_the_blocking_one(
    read_store: SqliteReadStore,
    images: ImageStore,
    context_for: Callable[..., IngestContext],
    make_jpeg: Callable[..., bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked_in: list[str] = []  # the thread each image was checked in
    inspect = images.inspect

    def recording_inspect(data: bytes) -> ImageRef:
        checked_in.append(threading.current_thread().name)
        return inspect(data)

    monkeypatch.setattr(images, "inspect", recording_inspect)

    def payload(plate: str, source_id: str) -> ParsedPayload:
        parsed = parsed_with(
            context_for("gate-1"),
            NewRead(plate, T0, "gate-1", source_id=source_id),
            NewRead("BBB222", T0, "nowhere"),  # an unknown camera: refused, its image not kept
        )
        parsed.add_image(0, "crop", "crop", make_jpeg(), None)
        parsed.add_image(0, "overview", "overview", b"not an image", None)
        parsed.add_image(1, "crop", "crop", make_jpeg(colour=(1, 2, 3)), None)
        return parsed

    hooked: list[list[StoredItem]] = []
    writes = GroupWrites(read_store, images, None)
    checks = ThreadPoolExecutor(1, thread_name_prefix="test-checks")
    try:
        blocking = ingest(payload("AAA111", "s-1"), read_store, images, hooked.append, writes=writes)
        assert checked_in == [threading.current_thread().name] * 3  # the blocking ingest checks where it runs
        pending = PendingIngest(payload("CCC333", "s-2"), images, hooked.append, None)
        assert pending.step is not None and pending.step[0] == "check"  # images are checked before any write
        awaited = asyncio.run(ingest_async(pending, writes, checks))
        again = asyncio.run(ingest_async(PendingIngest(payload("CCC333", "s-2"), images, None, None), writes, checks))
    finally:
        writes.close()
        checks.shutdown()
    assert [name.startswith("test-checks") for name in checked_in] == [False] * 3 + [True] * 6

    def shape(outcome: IngestOutcome) -> dict[str, Any]:
        answer = json.loads(json.dumps(outcome.to_dict()))  # a copy: the outcome keeps its ids
        for item in answer["items"]:
            item.pop("id", None)
        return answer

    assert shape(awaited) == shape(blocking)
    assert (awaited.stored, awaited.refused, awaited.images_stored, awaited.images_refused) == (1, 1, 1, 1)
    assert awaited.items[1] == {
        "index": 1,
        "status": "refused",
        "field": "camera_id",
        "reason": "unknown camera 'nowhere'",
    }
    read_id = awaited.items[0]["id"]
    assert read_store.get_read(read_id).plate == "CCC333"
    assert [image.kind for image in images.images_for(read_id)] == ["crop"]
    assert [[item.read.plate_raw for item in batch] for batch in hooked] == [["AAA111"], ["CCC333"]]
    assert again.duplicates == 1 and again.items[0]["id"] == read_id  # the replay stored nothing new

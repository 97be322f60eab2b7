"""Group writes: images and extras commit side by side, and an attach answers once both are durable."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future

import pytest

from plateledger.images import ImageStore, inspect_image
from plateledger.ingest.model import ReadExtras
from plateledger.ingest.records import IngestRecords
from plateledger.ingest.writes import Attachments, DirectWrites, GroupWrites, all_of
from plateledger.reads import NewRead
from plateledger.store.sqlite import SqliteReadStore

T0 = 1_717_200_000_000


def test_all_of_answers_when_every_future_has_and_passes_on_the_first_failure() -> None:
    first: Future[None] = Future()
    second: Future[None] = Future()
    both = all_of([first, second])
    first.set_result(None)
    assert not both.done()  # one of two is not an answer
    second.set_result(None)
    assert both.result(timeout=1) is None

    failing: Future[None] = Future()
    fine: Future[None] = Future()
    either = all_of([fine, failing])
    failing.set_exception(OSError("disk full"))
    fine.set_result(None)
    with pytest.raises(OSError, match="disk full"):
        either.result(timeout=1)

    dropped: Future[None] = Future()
    dropped.cancel()
    with pytest.raises(CancelledError):
        all_of([dropped, fine]).result(timeout=1)
    assert all_of([]).result(timeout=1) is None


def test_extras_commit_while_the_image_commit_is_still_running(
    read_store: SqliteReadStore,
    images: ImageStore,
    records: IngestRecords,
    make_jpeg: Callable[..., bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read_id = read_store.append([NewRead("ABC123", T0, "gate-1")]).stored[0]
    jpeg = make_jpeg()
    ref = inspect_image(jpeg)
    attachments = Attachments(
        links=[(read_id, "crop", ref)], images=[(ref, jpeg)], extras=[("test", read_id, ReadExtras(is_parked=True))]
    )
    release_images = threading.Event()
    keep_images = DirectWrites.keep_images

    def slow_keep_images(self: DirectWrites, attachments: Attachments) -> None:
        assert release_images.wait(5)
        keep_images(self, attachments)

    monkeypatch.setattr(DirectWrites, "keep_images", slow_keep_images)
    writes = GroupWrites(read_store, images, records)
    try:
        attached = writes.attach_later(attachments)
        for _ in range(500):  # the extras' own commit goes ahead while the image commit is held up
            if records.extras_for(read_id) is not None:
                break
            time.sleep(0.01)
        assert records.extras_for(read_id) == ReadExtras(is_parked=True)
        assert not attached.done()  # the attach is not answered before its images are durable
        release_images.set()
        assert attached.result(timeout=5) is None
    finally:
        release_images.set()
        writes.close()
    assert [image.kind for image in images.images_for(read_id)] == ["crop"]
    assert writes.stats["images"]["items"] == writes.stats["records"]["items"] == 1

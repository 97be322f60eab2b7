"""The pass grouper: frames join the pass still open at their site, across batches, and the passes it keeps
open between batches cost the garbage collector nothing."""

from __future__ import annotations

import gc

from plateledger.store.passes import PASS_GAP_MS, Frame, PassGrouper

T0 = 1_717_200_000_000


def frame(observed: int, skeleton: str = "7ABC123", *, site: int = 1, confidence: int = 900, index: int = 0) -> Frame:
    return (observed, site, skeleton, 10, 1, confidence, None, None, 42, None, None, False, None, False, index)


def test_a_frame_in_a_later_batch_joins_the_written_pass_and_can_become_its_best() -> None:
    grouper = PassGrouper()
    first = grouper.group([frame(T0, confidence=700), frame(T0 + 300, confidence=800, index=1)], next_pass_id=5)
    assert [(p.id, p.is_new, p.frame_count, p.best_index) for p in first] == [(5, True, 2, 1)]
    grouper.mark_written()

    later = grouper.group([frame(T0 + 900, confidence=950), frame(T0 + 1_000, "OTHER1")], next_pass_id=6)
    extended, new = later
    assert (extended.id, extended.is_new, extended.frame_count, extended.best_index) == (5, False, 3, 2)
    assert [index for index, _ in extended.new_frames] == [2]  # only the new frame is written
    assert (extended.first_ms, extended.last_ms) == (T0, T0 + 900)
    assert (new.id, new.is_new) == (6, True)


def test_a_frame_after_the_gap_or_at_another_site_starts_a_new_pass() -> None:
    grouper = PassGrouper()
    grouper.group([frame(T0)], next_pass_id=1)
    grouper.mark_written()
    later = grouper.group([frame(T0 + PASS_GAP_MS + 1), frame(T0 + 200, site=2)], next_pass_id=2)
    assert sorted(p.id for p in later) == [2, 3]


def test_passes_of_a_batch_that_was_not_written_are_forgotten() -> None:
    grouper = PassGrouper()
    grouper.group([frame(T0)], next_pass_id=1)
    grouper.reset()  # the write failed and rolled back: pass 1 does not exist
    again = grouper.group([frame(T0 + 100)], next_pass_id=1)
    assert [(p.id, p.is_new, p.frame_count) for p in again] == [(1, True, 1)]


def test_the_passes_kept_open_between_batches_are_not_tracked_by_the_collector() -> None:
    grouper = PassGrouper()
    gc.collect()
    tracked_before = len(gc.get_objects())
    for batch in range(10):
        frames = [frame(T0 + batch * 1_000, f"P{batch:02d}{number:05d}") for number in range(1_000)]
        grouper.group(frames, next_pass_id=1 + batch * 1_000)
        grouper.mark_written()
    gc.collect()  # the collector untracks tuples that hold only numbers when it first meets them
    assert len(gc.get_objects()) - tracked_before < 500  # 10,000 passes are open
    assert grouper.group([frame(T0 + 9_500, "P0900000")], next_pass_id=20_000)[0].id == 9_001

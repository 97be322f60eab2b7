"""Group commit: callers share a transaction, each gets its own answer, and a failure stays with its caller."""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError, ThreadPoolExecutor

import pytest

from plateledger.ingest.commit import GroupCommit


class Recorder:
    """A commit_many that records each group and can be held at its start."""

    def __init__(self) -> None:
        self.groups: list[list[int]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, items: list[int]) -> list[int]:
        self.started.set()
        self.release.wait(5)
        if any(item < 0 for item in items):
            raise ValueError(f"bad items in {items}")
        self.groups.append(list(items))
        return [item * 10 for item in items]


def test_callers_queued_during_a_commit_share_the_next_one_and_get_their_own_result() -> None:
    recorder = Recorder()
    commit = GroupCommit("test", recorder)
    recorder.release.clear()
    first = commit.enqueue(1)
    assert recorder.started.wait(5)  # the committer holds item 1; the next ones queue behind it
    with ThreadPoolExecutor(4) as pool:
        waiting = [pool.submit(commit.submit, number) for number in (2, 3, 4)]
        while len(commit._queue) < 3:
            threading.Event().wait(0.001)
        recorder.release.set()
        assert [future.result(5) for future in waiting] == [20, 30, 40]
    assert first.result(5) == 10
    assert recorder.groups == [[1], [2, 3, 4]]
    commit.close()


def test_a_failing_group_commits_each_caller_alone_and_only_the_bad_one_fails() -> None:
    recorder = Recorder()
    commit = GroupCommit("test", recorder)
    recorder.release.clear()
    blocker = commit.enqueue(1)
    assert recorder.started.wait(5)
    good, bad = commit.enqueue(2), commit.enqueue(-3)
    recorder.release.set()
    assert blocker.result(5) == 10 and good.result(5) == 20
    with pytest.raises(ValueError, match="bad items"):
        bad.result(5)
    assert recorder.groups == [[1], [2]]  # [2, -3] failed whole, then 2 alone
    commit.close()


def test_a_future_cancelled_while_queued_is_left_out_and_the_rest_commit() -> None:
    recorder = Recorder()
    commit = GroupCommit("test", recorder)
    recorder.release.clear()
    commit.enqueue(1)
    assert recorder.started.wait(5)
    dropped, kept = commit.enqueue(2), commit.enqueue(3)
    assert dropped.cancel()
    recorder.release.set()
    assert kept.result(5) == 30
    with pytest.raises(CancelledError):
        dropped.result(0)
    commit.close()
    assert recorder.groups == [[1], [3]]


def test_close_commits_what_is_queued_then_refuses_more() -> None:
    recorder = Recorder()
    commit = GroupCommit("test", recorder)
    futures = [commit.enqueue(number) for number in range(1, 6)]
    commit.close()
    assert [future.result(0) for future in futures] == [10, 20, 30, 40, 50]
    with pytest.raises(RuntimeError, match="closed"):
        commit.submit(6)

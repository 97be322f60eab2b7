"""The server freezes its start-up objects: full collections no longer walk them."""

from __future__ import annotations

import gc
import weakref

from plateledger.api.heap import freeze_startup_heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_start_up_objects_are_frozen_and_garbage_is_collected_first() -> None:
    try:
        kept = [Node() for _ in range(100)]
        garbage = [weakref.ref(Node()) for _ in range(50)]  # cycles nobody holds, left for the collector
        assert any(ref() is not None for ref in garbage)
        frozen = freeze_startup_heap()
        assert all(ref() is None for ref in garbage)  # collected before the freeze, not frozen with the rest
        assert frozen >= len(kept)
        tracked = {id(item) for item in gc.get_objects()}
        assert not any(id(node) in tracked for node in kept)  # no collection walks them any more
    finally:
        gc.unfreeze()

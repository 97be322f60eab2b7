"""Keeping the objects a server builds at start-up out of Python's full garbage collections.

A full (generation 2) collection walks every tracked object and holds the GIL while it does: with the ~100,000
objects of a started server (modules, the app, its validators and caches) each one stopped every request for
50-90 ms on the project's machine, every few seconds under ingest load. Those objects live as long as the
process, so they are collected once and frozen (`gc.freeze`: moved to a generation no collection walks) just
before the server starts answering. Full collections then walk only what was built since: 9-26 ms measured
at 500 posts a second (`docs/benchmarks.md`).
"""

import gc


def freeze_startup_heap() -> int:
    """Collect what start-up left as garbage, then freeze the rest; returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()

"""The demo network: a store filled with a synthetic month of reads, for trying plateledger out."""

from __future__ import annotations

from pathlib import Path

from rich.progress import Progress

from plateledger.reads import now_ms
from plateledger.store.sqlite import SqliteReadStore
from plateledger.synth import build_network, generate_reads

DAY_MS = 86_400_000


def load_demo(path: Path, reads: int, *, seed: int = 7, days: float = 30.0) -> SqliteReadStore:
    """Open the demo store at `path`, filling it on first use with `reads` reads ending now."""
    store = SqliteReadStore(path)
    if store.count_reads() > 0:
        return store
    network = build_network(seed)
    start = now_ms() - int(days * DAY_MS)
    for agency in network.agencies:
        store.add_agency(agency)
    for camera in network.cameras:
        store.add_camera(camera)
    with Progress() as progress:
        task = progress.add_task("demo reads", total=reads)
        for batch in generate_reads(network, reads, seed=seed, start_ms=start, days=days):
            store.append(batch)
            progress.advance(task, len(batch))
    return store

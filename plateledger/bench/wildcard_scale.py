"""Wildcard search at scale: a dictionary of millions of distinct plates, one read each.

The main bench's networks hold far fewer distinct plates than readers see in a year (misreads make new
ones). This run fills a store with `distinct` different plates in the real formats of every known region and
times wildcard patterns over it.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from pathlib import Path

from rich.progress import Progress

from plateledger.plates.formats import random_plate, random_region
from plateledger.reads import NewRead
from plateledger.store.contract import Agency, Camera, TimeWindow
from plateledger.store.sqlite import SqliteReadStore

START_MS = 1_767_225_600_000
BATCH = 50_000


def run_wildcard_scale(distinct: int, *, queries: int = 300, seed: int = 7, directory: Path | None = None) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="plateledger-wildcard-", dir=directory))
    rng = random.Random(seed)
    try:
        store = SqliteReadStore(workdir / "plates.db", cache_mib=1024)
        store.add_agency(Agency("bench", "Bench", "local", "US-CA"))
        store.add_camera(Camera("gate", "bench", "fixed", "bench gate", 37.77, -122.42, 0.0))
        seen: set[str] = set()
        samples: list[str] = []
        with Progress() as progress:
            task = progress.add_task("distinct plates", total=distinct)
            while len(seen) < distinct:
                batch = []
                while len(batch) < BATCH and len(seen) < distinct:
                    plate = random_plate(random_region(rng), rng)
                    if plate in seen:
                        continue
                    seen.add(plate)
                    # One read a minute apart: every plate is its own pass.
                    batch.append(NewRead(plate, START_MS + len(seen) * 60_000, "gate", 90.0, None))
                    if len(samples) < queries and rng.random() < 0.01:
                        samples.append(plate)
                store.append(batch)
                progress.advance(task, len(batch))
        del seen
        window = TimeWindow(START_MS, START_MS + (distinct + 2) * 60_000)
        timings = []
        for plate in samples:
            pattern = _pattern(plate, rng)
            started = time.perf_counter_ns()
            try:
                store.search_wildcard(pattern, window, limit=1000)
            except ValueError:
                continue  # too broad: refused, not timed
            timings.append((time.perf_counter_ns() - started) / 1e6)
        store.close()
        timings.sort()
        return {
            "distinct_plates": distinct,
            "wildcard_queries": len(timings),
            "wildcard_p50_ms": round(timings[len(timings) // 2], 3),
            "wildcard_p99_ms": round(timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))], 3),
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _pattern(plate: str, rng: random.Random) -> str:
    """A partly read plate: one or two unreadable characters, or a known start."""
    if len(plate) >= 6 and rng.random() < 0.3:
        return plate[: rng.randrange(3, len(plate) - 1)] + "*"
    chars = list(plate)
    for position in rng.sample(range(len(chars)), k=min(2, max(0, len(chars) - 3))):
        chars[position] = "?"
    return "".join(chars)

"""Run the store benchmark: ingest N synthetic reads into the store and the baseline, then time searches.

Both stores receive the same batches, generated once; only the time spent inside each store's append is
counted as ingest. Plate lookups search vehicles of the fleet drawn uniformly (an investigator looks up one
car, whatever its popularity), plus the 100 most-seen vehicles as a worst case (`lookup_heavy_p99_ms`).
Area queries centre on reads sampled as they stream past, so they fall where the traffic is. Seeded.
"""

from __future__ import annotations

import contextlib
import gc
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from plateledger.bench.baseline import BaselineStore
from plateledger.plates.skeleton import CONFUSABLE_CLASSES
from plateledger.store.contract import Circle, TimeWindow
from plateledger.store.sqlite import SqliteReadStore
from plateledger.synth import build_network, generate_reads, vehicles_of

DAY_MS = 86_400_000
START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(call: Callable[[], object]) -> float:
    """Milliseconds for one call."""
    started = time.perf_counter_ns()
    call()
    return (time.perf_counter_ns() - started) / 1e6


def _near_variant(plate: str, rng: random.Random) -> str:
    """A plate as a reader might misread it: a confusable substitution or a dropped character."""
    if rng.random() < 0.5 and len(plate) > 4:
        position = rng.randrange(len(plate))
        return plate[:position] + plate[position + 1 :]
    for _ in range(10):
        position = rng.randrange(len(plate))
        for group in CONFUSABLE_CLASSES:
            if plate[position] in group and len(group) > 1:
                swap = rng.choice([ch for ch in group if ch != plate[position]])
                return plate[:position] + swap + plate[position + 1 :]
    return plate


def _wildcard_of(plate: str, rng: random.Random) -> str:
    if rng.random() < 0.5 or len(plate) < 6:
        chars = list(plate)
        for position in rng.sample(range(len(chars)), k=min(2, len(chars) - 3)):
            chars[position] = "?"
        return "".join(chars)
    cut = rng.randrange(3, len(plate) - 1)
    return plate[:cut] + "*"


def run(
    reads: int,
    *,
    seed: int = 7,
    days: float = 30.0,
    batch_size: int = 20_000,
    directory: Path | None = None,
    with_baseline: bool = True,
    queries: int = 1000,
    cache_mib: int = 1024,
) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="plateledger-bench-", dir=directory))
    try:
        return _run(reads, workdir, seed, days, batch_size, with_baseline, queries, cache_mib)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(
    reads: int,
    workdir: Path,
    seed: int,
    days: float,
    batch_size: int,
    with_baseline: bool,
    queries: int,
    cache_mib: int,
) -> dict[str, Any]:
    network = build_network(seed)
    store = SqliteReadStore(workdir / "plateledger.db", cache_mib=cache_mib)
    for agency in network.agencies:
        store.add_agency(agency)
    for camera in network.cameras:
        store.add_camera(camera)
    baseline = BaselineStore(workdir / "baseline.db", network.cameras, cache_mib=cache_mib) if with_baseline else None

    rng = random.Random(seed)
    reservoir: list[tuple[str, float | None, float | None, str, int]] = []
    seen = 0
    store_ns = baseline_ns = 0
    stored = 0
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
    ) as progress:
        task = progress.add_task("ingest", total=reads)
        for batch in generate_reads(network, reads, seed=seed, start_ms=START_MS, days=days, batch_size=batch_size):
            started = time.perf_counter_ns()
            result = store.append(batch)
            store_ns += time.perf_counter_ns() - started
            stored += result.stored_count + len(result.duplicates)
            if baseline is not None:
                started = time.perf_counter_ns()
                baseline.append(batch)
                baseline_ns += time.perf_counter_ns() - started
            for read in batch:  # reservoir sample of reads, for query targets
                seen += 1
                if len(reservoir) < 4 * queries:
                    reservoir.append((read.plate_raw, read.lat, read.lon, read.camera_id, read.observed_ms))
                elif (slot := rng.randrange(seen)) < len(reservoir):
                    reservoir[slot] = (read.plate_raw, read.lat, read.lon, read.camera_id, read.observed_ms)
            progress.advance(task, len(batch))

        cameras = {camera.id: camera for camera in network.cameras}
        everything = TimeWindow(START_MS - DAY_MS, START_MS + int(days * DAY_MS) + DAY_MS)
        fleet = vehicles_of(network, max(100, reads // 10), seed)
        # Vehicles the network actually saw (at small sizes many never pass a camera).
        pool = rng.sample(fleet, k=min(len(fleet), 20 * queries))
        seen_plates = [vehicle.plate for vehicle in pool if store.search_exact(vehicle.plate, everything, limit=1).hits]
        plates = [rng.choice(seen_plates) for _ in range(3 * queries)]
        heavy = [vehicle.plate for vehicle in fleet[:100]]
        areas = []
        for _, lat, lon, camera_id, observed in reservoir:
            camera = cameras[camera_id]
            areas.append((lat if lat is not None else camera.lat, lon if lon is not None else camera.lon, observed))
        radius = (1_000_000 / 3.141592653589793) ** 0.5  # a circle of 1 km^2

        def day_around(observed: int) -> TimeWindow:
            return TimeWindow(observed - DAY_MS // 2, observed + DAY_MS // 2)

        figures: dict[str, Any] = {"reads": stored}
        figures["ingest_reads_per_s"] = round(stored / (store_ns / 1e9))
        query_task = progress.add_task("queries", total=4 * queries)
        gc.freeze()  # the network and samples live for the whole run: keep the collector off them, as a server would
        exact = [timed(lambda p=plate: store.search_exact(p, everything, limit=1000)) for plate in plates[:queries]]
        heavy_exact = [timed(lambda p=plate: store.search_exact(p, everything, limit=1000)) for plate in heavy]
        progress.advance(query_task, queries)
        near_plates = [_near_variant(plate, rng) for plate in plates[queries : 2 * queries]]
        near = [timed(lambda p=plate: store.search_near(p, everything, limit=1000)) for plate in near_plates]
        progress.advance(query_task, queries)
        wildcard_patterns = [_wildcard_of(plate, rng) for plate in plates[2 * queries : 3 * queries]]
        wildcard = []
        for pattern in wildcard_patterns:
            # A too broad pattern is refused; the refusal is not a timing.
            with contextlib.suppress(ValueError):
                wildcard.append(timed(lambda p=pattern: store.search_wildcard(p, everything, limit=1000)))
        progress.advance(query_task, queries)
        area = [
            timed(lambda a=(lat, lon, t): store.search_area(Circle(a[0], a[1], radius), day_around(a[2])))
            for lat, lon, t in areas[:queries]
        ]
        progress.advance(query_task, queries)
        figures.update(_summary(exact, heavy_exact, near, wildcard, area))
        store.close()
        figures["bytes_per_read"] = round(_file_bytes(workdir / "plateledger.db") / max(stored, 1), 1)
        figures["distinct_plates"] = _distinct_plates(workdir / "plateledger.db")
        figures["frames_per_pass"] = _frames_per_pass(workdir / "plateledger.db", stored)

        if baseline is not None:
            base_figures: dict[str, Any] = {"reads": stored, "ingest_reads_per_s": round(stored / (baseline_ns / 1e9))}
            # The baseline's wildcard and area queries scan; fewer samples keep the run short.
            few = max(20, queries // 20)
            base_task = progress.add_task("baseline queries", total=queries + 2 * few)
            base_exact = [timed(lambda p=plate: baseline.search_exact(p, everything)) for plate in plates[:queries]]
            base_heavy = [timed(lambda p=plate: baseline.search_exact(p, everything)) for plate in heavy]
            progress.advance(base_task, queries)
            base_wildcard = [
                timed(lambda p=pattern: baseline.search_wildcard(p, everything)) for pattern in wildcard_patterns[:few]
            ]
            progress.advance(base_task, few)
            base_area = [
                timed(lambda a=(lat, lon, t): baseline.search_area(Circle(a[0], a[1], radius), day_around(a[2])))
                for lat, lon, t in areas[:few]
            ]
            progress.advance(base_task, few)
            base_figures.update(_summary(base_exact, base_heavy, None, base_wildcard, base_area))
            baseline.close()
            base_figures["bytes_per_read"] = round(_file_bytes(workdir / "baseline.db") / max(stored, 1), 1)
            figures["baseline"] = base_figures
        else:
            figures["baseline"] = None
    return figures


def _summary(
    exact: list[float], heavy: list[float], near: list[float] | None, wildcard: list[float], area: list[float]
) -> dict[str, float | None]:
    def rounded(value: float) -> float:
        return round(value, 3)

    return {
        "lookup_p50_ms": rounded(statistics.median(exact)),
        "lookup_p99_ms": rounded(percentile(exact, 0.99)),
        "lookup_heavy_p99_ms": rounded(percentile(heavy, 0.99)),
        "near_p99_ms": rounded(percentile(near, 0.99)) if near else None,
        "wildcard_p99_ms": rounded(percentile(wildcard, 0.99)) if wildcard else None,
        "area_p99_ms": rounded(percentile(area, 0.99)),
    }


def _file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def _distinct_plates(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM plates").fetchone()[0])


def _frames_per_pass(path: Path, reads: int) -> float:
    with sqlite3.connect(path) as connection:
        passes = int(connection.execute("SELECT count(*) FROM passes").fetchone()[0])
    return round(reads / max(passes, 1), 2)

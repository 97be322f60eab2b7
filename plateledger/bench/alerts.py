"""`plateledger bench-alerts`: hot-list matching throughput in process, against two baselines, and (with
alerts_latency.py) the latency from an accepted read to an alert on a live stream and in an SMTP inbox.

Matching: `entries` random plates on hot lists (one agency), and a stream of `reads` reads in ingest batches of
`batch`, drawn from a pool of plates that are mostly on no list (`hit_rate` of them are listed plates, some read
with a look-alike character). Timed: the ingest hook's own work per batch (fold the OCR text, one dictionary
lookup per read: `AlertEngine.matches`), once with the fold cache warm (cameras see the same plates again and
again) and once cold (every text new). Baselines: a naive scan of every entry per read, on a list of
`naive_entries`, and one indexed SQLite lookup per read against all `entries`.
"""

from __future__ import annotations

import gc
import random
import sqlite3
import string
import tempfile
import time
from pathlib import Path
from typing import Any

from plateledger.alerts.engine import find_hits
from plateledger.hotlists.index import IndexedEntry, IndexHolder, PlateFolder
from plateledger.ingest.pipeline import StoredItem
from plateledger.plates import skeleton
from plateledger.reads import NewRead

LETTERS = string.ascii_uppercase
LOOKALIKES = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8", "2": "Z", "Z": "2"}


def random_plate(rng: random.Random) -> str:
    """A California-style plate: a digit, three letters, three digits (7ABC123)."""
    return f"{rng.randrange(10)}{''.join(rng.choices(LETTERS, k=3))}{rng.randrange(1000):03d}"


def make_entries(count: int, rng: random.Random) -> list[IndexedEntry]:
    plates: set[str] = set()
    while len(plates) < count:
        plates.add(random_plate(rng))
    return [IndexedEntry(i + 1, "bench-list", "bench", plate, "US-CA", 0, None) for i, plate in enumerate(plates)]


def lookalike(plate: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(plate) if ch in LOOKALIKES]
    if not spots:
        return plate
    spot = rng.choice(spots)
    return plate[:spot] + LOOKALIKES[plate[spot]] + plate[spot + 1 :]


def make_reads(
    count: int, entries: list[IndexedEntry], rng: random.Random, *, pool: int, hit_rate: float, distinct: bool
) -> list[StoredItem]:
    """Reads from a pool of plates (or all distinct plates), `hit_rate` of them listed (a third look-alikes)."""
    texts = [random_plate(rng) for _ in range(pool)] if not distinct else []
    items = []
    for index in range(count):
        if rng.random() < hit_rate:
            plate = rng.choice(entries).plate
            text = lookalike(plate, rng) if rng.random() < 1 / 3 else plate
        elif distinct:
            text = f"{random_plate(rng)}{index % 10}"  # 8 characters: never seen before, rarely on a list
        else:
            text = texts[min(int(rng.paretovariate(1.2)) - 1, pool - 1) if rng.random() < 0.5 else rng.randrange(pool)]
        items.append(StoredItem(index, NewRead(text, 1_717_200_000_000 + index, "bench-cam", 90.0, "US-CA"), index))
    return items


class _Matcher:
    """The hook's matching (`find_hits`, as AlertEngine.hook runs it), without the engine's threads and database."""

    def __init__(self, holder: IndexHolder) -> None:
        self.index = holder
        self.fold = PlateFolder()

    def matches(self, items: list[StoredItem]) -> int:
        return len(find_hits(self.index.current, self.fold, items))


def _batches(items: list[StoredItem], size: int) -> list[list[StoredItem]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _time_matching(matcher: _Matcher, batches: list[list[StoredItem]]) -> tuple[float, int]:
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        found = sum(matcher.matches(batch) for batch in batches)
        return time.perf_counter() - started, found
    finally:
        gc.enable()


def naive_scan(entries: list[IndexedEntry], items: list[StoredItem]) -> tuple[float, int]:
    """The baseline: every entry compared with every read (skeletons of entries computed beforehand)."""
    fold = PlateFolder()
    keyed = [(skeleton(entry.plate), entry) for entry in entries]
    found = 0
    started = time.perf_counter()
    for item in items:
        key = fold(item.read.plate_raw)[1]
        for entry_key, _ in keyed:
            if entry_key == key:
                found += 1
                break
    return time.perf_counter() - started, found


def sql_lookup(entries: list[IndexedEntry], items: list[StoredItem], directory: Path) -> tuple[float, int]:
    """The baseline: one indexed SQLite query per read against every entry."""
    connection = sqlite3.connect(directory / "entries.db")
    connection.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, skeleton TEXT, plate TEXT, region TEXT)")
    connection.executemany(
        "INSERT INTO entries VALUES (?, ?, ?, ?)", ((e.id, skeleton(e.plate), e.plate, e.region) for e in entries)
    )
    connection.execute("CREATE INDEX entries_skeleton ON entries (skeleton)")
    connection.commit()
    fold = PlateFolder()
    found = 0
    started = time.perf_counter()
    for item in items:
        rows = connection.execute(
            "SELECT id, plate, region FROM entries WHERE skeleton = ?", (fold(item.read.plate_raw)[1],)
        ).fetchall()
        found += bool(rows)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed, found


def run_matching(
    *,
    entries: int = 1_000_000,
    reads: int = 2_000_000,
    batch: int = 500,
    hit_rate: float = 0.001,
    naive_entries: int = 1_000,
    baseline_reads: int = 100_000,
    seed: int = 11,
    directory: Path | None = None,
) -> dict[str, Any]:
    rng = random.Random(seed)
    listed = make_entries(entries, rng)
    holder = IndexHolder()
    started = time.perf_counter()
    holder.replace(listed)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    holder.change(added=[IndexedEntry(entries + 1, "bench-list", "bench", "9ZZZ999", "US-CA", 0, None)])
    one_change_s = time.perf_counter() - started
    figures: dict[str, Any] = {
        "entries": entries,
        "index_build_s": round(build_s, 3),
        "index_copy_on_one_change_ms": round(one_change_s * 1000, 1),
        "batch": batch,
        "hit_rate": hit_rate,
    }
    for label, distinct in (("warm", False), ("cold", True)):
        items = make_reads(reads, listed, rng, pool=300_000, hit_rate=hit_rate, distinct=distinct)
        matcher = _Matcher(holder)
        if not distinct:
            _time_matching(matcher, _batches(items[: min(len(items), 300_000)], batch))  # fill the fold cache
        elapsed, found = _time_matching(matcher, _batches(items, batch))
        figures[f"matching_{label}"] = {
            "reads": len(items),
            "seconds": round(elapsed, 3),
            "reads_per_s": round(len(items) / elapsed),
            "reads_with_listed_skeleton": found,
        }
    sample = make_reads(baseline_reads, listed, rng, pool=300_000, hit_rate=hit_rate, distinct=False)
    small = listed[:naive_entries]
    elapsed, _ = naive_scan(small, sample[: max(1, baseline_reads // 10)])
    figures["baseline_naive_scan"] = {
        "entries": len(small),
        "reads": max(1, baseline_reads // 10),
        "reads_per_s": round(max(1, baseline_reads // 10) / elapsed),
    }
    with tempfile.TemporaryDirectory(dir=directory) as temporary:
        elapsed, _ = sql_lookup(listed, sample, Path(temporary))
    figures["baseline_sqlite_lookup"] = {
        "entries": entries,
        "reads": len(sample),
        "reads_per_s": round(len(sample) / elapsed),
    }
    return figures


def run_alerts_bench(
    *,
    entries: int = 1_000_000,
    reads: int = 2_000_000,
    batch: int = 500,
    probes: int = 300,
    rate: float = 1000.0,
    latency_entries: int = 100_000,
    latency: bool = True,
    directory: Path | None = None,
) -> dict[str, Any]:
    """Every figure of `plateledger bench-alerts`, with the machine they were taken on."""
    import os
    import platform

    figures: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "matching": run_matching(entries=entries, reads=reads, batch=batch, directory=directory),
    }
    if latency:
        from plateledger.bench.alerts_latency import run_latency

        figures["latency"] = run_latency(probes=probes, rate=rate, entries=latency_entries, directory=directory)
    return figures

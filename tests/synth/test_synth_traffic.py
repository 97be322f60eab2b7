"""The read stream: count, order, determinism, cameras and positions, passes, popularity, habits, noise."""

from __future__ import annotations

import itertools
import statistics
import time
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import pytest

from plateledger.plates.normalize import normalize_plate
from plateledger.plates.skeleton import skeleton
from plateledger.reads import NewRead, validate_read
from plateledger.synth import Network, build_network, generate_reads, noise, vehicles_of
from plateledger.synth.traffic import HOUR_MS

if TYPE_CHECKING:
    from conftest import Stream

DAY_MS = 86_400_000


def test_exact_count_and_batch_sizes(batches: list[list[NewRead]], stream: Stream) -> None:
    assert sum(map(len, batches)) == stream.n_reads
    assert all(len(batch) == 7_000 for batch in batches[:-1]) and 0 < len(batches[-1]) <= 7_000


@pytest.mark.parametrize("n", [1, 99, 1234])
def test_exact_count_for_small_and_odd_sizes(network: Network, n: int, stream: Stream) -> None:
    made = list(generate_reads(network, n, seed=3, start_ms=stream.start_ms, days=1.5, batch_size=100))
    assert sum(map(len, made)) == n


def test_zero_reads_and_bad_arguments(network: Network, stream: Stream) -> None:
    assert list(generate_reads(network, 0, start_ms=stream.start_ms)) == []
    with pytest.raises(ValueError):
        generate_reads(network, 10, start_ms=stream.start_ms, days=0)
    with pytest.raises(ValueError):
        generate_reads(build_network(fixed_cameras_per_metro=0), 10, start_ms=stream.start_ms)


def test_same_arguments_same_reads_other_seed_differs(
    network: Network, batches: list[list[NewRead]], stream: Stream
) -> None:
    again = generate_reads(
        network, stream.n_reads, seed=stream.seed, start_ms=stream.start_ms, days=stream.days, batch_size=7_000
    )
    assert next(again) == batches[0]
    assert next(again) == batches[1]
    other = generate_reads(
        network, stream.n_reads, seed=stream.seed + 1, start_ms=stream.start_ms, days=stream.days, batch_size=7_000
    )
    assert next(other) != batches[0]


def test_observed_times_in_window_and_in_order_but_a_few_late(reads: list[NewRead], stream: Stream) -> None:
    assert all(stream.start_ms <= r.observed_ms < stream.start_ms + stream.days * DAY_MS for r in reads)
    latest, late = 0, []
    for read in reads:
        if read.observed_ms < latest:
            late.append(latest - read.observed_ms)
        latest = max(latest, read.observed_ms)
    assert 0.002 < len(late) / len(reads) < 0.01
    assert max(late) <= 5 * 60_000


def test_reads_validate_and_cameras_exist(network: Network, reads: list[NewRead], stream: Stream) -> None:
    cameras = {c.id: c for c in network.cameras}
    now = stream.start_ms + 10 * DAY_MS
    for read in reads:
        assert read.camera_id in cameras
        validate_read(read, now)
    assert {cameras[r.camera_id].agency_id for r in reads} == {
        a.id for a in network.agencies if any(c.agency_id == a.id for c in network.cameras)
    }


def test_fixed_reads_leave_position_out_or_give_the_cameras(network: Network, reads: list[NewRead]) -> None:
    cameras = {c.id: c for c in network.cameras}
    fixed = [r for r in reads if cameras[r.camera_id].kind == "fixed"]
    with_position = [r for r in fixed if r.lat is not None]
    assert 0.02 < len(with_position) / len(fixed) < 0.3
    for read in with_position:
        camera = cameras[read.camera_id]
        assert (read.lat, read.lon, read.heading) == (camera.lat, camera.lon, camera.heading)
        assert read.source_id and read.source_id.startswith(read.camera_id)
    assert len({r.source_id for r in with_position}) == len(with_position)
    assert all(r.lon is None and r.heading is None for r in fixed if r.lat is None)


def test_mobile_reads_carry_gps_inside_their_metro_along_a_track(network: Network, reads: list[NewRead]) -> None:
    cameras = {c.id: c for c in network.cameras}
    mobile = [r for r in reads if cameras[r.camera_id].kind == "mobile"]
    assert 0.05 < len(mobile) / len(reads) < 0.2
    for read in mobile:
        south, west, north, east = network.metro_of(read.camera_id).bounds()
        assert read.lat is not None and read.lon is not None and read.heading is not None
        assert south <= read.lat <= north and west <= read.lon <= east
        assert read.heading in (0.0, 90.0, 180.0, 270.0)
    by_car: dict[str, list[NewRead]] = defaultdict(list)
    for read in sorted(mobile, key=lambda r: r.observed_ms):
        by_car[read.camera_id].append(read)
    car = max(by_car.values(), key=len)
    assert len({(r.lat, r.lon) for r in car}) > 10  # it moves
    metro = network.metro_of(car[0].camera_id)
    for a, b in itertools.pairwise(car):  # no faster than a block a minute (plus GPS rounding)
        if b.observed_ms - a.observed_ms < 3_600_000 and a.lat is not None and b.lat is not None:
            metres = abs(b.lat - a.lat) * 111_320 + abs(b.lon - a.lon) * 111_320 * 0.8  # type: ignore[operator]
            assert metres <= (b.observed_ms - a.observed_ms) / 60_000 * metro.spacing_m * 1.3 + 5


def _passes(reads: list[NewRead]) -> list[list[NewRead]]:
    """Frames of one vehicle at one camera: same camera, same skeleton, at most 400 ms apart."""
    by_camera: dict[str, list[NewRead]] = defaultdict(list)
    for read in sorted(reads, key=lambda r: (r.camera_id, r.observed_ms)):
        by_camera[read.camera_id].append(read)
    passes = []
    for frames in by_camera.values():
        current = [frames[0]]
        for read in frames[1:]:
            near = read.observed_ms - current[-1].observed_ms <= 400
            if (
                near
                and skeleton(normalize_plate(read.plate_raw))[:3] == skeleton(normalize_plate(current[0].plate_raw))[:3]
            ):
                current.append(read)
            else:
                passes.append(current)
                current = [read]
        passes.append(current)
    return passes


def test_frames_per_pass_and_their_spacing(reads: list[NewRead]) -> None:
    passes = _passes(reads)
    sizes = Counter(len(p) for p in passes)
    assert 2.5 <= len(reads) / len(passes) <= 3.0
    assert set(sizes) <= {1, 2, 3, 4, 5, 6} and sizes[6] < 0.005 * len(passes)  # 6: two vehicles at once
    gaps = [b.observed_ms - a.observed_ms for p in passes for a, b in itertools.pairwise(p)]
    assert min(gaps) >= 80 and max(gaps) <= 400


def test_confidence_mostly_80_to_99(reads: list[NewRead]) -> None:
    values = [r.confidence for r in reads]
    assert all(0 <= v <= 100 for v in values)
    assert sum(80 <= v <= 99.5 for v in values) / len(values) > 0.75
    assert 88 < statistics.median(values) < 97


def test_popularity_is_zipf_like_with_a_cap(reads: list[NewRead]) -> None:
    counts = Counter(normalize_plate(r.plate_raw) for r in reads)
    ranked = sorted(counts.values(), reverse=True)
    assert ranked[0] / len(reads) < 0.005
    assert statistics.mean(ranked[:10]) > 20 * statistics.median(ranked)
    assert ranked[100] > 3 * ranked[len(ranked) // 2]


def test_traffic_follows_the_clock(network: Network, reads: list[NewRead]) -> None:
    offsets = {c.id: network.metro_of(c.id).tz_offset_h * HOUR_MS for c in network.cameras}
    hours = Counter((r.observed_ms + offsets[r.camera_id]) % DAY_MS // HOUR_MS for r in reads)
    assert hours[8] + hours[17] > 5 * (hours[2] + hours[3])


def test_commuters_pass_the_same_camera_at_similar_times_on_different_days(reads: list[NewRead]) -> None:
    seen: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for read in reads:
        day, time_of_day = divmod(read.observed_ms, DAY_MS)
        seen[(normalize_plate(read.plate_raw), read.camera_id)].setdefault(day, time_of_day)
    habits = 0
    for days in seen.values():
        times = sorted(days.values())
        if len(times) >= 2 and times[-1] - times[0] < 45 * 60_000:
            habits += 1
    assert habits > 200


def test_noise_rates_match_the_documented_ones(network: Network, reads: list[NewRead], stream: Stream) -> None:
    fleet = vehicles_of(network, stream.n_reads // 10, stream.seed)
    truth = {v.plate: v.region for v in fleet}
    skeletons = {skeleton(v.plate) for v in fleet}
    dropped = {v.plate[:i] + v.plate[i + 1 :] for v in fleet for i in range(len(v.plate))}
    kinds: Counter[str] = Counter()
    for read in reads:
        plate = normalize_plate(read.plate_raw)
        if read.plate_raw != plate:
            kinds["format"] += 1
        if read.region is None or read.region_assumed:
            kinds["unknown"] += 1
        if plate in truth:
            if read.region is not None and not read.region_assumed and read.region != truth[plate]:
                kinds["wrong_region"] += 1
        elif skeleton(plate) in skeletons:
            kinds["confusable"] += 1
        elif plate in dropped:
            kinds["dropped"] += 1
        else:
            kinds["other"] += 1
    n = len(reads)
    expected = {
        "confusable": noise.CONFUSABLE_RATE,
        "dropped": noise.DROP_RATE,
        "wrong_region": noise.WRONG_REGION_RATE,
        "unknown": noise.UNKNOWN_REGION_RATE,
        "format": noise.RAW_FORMAT_RATE,
    }
    for kind, rate in expected.items():
        assert rate * 0.75 < kinds[kind] / n < rate * 1.25, (kind, kinds[kind] / n)
    assert kinds["other"] / n < 0.001
    assert 0.001 < sum(bool(r.candidates) for r in reads) / n < 0.02


def test_first_batch_of_a_huge_stream_comes_fast(network: Network, stream: Stream) -> None:
    started = time.perf_counter()
    huge = generate_reads(network, 100_000_000, seed=1, start_ms=stream.start_ms, days=30.0)
    assert len(next(huge)) == 10_000
    assert time.perf_counter() - started < 5.0

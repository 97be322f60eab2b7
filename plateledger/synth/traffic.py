"""Synthetic reads: vehicles driving through the network, streamed in time order, fast.

Time runs in 15-minute slices. Each (slice, metro) gets its share of the `n_reads` by a diurnal profile of
local time (weekday rush hours, flatter weekends, quiet nights), and that share is filled with (a metro's
surplus in one slice is taken off its next ones; the last slice makes the total exact):

* commute trips: vehicles in the commuter band of popularity (those whose share of trips fills 30-100 % of
  the weekdays' two commute slots) drive their own route out on weekday mornings (each vehicle its own hour,
  05:30-10:00, peak 07:45) and back 7.5-10.5 hours later, give or take 10-15 minutes from day to day, so
  they pass the same few cameras at similar times; commutes take precedence, other trips make up the rest;
* patrol-car reads (`MOBILE_SHARE`, while cars are on shift 06:00-16:00 or 14:00-24:00): a vehicle of the
  metro read by a car on duty, the read carrying the car's GPS position and heading;
* other trips: a vehicle drawn by popularity (Zipf) drives one of its usual routes (8, or 32 for the few
  very frequent vehicles: taxis, vans); `VISITOR_SHARE` of them are vehicles from another metro.

A trip passes its route's cameras; each pass gives 1-5 frames (mean 2.77) 80-400 ms apart, and each frame
may carry OCR noise (noise.py). `LATE_SHARE` of passes reach the stream 15 s to 5 min late, like cameras with
flaky uplinks; everything else arrives in observed order. Fixed cameras report no position, except a few
(the private agency's, and `REPORTING_SHARE` of others) that send their position, heading and a source id.
"""

from __future__ import annotations

import gc
import math
import random
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from operator import attrgetter, itemgetter

from plateledger.reads import NewRead
from plateledger.synth.fleet import Fleet, Popularity, mix64
from plateledger.synth.network import Network
from plateledger.synth.routes import Route, Track, build_routes, patrol_track
from plateledger.synth.trips import FRAMES_MEAN, drive, patrol

Car = tuple[int, str, tuple[int, int], int]  # number in metro, camera id, beat, shift start hour

SLICE_MS = 900_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
MOBILE_SHARE = 0.12
REPORTING_SHARE = 0.05  # of public fixed cameras: send their position and a source id with each read
ASSUMING_SHARE = 0.3  # of cameras: report the metro's region, marked assumed, when they cannot read one
COMMUTE_MIN_SHARE = 0.3  # least share of weekdays a commuter drives in
SHIFTS = ((6, 16), (14, 24))  # patrol shifts, local hours

# Relative traffic by local hour (00-23).
WEEKDAY = (0.8, 0.5, 0.4, 0.35, 0.5, 1.2, 3.0, 5.5, 6.5, 5.0, 4.3, 4.5,
           4.8, 4.7, 4.8, 5.3, 6.2, 6.8, 5.8, 4.2, 3.2, 2.6, 1.9, 1.3)  # fmt: skip
WEEKEND = (1.3, 1.0, 0.8, 0.5, 0.4, 0.6, 1.0, 1.8, 2.8, 3.8, 4.6, 5.0,
           5.2, 5.2, 5.1, 5.0, 4.8, 4.6, 4.2, 3.6, 3.0, 2.6, 2.1, 1.6)  # fmt: skip

_OBSERVED = attrgetter("observed_ms")
_ARRIVAL = itemgetter(0)


def is_weekday(local_day: int) -> bool:
    return (local_day + 3) % 7 < 5  # 1970-01-01 was a Thursday


def traffic_weight(local_ms: int) -> float:
    """Relative traffic at a local time: the hourly profile, linearly interpolated."""
    profile = WEEKDAY if is_weekday(local_ms // DAY_MS) else WEEKEND
    hour = (local_ms % DAY_MS) / HOUR_MS - 0.5
    base = math.floor(hour)
    f = hour - base
    return profile[base % 24] * (1 - f) + profile[(base + 1) % 24] * f


class Traffic:
    """The plan of a read stream (cameras, routes, fleet, slices) and its state while it runs."""

    def __init__(self, network: Network, n_reads: int, seed: int, vehicles: int, start_ms: int, days: float):
        self.n = n_reads
        self.start, self.end = start_ms, start_ms + round(days * DAY_MS)
        self.metros = network.metros
        self.m_count = len(network.metros)
        self.rng = random.Random(mix64(seed ^ 0x7261666669630000))
        setup = random.Random(f"plateledger-traffic:{seed}")
        kinds = {a.id: a.kind for a in network.agencies}
        self.cams: list[tuple[str, float | None, float | None, float | None, bool, bool]] = []
        slots: list[dict[tuple[int, int, int], int]] = [{} for _ in self.metros]
        self.cars: list[list[Car]] = [[] for _ in self.metros]
        for camera in network.cameras:
            m, x, y, d = network.placement[camera.id]
            if camera.kind == "fixed":
                reports = kinds.get(camera.agency_id) == "private" or setup.random() < REPORTING_SHARE
                slots[m][(x, y, d)] = len(self.cams)
                self.cams.append(
                    (camera.id, camera.lat, camera.lon, camera.heading, reports, setup.random() < ASSUMING_SHARE)
                )
            else:
                car = len(self.cars[m])
                self.cars[m].append((car, camera.id, (x, y), SHIFTS[car % len(SHIFTS)][0]))
        for m, metro in enumerate(self.metros):
            if not slots[m]:
                raise ValueError(f"metro {metro.name} has no fixed cameras: reads need some")
        self.routes: list[list[Route]] = [build_routes(mt, slots[m], setup) for m, mt in enumerate(self.metros)]
        self.route_len = [[(len(a) + len(b)) / 4 for a, b in pool] for pool in self.routes]
        self.mean_passes = sum(map(sum, self.route_len)) / sum(map(len, self.route_len))
        self.fleet = Fleet(network, seed)
        self.pop = Popularity(vehicles)
        self.seq = 0
        self._slices()
        self._commuter_band()
        self._duty: dict[tuple[int, int], list[Car]] = {}
        self._tracks: dict[tuple[int, int, int], Track] = {}
        self._commuters: list[list[tuple[int, int, int, int, int, int]] | None] = [None] * self.m_count
        self._today: list[tuple[int, list[tuple[int, int, int, int]], int]] = [(-1, [], 0)] * self.m_count

    # -- plan ---------------------------------------------------------------------------------------------
    def _slices(self) -> None:
        """Slices aligned on 15-minute UTC boundaries (so local hours never straddle one), with weights."""
        self.slices: list[tuple[int, int, list[float]]] = []
        self.weekdays = 0.0
        lo = self.start
        while lo < self.end:
            hi = min((lo // SLICE_MS + 1) * SLICE_MS, self.end)
            middle = (lo + hi) // 2
            weights = []
            for metro in self.metros:
                local = middle + metro.tz_offset_h * HOUR_MS
                weights.append(traffic_weight(local) * (hi - lo) / SLICE_MS)
            local0 = middle + self.metros[0].tz_offset_h * HOUR_MS
            self.weekdays += (hi - lo) / DAY_MS if is_weekday(local0 // DAY_MS) else 0.0
            self.slices.append((lo, hi, weights))
            lo = hi
        self.total_weight = sum(sum(w) for _, _, w in self.slices)

    def _commuter_band(self) -> None:
        """Ranks whose expected trips fit a commuter's weekday schedule (a share of days, two trips each)."""
        self.trips = self.n * (1 - MOBILE_SHARE) / (self.mean_passes * FRAMES_MEAN)
        if self.weekdays < 0.5:
            self.pop.set_band(0, 0)
            return
        per_slot = 2 * self.weekdays / self.trips  # share that gives one trip per commute slot
        a = max(0, math.ceil(self.pop.rank_at(per_slot)))
        b = min(self.pop.n, math.floor(self.pop.rank_at(per_slot * COMMUTE_MIN_SHARE)) + 1)
        self.pop.set_band(a, max(a, b))

    def _commuter_table(self, m: int) -> list[tuple[int, int, int, int, int, int]]:
        """(rank, hash, route, share of days in 1/65536, departure ms, return ms) of metro m's commuters."""
        a, b = self.pop.band
        table = []
        pool = self.route_len[m]
        for i in range(a + (m - a) % self.m_count, b, self.m_count):
            h = self.fleet.hash(i)
            route = (h >> 24) % len(pool)
            days = self.pop.share(i) * self.trips / (2 * self.weekdays) * self.mean_passes / pool[route]
            depart = 11 * HOUR_MS // 2 + ((h >> 32 & 0xFFF) + (h >> 44 & 0xFFF)) * (9 * HOUR_MS // 2) // 8190
            back = depart + 15 * HOUR_MS // 2 + (h >> 56 & 0xFF) * (3 * HOUR_MS) // 255
            table.append((i, h, route, min(0x10000, round(days * 0x10000)), depart, back))
        return table

    def _commutes(self, m: int, lo: int, hi: int) -> list[tuple[int, int, int, int]]:
        """Commute trips (start ms, rank, route, way) of metro m starting in [lo, hi)."""
        offset = self.metros[m].tz_offset_h * HOUR_MS
        day = (lo + offset) // DAY_MS
        current, trips, at = self._today[m]
        if day != current:
            trips, at = [], 0
            if is_weekday(day) and self.pop.band[0] < self.pop.band[1]:
                if self._commuters[m] is None:
                    self._commuters[m] = self._commuter_table(m)
                midnight = day * DAY_MS - offset
                salt = (day * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
                for i, h, route, days, depart, back in self._commuters[m] or ():
                    g = mix64(h ^ salt)
                    if g & 0xFFFF < days:
                        out = midnight + depart + ((g >> 16 & 0x3FF) - 512) * 1172
                        home = midnight + back + ((g >> 26 & 0x3FF) - 512) * 1758
                        trips += [(out, i, route, 0), (home, i, route, 1)]
                trips.sort()
        while at < len(trips) and trips[at][0] < lo:
            at += 1
        first = at
        while at < len(trips) and trips[at][0] < hi:
            at += 1
        self._today[m] = (day, trips, at)
        return trips[first:at]

    def _on_duty(self, m: int, lo: int) -> list[Car]:
        hour = (lo + self.metros[m].tz_offset_h * HOUR_MS) % DAY_MS // HOUR_MS
        key = (m, hour)
        if key not in self._duty:
            self._duty[key] = [c for c in self.cars[m] if any(s <= hour < e for s, e in SHIFTS if s == c[3])]
        return self._duty[key]

    def track(self, m: int, car: int, beat: tuple[int, int], shift: int, t: int) -> Track:
        offset = self.metros[m].tz_offset_h * HOUR_MS
        day = (t + offset) // DAY_MS
        key = (m, car, day)
        track = self._tracks.get(key)
        if track is None:
            if len(self._tracks) > 256:
                self._tracks.clear()
            rng = random.Random(mix64(self.fleet.key ^ (m << 56) ^ (car << 40) ^ day))
            start = day * DAY_MS - offset + shift * HOUR_MS
            track = self._tracks[key] = patrol_track(self.metros[m], beat, start, 11.0, rng)
        return track

    # -- generate -----------------------------------------------------------------------------------------
    def batches(self, batch_size: int) -> Iterator[list[NewRead]]:
        """The reads in arrival order, in batches. The garbage collector is paused while a slice is made:
        reads hold no cycles, and scanning the young ones again and again costs a fifth of the time."""
        self._pending: list[NewRead] = []
        self._late: list[tuple[int, NewRead]] = []
        self._generated = 0
        self._made = [0] * self.m_count  # reads made per metro
        self._cum = [0.0] * self.m_count  # weight so far per metro
        out: list[NewRead] = []
        for s in range(len(self.slices)):
            collecting = gc.isenabled()
            gc.disable()
            try:
                out += self._step(s)
            finally:
                if collecting:
                    gc.enable()
            while len(out) >= batch_size:
                yield out[:batch_size]
                del out[:batch_size]
        if out:
            yield out

    def _step(self, s: int) -> list[NewRead]:
        """Make slice s's reads, and return those that have arrived by its end, in arrival order."""
        lo, hi, weights = self.slices[s]
        last = s == len(self.slices) - 1
        pending, late = self._pending, self._late
        for m, weight in enumerate(weights):
            self._cum[m] += weight
            if last and m == self.m_count - 1:  # the last metro of the last slice makes up the total exactly
                want = self.n - self._generated
            else:
                want = round(self.n * self._cum[m] / self.total_weight) - self._made[m]
            made = self._fill(m, lo, hi, want, self.n - self._generated, pending, late)
            self._made[m] += made
            self._generated += made
        pending.sort(key=_OBSERVED)
        cut = len(pending) if last else bisect_left(pending, hi, key=_OBSERVED)
        chunk = pending[:cut]
        del pending[:cut]
        if late:
            chunk = self._merge_late(chunk, late, None if last else hi)
        return chunk

    @staticmethod
    def _merge_late(chunk: list[NewRead], late: list[tuple[int, NewRead]], boundary: int | None) -> list[NewRead]:
        """Slot the late reads that have arrived by `boundary` into the chunk, by arrival time."""
        late.sort(key=_ARRIVAL)
        cut = len(late) if boundary is None else bisect_left(late, boundary, key=_ARRIVAL)
        if not cut:
            return chunk
        merged: list[NewRead] = []
        previous = 0
        for arrival, read in late[:cut]:
            at = bisect_right(chunk, arrival, key=_OBSERVED)
            merged += chunk[previous:at]
            merged.append(read)
            previous = at
        merged += chunk[previous:]
        del late[:cut]
        return merged

    def _fill(self, m: int, lo: int, hi: int, want: int, cap: int, pending: list, late: list) -> int:
        """Generate metro m's reads starting in [lo, hi): commutes, then about `want` in all (never over
        `cap`). Returns how many."""
        if cap <= 0:
            return 0
        produced = drive(self, m, lo, hi, self._commutes(m, lo, hi), 0, cap, pending, late)
        cars = [(cid, self.track(m, car, beat, shift, lo)) for car, cid, beat, shift in self._on_duty(m, lo)]
        if cars and want > 0:
            produced += patrol(self, m, lo, hi, cars, round(want * MOBILE_SHARE), cap - produced, pending, late)
        return produced + drive(self, m, lo, hi, [], want - produced, cap - produced, pending, late)


def generate_reads(
    network: Network,
    n_reads: int,
    *,
    seed: int = 7,
    vehicles: int | None = None,
    start_ms: int,
    days: float = 30.0,
    batch_size: int = 10_000,
) -> Iterator[list[NewRead]]:
    """Time-ordered batches of synthetic reads, `n_reads` in all, observed in [start_ms, start_ms + days).

    Batches hold `batch_size` reads (the last one fewer). The fleet has `vehicles` vehicles (default
    n_reads // 10, at least 100); `vehicles_of(network, vehicles, seed)` lists them. Same arguments, same
    reads. Memory stays bounded: reads are made slice by slice as the batches are consumed.
    """
    if n_reads < 0:
        raise ValueError("n_reads cannot be negative")
    if days <= 0 or batch_size <= 0:
        raise ValueError("days and batch_size must be positive")
    fleet_size = max(100, n_reads // 10) if vehicles is None else vehicles
    if fleet_size < len(network.metros):
        raise ValueError("need at least one vehicle per metro")
    if n_reads == 0:
        return iter(())
    return Traffic(network, n_reads, seed, fleet_size, start_ms, days).batches(batch_size)

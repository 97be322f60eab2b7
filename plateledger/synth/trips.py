"""The hot loops: trips through fixed cameras and patrol-car sightings, turned into NewRead frames.

Written for speed (they make every read): locals bound once per call, one `getrandbits(32)` per pass split
into fields (time jitter, frame count, late flag), one `random()` per frame whose bits pick noise,
confidence and the gap to the next frame, and each NewRead (a named tuple) built with positional arguments.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from plateledger.reads import NewRead
from plateledger.synth.noise import CONFIDENCE_CLEAN, NOISE_RATE, corrupt

# Frames per pass, for 7 random bits: 1-5 frames with shares .15/.30/.30/.15/.11, mean 2.77.
FRAMES = (1,) * 19 + (2,) * 38 + (3,) * 38 + (4,) * 19 + (5,) * 14
FRAMES_MEAN = sum(FRAMES) / len(FRAMES)
_gap_rng = random.Random("plateledger-frame-gaps")
GAPS = tuple(round(_gap_rng.triangular(80.0, 400.0, 150.0)) for _ in range(256))  # ms between frames
LATE_SHARE = 0.005  # of passes
LATE_DELAY_MS = (15_000, 300_000)
VISITOR_SHARE = 0.05
_LATE_CUT = round(LATE_SHARE * 8192)  # against 13 random bits
_EDGE_MS = 5 * 400  # a pass starting this close to the end may have frames past it

if TYPE_CHECKING:
    from plateledger.synth.routes import Track
    from plateledger.synth.traffic import Traffic


def _delay(rng: random.Random) -> int:
    return LATE_DELAY_MS[0] + int(rng.random() * (LATE_DELAY_MS[1] - LATE_DELAY_MS[0]))


def drive(
    src: Traffic, m: int, lo: int, hi: int, commutes: Sequence[tuple[int, int, int, int]],
    want: int, cap: int, pending: list[NewRead], late: list[tuple[int, NewRead]],
) -> int:  # fmt: skip
    """Drive the commute trips, then random trips of metro m starting in [lo, hi) until `want` reads in all;
    never more than `cap`. Returns how many reads were made."""
    rng = src.rng
    random_, bits = rng.random, rng.getrandbits
    info, cached = src.fleet.info, src.fleet.cache.get
    sample, sample_any = src.pop.sample, src.pop.sample_any
    cams, routes, end, metros, n_vehicles = src.cams, src.routes[m], src.end, src.m_count, src.pop.n
    n_routes, frequent, local = len(routes), src.pop.band[0], src.metros[m].region
    frames_of, gaps, confidence, noise, late_cut = FRAMES, GAPS, CONFIDENCE_CLEAN, NOISE_RATE, _LATE_CUT
    new_read = NewRead
    append = pending.append
    span = hi - lo
    seq = src.seq
    produced = 0
    trips = iter(commutes)
    while produced < cap:
        trip = next(trips, None)
        if trip is not None:
            t0, i, r, way = trip
            plate, region, h = cached(i) or info(i)
        elif produced < want:
            if random_() < VISITOR_SHARE:
                i = sample_any(random_())
                plate, region, h = cached(i) or info(i)
                r = bits(10) % n_routes
            else:
                i = sample(random_())
                i += m - i % metros
                if i >= n_vehicles:
                    i -= metros
                plate, region, h = cached(i) or info(i)
                r = ((h >> 24) + (bits(5) if i < frequent else bits(3)) * 131) % n_routes
            t0 = lo + int(random_() * span)
            way = bits(1)
        else:
            break
        route = routes[r][way]
        for j in range(0, len(route), 2):
            b = bits(32)
            t = t0 + route[j + 1] + (b & 0xFFF)
            if t >= end:
                break
            cid, lat, lon, heading, reports, assumes = cams[route[j]]
            count = frames_of[b >> 12 & 0x7F]
            if count > cap - produced:
                count = cap - produced
            edge = t + _EDGE_MS >= end
            for f in range(count):
                if edge and t >= end:
                    count = f
                    break
                u = random_()
                if u < noise:
                    raw, reg, assumed, conf, cands = corrupt(u, plate, region, local, assumes, rng)
                    if reports:
                        seq += 1
                        append(new_read(raw, t, cid, conf, reg, assumed, lat, lon, heading, f"{cid}-{seq}", cands))
                    else:
                        append(new_read(raw, t, cid, conf, reg, assumed, None, None, None, None, cands))
                elif reports:
                    seq += 1
                    conf = confidence[int(u * 1024)]
                    append(new_read(plate, t, cid, conf, region, False, lat, lon, heading, f"{cid}-{seq}"))
                else:
                    append(new_read(plate, t, cid, confidence[int(u * 1024)], region))
                t += gaps[int(u * 262144) & 255]
            produced += count
            if b >> 19 < late_cut and count:
                delay = _delay(rng)
                late += [(read.observed_ms + delay, read) for read in pending[-count:]]
                del pending[-count:]
            if produced >= cap:
                break
    src.seq = seq
    return produced


def patrol(
    src: Traffic, m: int, lo: int, hi: int, cars: Sequence[tuple[str, Track]], want: int, cap: int,
    pending: list[NewRead], late: list[tuple[int, NewRead]],
) -> int:  # fmt: skip
    """Sightings by the patrol cars on duty: vehicles of the metro, read with the car's GPS position and
    heading (one fix per pass: car GPS updates once a second). Returns how many reads were made."""
    rng = src.rng
    random_, bits = rng.random, rng.getrandbits
    info, sample_any, metros, n_vehicles, end = src.fleet.info, src.pop.sample_any, src.m_count, src.pop.n, src.end
    local = src.metros[m].region
    frames_of, gaps, confidence, noise, late_cut = FRAMES, GAPS, CONFIDENCE_CLEAN, NOISE_RATE, _LATE_CUT
    new_read = NewRead
    append = pending.append
    span = hi - lo
    produced = 0
    limit = min(want, cap)
    while produced < limit:
        cid, track = cars[int(random_() * len(cars))]
        b = bits(32)
        t = lo + int(random_() * span)
        lat, lon, heading = track.position(t)
        i = sample_any(random_())
        i += m - i % metros
        if i >= n_vehicles:
            i -= metros
        plate, region, _ = info(i)
        count = min(frames_of[b >> 12 & 0x7F], limit - produced)
        for f in range(count):
            if t >= end:
                count = f
                break
            u = random_()
            if u < noise:
                raw, reg, assumed, conf, cands = corrupt(u, plate, region, local, False, rng)
                append(new_read(raw, t, cid, conf, reg, assumed, lat, lon, heading, None, cands))
            else:
                append(new_read(plate, t, cid, confidence[int(u * 1024)], region, False, lat, lon, heading))
            t += gaps[int(u * 262144) & 255]
        produced += count
        if b >> 19 < late_cut and count:
            delay = _delay(rng)
            late += [(read.observed_ms + delay, read) for read in pending[-count:]]
            del pending[-count:]
    return produced

"""Where vehicles drive: route pools of each metro, and the tracks patrol cars cruise along.

A route runs from a random home intersection up a local street to the nearest arterial, along it, onto a
crossing arterial towards the destination and down a local street to it (or the mirror plan, east-west first).
Every intersection it enters in the direction a fixed camera watches is a pass at that camera. Travel time is
the block length at 13 m/s on arterials and 8 m/s on local streets, plus red lights at arterial crossings.
A route is stored flat, as (camera index, offset ms, camera index, offset ms, ...), offsets from its first
pass, both ways: the commute out and the way home.

A patrol car cruises its beat all shift: a random walk on the grid in straight legs of 1-8 blocks at a
block a minute (stops included), parked a fifth of its legs, drifting back towards the beat's centre when it
strays more than five blocks.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect_right
from dataclasses import dataclass

from plateledger.synth.network import Metro

ROUTES_PER_METRO = 1024
ARTERIAL_SPEED = 13.0  # m/s
LOCAL_SPEED = 8.0
RED_LIGHT_CHANCE = 0.4
PATROL_BLOCK_MS = 60_000
PARK_SHARE = 0.2  # of a patrol car's legs: parked, not driving
BEAT_RADIUS = 5
_STEP = ((0, 1), (1, 0), (0, -1), (-1, 0))  # N E S W as (dx, dy)

Route = tuple[tuple[int, ...], tuple[int, ...]]  # (out, back), each flat (camera, offset ms) pairs


def _nearest_arterial(metro: Metro, index: int, size: int, rng: random.Random) -> int:
    candidates = [i for i in range(size) if metro.is_arterial(i)] or [index]
    candidates.sort(key=lambda i: (abs(i - index), rng.random()))
    return candidates[0] if rng.random() < 0.8 or len(candidates) == 1 else candidates[1]


def _leg(nodes: list[tuple[int, int]], x: int, y: int) -> None:
    """Extend a path of grid nodes in a straight line to (x, y) (same row or column)."""
    cx, cy = nodes[-1]
    while (cx, cy) != (x, y):
        cx += (x > cx) - (x < cx)
        cy += (y > cy) - (y < cy)
        nodes.append((cx, cy))


def _plan(metro: Metro, rng: random.Random) -> list[tuple[int, int]]:
    hx, hy = rng.randrange(metro.nx), rng.randrange(metro.ny)
    wx, wy = rng.randrange(metro.nx), rng.randrange(metro.ny)
    nodes = [(hx, hy)]
    if rng.random() < 0.5:
        ay, ax = _nearest_arterial(metro, hy, metro.ny, rng), _nearest_arterial(metro, wx, metro.nx, rng)
        for x, y in ((hx, ay), (ax, ay), (ax, wy), (wx, wy)):
            _leg(nodes, x, y)
    else:
        ax, ay = _nearest_arterial(metro, hx, metro.nx, rng), _nearest_arterial(metro, wy, metro.ny, rng)
        for x, y in ((ax, hy), (ax, ay), (wx, ay), (wx, wy)):
            _leg(nodes, x, y)
    return nodes


def _direction(a: tuple[int, int], b: tuple[int, int]) -> int:
    return _STEP.index((b[0] - a[0], b[1] - a[1]))


def _passes(
    metro: Metro, nodes: list[tuple[int, int]], slots: dict[tuple[int, int, int], int], rng: random.Random
) -> tuple[int, ...]:
    """Drive along `nodes`: the flat (camera, offset ms) pairs of the watched intersections entered."""
    flat: list[int] = []
    clock = 0.0
    first: float | None = None
    for a, b in itertools.pairwise(nodes):
        direction = _direction(a, b)
        along_arterial = metro.is_arterial(a[0] if direction in (0, 2) else a[1])
        clock += metro.spacing_m / (ARTERIAL_SPEED if along_arterial else LOCAL_SPEED)
        camera = slots.get((b[0], b[1], direction))
        if camera is not None:
            first = clock if first is None else first
            flat += (camera, round((clock - first) * 1000))
        crossing = metro.is_arterial(b[1] if direction in (0, 2) else b[0])
        if crossing and rng.random() < RED_LIGHT_CHANCE:
            clock += rng.uniform(5.0, 50.0)
    return tuple(flat)


def build_routes(
    metro: Metro, slots: dict[tuple[int, int, int], int], rng: random.Random, count: int = ROUTES_PER_METRO
) -> list[Route]:
    """`count` routes with at least one pass each way. `slots` maps (x, y, direction) to a camera index.
    With too few cameras for that, single-camera routes fill the pool."""
    routes: list[Route] = []
    for _ in range(count * 40):
        if len(routes) == count or not slots:
            break
        nodes = _plan(metro, rng)
        out = _passes(metro, nodes, slots, rng)
        back = _passes(metro, nodes[::-1], slots, rng)
        if out and back:
            routes.append((out, back))
    single = sorted(slots.values())
    while single and len(routes) < count:
        camera = single[len(routes) % len(single)]
        routes.append(((camera, 0), (camera, 0)))
    return routes


@dataclass(frozen=True, slots=True)
class Track:
    """A patrol car's shift as legs: leg k starts at `times[k]` at node k and ends at node k + 1."""

    times: tuple[int, ...]  # start ms of each leg, then the end of the last
    lats: tuple[float, ...]
    lons: tuple[float, ...]
    headings: tuple[float, ...]  # heading during leg k (kept while parked)

    def position(self, t: int) -> tuple[float, float, float]:
        """(lat, lon, heading) at time t, interpolated along the leg."""
        times = self.times
        k = bisect_right(times, t) - 1
        if k < 0:
            return self.lats[0], self.lons[0], self.headings[0]
        if k >= len(self.headings):
            return self.lats[-1], self.lons[-1], self.headings[-1]
        f = (t - times[k]) / (times[k + 1] - times[k])
        lat0, lon0 = self.lats[k], self.lons[k]
        return (
            round(lat0 + (self.lats[k + 1] - lat0) * f, 6),
            round(lon0 + (self.lons[k + 1] - lon0) * f, 6),
            self.headings[k],
        )


def patrol_track(metro: Metro, beat: tuple[int, int], start_ms: int, hours: float, rng: random.Random) -> Track:
    """A shift around `beat`: drive 1-8 blocks straight (a block per PATROL_BLOCK_MS), turn, now and then
    park for 5-30 minutes; head back towards the beat when more than BEAT_RADIUS blocks away."""
    random_ = rng.random
    bx, by = beat
    x, y = beat
    direction = int(random_() * 4)
    end = start_ms + round(hours * 3_600_000)
    clock = start_ms
    times, xs, ys, headings = [clock], [x], [y], []
    while clock < end:
        if random_() < PARK_SHARE:
            clock += 300_000 + int(random_() * 1_500_000)
        else:
            u = random_()
            turn = 0 if u < 0.4 else 1 if u < 0.7 else 3 if u < 0.95 else 2
            direction = (direction + turn) % 4
            if max(abs(x - bx), abs(y - by)) > BEAT_RADIUS and random_() < 0.7:
                direction = (0 if y < by else 2) if random_() < 0.5 else (1 if x < bx else 3)
            dx, dy = _STEP[direction]
            blocks = 1 + int(random_() * 8)
            while blocks and not (0 <= x + dx * blocks < metro.nx and 0 <= y + dy * blocks < metro.ny):
                blocks -= 1
            if not blocks:
                direction = (direction + 2) % 4
                continue
            x, y = x + dx * blocks, y + dy * blocks
            clock += blocks * PATROL_BLOCK_MS
        times.append(clock)
        xs.append(x)
        ys.append(y)
        headings.append(direction * 90.0)
    lats = tuple(metro.node(0, v)[0] for v in ys)
    lons = tuple(metro.node(v, 0)[1] for v in xs)
    return Track(tuple(times), lats, lons, tuple(headings))

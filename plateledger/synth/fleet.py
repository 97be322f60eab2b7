"""The vehicle fleet: who is on the road, with which plate, and how often they are seen.

Vehicles are numbered by popularity rank (0 = seen most often) and computed on demand from (seed, rank), so a
fleet of ten million costs nothing until a vehicle is seen. Vehicle `i` lives in metro `i % len(metros)`;
`OUT_OF_STATE_SHARE` of vehicles carry plates of another region (mostly a neighbouring one). Plates come from
`plateledger.plates.formats.random_plate`, so two vehicles may by chance share a plate, as in any big sample.

Popularity is Zipf-Mandelbrot with exponent 1: P(rank i) is proportional to 1/(i + k), with the offset k
chosen so the most popular vehicle takes at most `TOP_SHARE_CAP` of the trips (a plain Zipf would give it
several percent, a vehicle seen every few seconds). Sampling inverts the continuous CDF, O(1) per draw.
"""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import blake2b
from typing import TypeVar

from plateledger.plates.formats import random_plate, random_region
from plateledger.synth.network import Network
from plateledger.synth.places import neighbours

MASK64 = (1 << 64) - 1
OUT_OF_STATE_SHARE = 0.08
NEIGHBOUR_SHARE = 0.75  # of out-of-state plates: a neighbouring region; the rest any US state, by size
TOP_SHARE_CAP = 0.0025
CACHED_RANKS = 1 << 19  # the most popular vehicles keep their plate in memory (~120 MB at most)


def mix64(value: int) -> int:
    """SplitMix64 finaliser: a fast, well-spread 64-bit hash of an integer."""
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & MASK64
    return value ^ (value >> 31)


_WORDS = struct.Struct("<16I").unpack
T = TypeVar("T")


class PlateRandom(random.Random):
    """The random source `random_plate` draws a vehicle's plate from: keyed by the vehicle's hash, 32-bit
    uniforms from a BLAKE2b stream. Re-keying costs a hash (0.5 us) where seeding Mersenne Twister costs
    6 us, and `choice`/`randint` skip the generic rejection sampling; every other method works through
    `random()`. Plates draw about 15 numbers, so a fleet of millions is keyed millions of times."""

    def __init__(self) -> None:
        self._block = b""
        self._words: tuple[int, ...] = ()
        self._at = 16
        super().__init__(0)

    def seed(self, a: object = None, version: int = 2) -> None:
        if isinstance(a, int):
            self._next(blake2b(a.to_bytes(8, "little"), digest_size=64).digest())

    def _next(self, block: bytes) -> None:
        self._block = block
        self._words = _WORDS(block)
        self._at = 0

    def _word(self) -> int:
        if self._at >= 16:
            self._next(blake2b(self._block, digest_size=64).digest())
        at = self._at
        self._at = at + 1
        return self._words[at]

    def random(self) -> float:
        return self._word() * 2.3283064365386963e-10  # / 2**32

    def choice(self, seq: Sequence[T]) -> T:
        at = self._at
        if at >= 16:
            self._next(blake2b(self._block, digest_size=64).digest())
            at = 0
        self._at = at + 1
        return seq[self._words[at] * len(seq) >> 32]

    def randint(self, a: int, b: int) -> int:
        at = self._at
        if at >= 16:
            self._next(blake2b(self._block, digest_size=64).digest())
            at = 0
        self._at = at + 1
        return a + (self._words[at] * (b - a + 1) >> 32)


@dataclass(frozen=True)
class Vehicle:
    plate: str  # true plate, normalised
    region: str  # true ISO 3166-2 region


class Fleet:
    """Vehicle attributes by rank, derived from a hash of (seed, rank); the popular ranks are cached (the rare
    ones are mostly seen once or twice, so caching them would cost memory for nothing)."""

    def __init__(self, network: Network, seed: int) -> None:
        self.key = mix64((seed * 0x9E3779B97F4A7C15 + 0x5EED) & MASK64)
        self.regions = [m.region for m in network.metros]
        self.metros = len(self.regions)
        self.cache: dict[int, tuple[str, str, int]] = {}
        self._rng = PlateRandom()
        far = random.Random(f"plateledger-far-regions:{seed}")
        self.far = [random_region(far, "US") for _ in range(1024)]  # by registered vehicles

    def hash(self, index: int) -> int:
        return mix64(self.key ^ (index * 0xD1B54A32D192ED03 & MASK64))

    def region_of(self, index: int, h: int) -> str:
        home = self.regions[index % self.metros]
        if (h & 0xFFFF) >= OUT_OF_STATE_SHARE * 0x10000:
            return home
        pick = (h >> 16) & 0xFFFF
        if pick < NEIGHBOUR_SHARE * 0x10000:
            near = neighbours(home)
            return near[pick % len(near)]
        far = self.far[pick & 1023]
        return far if far != home else neighbours(home)[0]

    def info(self, index: int) -> tuple[str, str, int]:
        """(plate, region, hash) of vehicle `index`."""
        found = self.cache.get(index)
        if found is not None:
            return found
        h = self.hash(index)
        region = self.region_of(index, h)
        self._rng.seed(h)
        found = (random_plate(region, self._rng), region, h)
        if index < CACHED_RANKS:
            self.cache[index] = found
        return found

    def vehicle(self, index: int) -> Vehicle:
        plate, region, _ = self.info(index)
        return Vehicle(plate, region)


def vehicles_of(network: Network, n: int, seed: int) -> list[Vehicle]:
    """The first `n` vehicles of the fleet `generate_reads(network, ..., seed=seed)` draws from, by popularity
    rank (index 0 is seen most often). The same for any fleet size: plates do not depend on `n`."""
    fleet = Fleet(network, seed)
    return [fleet.vehicle(i) for i in range(n)]


def zipf_offset(n: int, cap: float) -> float:
    """The Zipf-Mandelbrot offset k that gives rank 0 a share of at most `cap` among `n` vehicles."""
    cap = max(cap, 2.0 / n)

    def top_share(k: float) -> float:
        return math.log((1 + k) / k) / math.log((n + k) / k)

    low, high = 1e-9, 1e9
    if top_share(low) <= cap:
        return low
    for _ in range(200):
        mid = math.sqrt(low * high)
        if top_share(mid) > cap:
            low = mid
        else:
            high = mid
    return high


class Popularity:
    """Zipf-Mandelbrot popularity over ranks [0, n), with a band [a, b) of commuters taken out of the random
    sampler (their trips follow their own schedule)."""

    def __init__(self, n: int, cap: float = TOP_SHARE_CAP) -> None:
        self.n = n
        self.k = zipf_offset(n, cap)
        self.total = math.log((n + self.k) / self.k)
        self.set_band(0, 0)

    def share(self, rank: int) -> float:
        k = self.k
        return math.log((rank + 1 + k) / (rank + k)) / self.total

    def rank_at(self, share: float) -> float:
        """The (fractional) rank whose share is `share`."""
        return 1.0 / (share * self.total) - self.k - 0.5

    def set_band(self, a: int, b: int) -> None:
        k = self.k
        self.band = (a, b)
        self.low_mass = math.log((a + k) / k)
        self.high_mass = math.log((self.n + k) / (b + k))
        if self.low_mass + self.high_mass < 1e-9:  # everyone commutes: sample anyone
            self.low_mass, self.high_mass, self.band = self.total, 0.0, (self.n, self.n)

    def sample(self, u: float) -> int:
        """A rank for u uniform in [0, 1), outside the commuter band."""
        k = self.k
        mass = u * (self.low_mass + self.high_mass)
        if mass >= self.low_mass:
            return min(int((self.band[1] + k) * math.exp(mass - self.low_mass) - k), self.n - 1)
        return min(int(k * math.exp(mass) - k), self.n - 1)

    def sample_any(self, u: float) -> int:
        """A rank for u uniform in [0, 1), over the whole fleet."""
        k = self.k
        return min(int(k * math.exp(u * self.total) - k), self.n - 1)

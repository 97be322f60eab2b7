"""The fleet: plates of their region, out-of-state share, Zipf popularity, and the fast NewRead builder."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from plateledger.plates.formats import plausibility
from plateledger.synth import Network, vehicles_of
from plateledger.synth.fleet import OUT_OF_STATE_SHARE, PlateRandom, Popularity, zipf_offset


def test_vehicles_are_deterministic_and_do_not_depend_on_fleet_size(network: Network) -> None:
    fleet = vehicles_of(network, 300, 5)
    assert fleet == vehicles_of(network, 300, 5)
    assert vehicles_of(network, 50, 5) == fleet[:50]
    assert vehicles_of(network, 50, 6) != fleet[:50]


def test_plates_are_standard_plates_of_their_region(network: Network) -> None:
    for vehicle in vehicles_of(network, 1500, 7):
        assert plausibility(vehicle.plate, vehicle.region) == 1.0, vehicle


def test_about_eight_percent_are_out_of_state_mostly_neighbours(network: Network) -> None:
    fleet = vehicles_of(network, 6000, 7)
    homes = [network.metros[i % len(network.metros)].region for i in range(len(fleet))]
    away = [v.region for v, home in zip(fleet, homes, strict=True) if v.region != home]
    assert abs(len(away) / len(fleet) - OUT_OF_STATE_SHARE) < 0.015
    near = {"US-NV", "US-OR", "US-AZ", "US-WA", "US-TX", "US-CA", "US-NM", "US-UT", "US-CO"}
    near |= {"US-WI", "US-IN", "US-IA", "US-MO", "US-MI"}
    assert sum(r in near for r in away) / len(away) > 0.7


def test_plate_random_is_keyed_and_reproducible() -> None:
    a, b = PlateRandom(), PlateRandom()
    a.seed(12345)
    b.seed(12345)
    first = [a.random() for _ in range(40)] + [a.choice("ABCDEFG") for _ in range(40)]
    assert first == [b.random() for _ in range(40)] + [b.choice("ABCDEFG") for _ in range(40)]
    b.seed(12346)
    assert [b.random() for _ in range(40)] != first[:40]
    assert all(0 <= x < 1 for x in first[:40])
    assert {a.randint(3, 5) for _ in range(200)} == {3, 4, 5}
    assert len(a.sample(range(100), 10)) == 10  # generic methods still work


@pytest.mark.parametrize("n", [100, 1000, 200_000, 10_000_000])
def test_zipf_offset_caps_the_top_share(n: int) -> None:
    k = zipf_offset(n, 0.0025)
    top = math.log((1 + k) / k) / math.log((n + k) / k)
    assert top <= max(0.0025, 2.0 / n) * 1.0001


def test_popularity_sampling_follows_one_over_rank_and_skips_the_band() -> None:
    pop = Popularity(10_000)
    rng = random.Random(1)
    counts = Counter(pop.sample_any(rng.random()) for _ in range(200_000))
    assert max(counts) < 10_000 and min(counts) >= 0
    for rank in (0, 10, 100):  # share ~ 1/(rank + k)
        expected = pop.share(rank) * 200_000
        assert abs(counts[rank] - expected) < 5 * math.sqrt(expected) + 5
    pop.set_band(50, 500)
    banded = [pop.sample(rng.random()) for _ in range(50_000)]
    assert not any(50 <= r < 500 for r in banded)
    assert min(banded) == 0 and max(banded) > 5000

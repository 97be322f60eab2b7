"""OCR noise, kind by kind."""

from __future__ import annotations

import random

import pytest

from plateledger.plates.normalize import normalize_plate
from plateledger.plates.skeleton import skeleton
from plateledger.synth import noise
from plateledger.synth.places import neighbours

PLATE = "7BOS508"


def _corrupt(u: float, seed: int = 1, assumes: bool = False) -> tuple:
    return noise.corrupt(u, PLATE, "US-CA", "US-CA", assumes, random.Random(seed))


def test_the_rates_add_up() -> None:
    parts = (noise.CONFUSABLE_RATE, noise.DROP_RATE, noise.WRONG_REGION_RATE, noise.UNKNOWN_REGION_RATE)
    assert abs(noise.NOISE_RATE - sum(parts) - noise.RAW_FORMAT_RATE) < 1e-12
    assert 0.05 < noise.NOISE_RATE < 0.15


@pytest.mark.parametrize("seed", range(20))
def test_confusable_substitution_keeps_the_skeleton(seed: int) -> None:
    raw, region, assumed, confidence, candidates = _corrupt(0.001, seed)
    assert raw != PLATE and len(raw) == len(PLATE) and skeleton(raw) == skeleton(PLATE)
    assert sum(a != b for a, b in zip(raw, PLATE, strict=True)) == 1
    assert region == "US-CA" and not assumed and 50 <= confidence <= 95
    assert all(c.plate == PLATE and c.confidence < confidence for c in candidates)


@pytest.mark.parametrize("seed", range(10))
def test_dropped_character(seed: int) -> None:
    raw, region, *_ = _corrupt(noise.CONFUSABLE_RATE + 0.001, seed)
    assert len(raw) == len(PLATE) - 1 and region == "US-CA"
    assert any(PLATE[:i] + PLATE[i + 1 :] == raw for i in range(len(PLATE)))


@pytest.mark.parametrize("seed", range(10))
def test_wrong_region_is_a_neighbour(seed: int) -> None:
    raw, region, assumed, *_ = _corrupt(noise.CONFUSABLE_RATE + noise.DROP_RATE + 0.001, seed)
    assert raw == PLATE and region in neighbours("US-CA") and region != "US-CA" and not assumed


def test_unknown_region_is_none_or_assumed() -> None:
    u = noise.NOISE_RATE - noise.RAW_FORMAT_RATE - 0.001
    assert _corrupt(u)[1:3] == (None, False)
    assert _corrupt(u, assumes=True)[1:3] == ("US-CA", True)


@pytest.mark.parametrize("seed", range(20))
def test_raw_formatting_normalises_back(seed: int) -> None:
    raw, region, *_ = _corrupt(noise.NOISE_RATE - 0.001, seed)
    assert raw != PLATE and normalize_plate(raw) == PLATE and region == "US-CA"


def test_confidence_tables() -> None:
    assert all(40 <= c <= 99.5 for c in noise.CONFIDENCE_CLEAN)
    assert sum(c >= 80 for c in noise.CONFIDENCE_CLEAN) / len(noise.CONFIDENCE_CLEAN) > 0.8
    assert all(55 <= c <= 90 for c in noise.CONFIDENCE_NOISY)

"""OCR noise and per-frame reading quality: what a real plate reader gets wrong, at realistic low rates.

Each frame (one image of a pass) independently suffers at most one of these, with the probability shown:

========================  ======  ===================================================================
kind                      rate    what the camera reports
========================  ======  ===================================================================
confusable substitution   2.0 %   one character swapped within its class of
                                  `plateledger.plates.skeleton.CONFUSABLE_CLASSES` (O->0, 8->B, 5->S..);
                                  40 % of those frames list the true plate as a lower-confidence
                                  candidate
dropped character         0.6 %   one character missing (plates of 4 characters or more)
wrong region              1.0 %   a neighbouring region of the true one (e.g. US-NV for US-CA)
unknown region            4.0 %   region None, or, on cameras configured with a default state, the
                                  metro's region with `region_assumed=True`
raw formatting            2.5 %   `plate_raw` with a space, a hyphen, lower case or padding; it
                                  normalises back to the true plate
========================  ======  ===================================================================

The other 89.9 % of frames read the plate and region exactly. Confidence (percent) is mostly 85-99 for
clean frames and 55-90 for the corrupted ones (see `confidence_table`). Everything draws from the
generator's seeded `random.Random`, so noise is reproducible.
"""

from __future__ import annotations

import random

from plateledger.plates.skeleton import CONFUSABLE_CLASSES
from plateledger.reads import Candidate
from plateledger.synth.places import neighbours

CONFUSABLE_RATE = 0.020
DROP_RATE = 0.006
WRONG_REGION_RATE = 0.010
UNKNOWN_REGION_RATE = 0.040
RAW_FORMAT_RATE = 0.025
NOISE_RATE = CONFUSABLE_RATE + DROP_RATE + WRONG_REGION_RATE + UNKNOWN_REGION_RATE + RAW_FORMAT_RATE
CANDIDATE_SHARE = 0.4

_CUT_CONFUSE = CONFUSABLE_RATE
_CUT_DROP = _CUT_CONFUSE + DROP_RATE
_CUT_WRONG = _CUT_DROP + WRONG_REGION_RATE
_CUT_UNKNOWN = _CUT_WRONG + UNKNOWN_REGION_RATE

# character -> the other members of its confusable class
ALTERNATIVES: dict[str, str] = {ch: cls.replace(ch, "") for cls in CONFUSABLE_CLASSES for ch in cls}


def confidence_table(size: int, clean: bool) -> tuple[float, ...]:
    """`size` confidence values (one decimal) to index with random bits: the distribution of a reader's
    scores. Clean frames: 85 % in 85-99.5, 12 % in 70-85, 3 % in 40-70; corrupted frames: 55-90."""
    rng = random.Random(f"plateledger-confidence:{clean}")
    values = []
    for _ in range(size):
        u = rng.random()
        if not clean:
            value = rng.triangular(55.0, 90.0, 78.0)
        elif u < 0.85:
            value = rng.triangular(85.0, 99.5, 96.0)
        elif u < 0.97:
            value = rng.uniform(70.0, 85.0)
        else:
            value = rng.uniform(40.0, 70.0)
        values.append(round(value, 1))
    return tuple(values)


CONFIDENCE_CLEAN = confidence_table(1024, clean=True)
CONFIDENCE_NOISY = confidence_table(256, clean=False)


def wrong_region(region: str, local_region: str, rng: random.Random) -> str:
    """A region a reader may mistake `region` for: a neighbour of it (or of the camera's own region)."""
    near = [r for r in neighbours(region) if r != region]
    if not near:
        near = [r for r in (local_region, *neighbours(local_region)) if r != region]
    return near[int(rng.random() * len(near))]


def _formatted(plate: str, rng: random.Random) -> str:
    u = rng.random()
    middle = (len(plate) + 1) // 2
    if u < 0.35:
        return f"{plate[:middle]} {plate[middle:]}"
    if u < 0.60:
        return f"{plate[:middle]}-{plate[middle:]}"
    if u < 0.85:
        return plate.lower()
    if u < 0.93:
        return f"{plate[:middle]}-{plate[middle:]}".lower()
    return f" {plate} "


def corrupt(
    u: float, plate: str, region: str, local_region: str, assumes_region: bool, rng: random.Random
) -> tuple[str, str | None, bool, float, tuple[Candidate, ...]]:
    """The corrupted frame for u in [0, NOISE_RATE): (plate_raw, region, region_assumed, confidence,
    candidates). `u` picks the kind of noise, in the order of the table above."""
    confidence = CONFIDENCE_NOISY[int(rng.random() * 256)]
    if u < _CUT_CONFUSE:
        positions = [i for i, ch in enumerate(plate) if ch in ALTERNATIVES]
        if not positions:
            return plate, region, False, confidence, ()
        at = positions[int(rng.random() * len(positions))]
        others = ALTERNATIVES[plate[at]]
        misread = plate[:at] + others[int(rng.random() * len(others))] + plate[at + 1 :]
        candidates: tuple[Candidate, ...] = ()
        if rng.random() < CANDIDATE_SHARE:
            candidates = (Candidate(plate, round(confidence * rng.uniform(0.6, 0.95), 1)),)
        return misread, region, False, confidence, candidates
    if u < _CUT_DROP:
        if len(plate) < 4:
            return plate, region, False, confidence, ()
        at = int(rng.random() * len(plate))
        return plate[:at] + plate[at + 1 :], region, False, confidence, ()
    if u < _CUT_WRONG:
        return plate, wrong_region(region, local_region, rng), False, confidence, ()
    if u < _CUT_UNKNOWN:
        if assumes_region:
            return plate, local_region, True, confidence, ()
        return plate, None, False, confidence, ()
    return _formatted(plate, rng), region, False, CONFIDENCE_CLEAN[int(rng.random() * 1024)], ()

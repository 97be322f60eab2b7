"""Batch validation has two paths: column by column for clean batches, read by read otherwise. They must agree."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from plateledger.reads import InvalidRead, NewRead, validate_batch, validate_read

NOW = 1_767_225_600_000


def mostly(good: list[object], bad: list[object]) -> st.SearchStrategy[object]:
    """Mostly good values, so that most batches are clean and a bad value often hides behind good ones."""
    return st.sampled_from(good * 6 + bad)


@st.composite
def reads(draw: st.DrawFn) -> NewRead:
    return NewRead(
        plate_raw=draw(mostly(["ABC123", "abc 123", "8BQ-4L1"], ["", "--", "X" * 13, "7" * 33])),
        observed_ms=draw(mostly([NOW, NOW - 60_000, NOW + 299_000], [NOW + 301_000, -1])),
        camera_id=draw(mostly(["cam-1", "cam-2"], [""])),
        confidence=draw(mostly([0.0, 50.5, 100.0], [100.1, -0.1, math.nan, math.inf])),
        region=draw(mostly([None, "US-CA", "ca", "DE"], ["not a region", "us-zz"])),
        lat=draw(mostly([None, 38.5, -90.0, 0.0], [90.5, math.nan, math.inf])),
        lon=draw(mostly([None, -121.4, 180.0, 0.0], [-180.5, math.nan, -math.inf])),
        heading=draw(mostly([None, 0.0, 359.9], [360.0, -1.0, math.nan])),
        source_id=draw(mostly([None, "a", "s" * 60], ["", "s" * 61])),
    )


def read_by_read(batch: list[NewRead]) -> tuple[list[tuple[int, str, str | None]], list[tuple[int, str, str]]]:
    accepted, refused = [], []
    for index, read in enumerate(batch):
        try:
            plate, region = validate_read(read, NOW)
        except InvalidRead as error:
            refused.append((index, error.field, error.reason))
        else:
            accepted.append((index, plate, region))
    return accepted, refused


@settings(max_examples=400, deadline=None)
@given(st.lists(reads(), min_size=1, max_size=6), st.integers(min_value=1, max_value=40))
def test_a_batch_is_judged_as_each_read_would_be(batch: list[NewRead], copies: int) -> None:
    batch = batch * copies  # large batches too: the column checks look at min, max and counts
    accepted, refused = validate_batch(batch, NOW)
    expected_accepted, expected_refused = read_by_read(batch)
    assert [(index, plate, region) for index, _, plate, region in accepted] == expected_accepted
    assert [(r.index, r.field, r.reason) for r in refused] == expected_refused


def test_a_clean_batch_is_accepted_whole_with_normalised_plates_and_regions() -> None:
    batch = [
        NewRead("abc 123", NOW, "cam-1", 88.0, "ca", lat=38.5, lon=-121.4, heading=90.0, source_id="r1"),
        NewRead("XYZ-9", NOW - 1, "cam-2", region=None),
    ]
    accepted, refused = validate_batch(batch, NOW)
    assert refused == []
    assert [(index, read, plate, region) for index, read, plate, region in accepted] == [
        (0, batch[0], "ABC123", "US-CA"),
        (1, batch[1], "XYZ9", None),
    ]


def test_one_bad_read_in_a_large_batch_is_refused_alone() -> None:
    batch = [NewRead(f"ABC{n:03d}", NOW, "cam-1", lat=10.0, lon=10.0) for n in range(500)]
    batch[321] = batch[321]._replace(lat=None)  # a latitude without its longitude
    accepted, refused = validate_batch(batch, NOW)
    assert len(accepted) == 499
    assert [(r.index, r.field) for r in refused] == [(321, "lat")]


def test_a_nan_behind_good_values_is_refused() -> None:
    # min() and max() step over a NaN that is not first; the column check must not.
    batch = [NewRead("ABC123", NOW, "cam-1", 50.0), NewRead("ABC124", NOW, "cam-1", math.nan)]
    accepted, refused = validate_batch(batch, NOW)
    assert [index for index, *_ in accepted] == [0]
    assert [(r.index, r.field) for r in refused] == [(1, "confidence")]

"""The match index: one skeleton lookup finds exact, region-mismatch and near matches; nothing else matches."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plateledger.hotlists.index import (
    IndexedEntry,
    IndexHolder,
    MatchIndex,
    PlateFolder,
    classify,
    entry_live,
    fold_plate,
)
from plateledger.plates import normalize_plate, skeleton
from plateledger.plates.skeleton import ALPHABET


def entry(entry_id: int, plate: str, region: str | None = "US-CA", **more: int | None) -> IndexedEntry:
    return IndexedEntry(entry_id, "list", "alpha", plate, region, more.get("effective", 0) or 0, more.get("expires"))


def lookup(index: MatchIndex, raw: str) -> tuple[IndexedEntry, ...]:
    _, key = PlateFolder()(raw)
    return index.by_skeleton.get(key, ())


@pytest.mark.parametrize(
    ("read_plate", "read_region", "assumed", "expected"),
    [
        ("5SOW350", "US-CA", False, "exact"),
        ("5SOW350", "US-AZ", False, "region_mismatch"),  # Aurora 2020: plate matched, state wrong
        ("5SOW350", None, False, "region_mismatch"),  # the state could not be read
        ("5SOW350", "US-CA", True, "region_mismatch"),  # assumed from the camera: no reading
        ("5S0W35O", "US-CA", False, "near"),  # 0/O look-alikes
        ("55OW350", "US-CA", False, "near"),  # S/5
    ],
)
def test_match_types(read_plate: str, read_region: str | None, assumed: bool, expected: str) -> None:
    index = MatchIndex.build([entry(1, "5SOW350")])
    (found,) = lookup(index, read_plate)
    assert classify(found, PlateFolder()(read_plate)[0], read_region, assumed) == expected


def test_a_non_confusable_difference_is_no_match() -> None:
    """Green v. San Francisco: 5SOW350 and 5SOW750 differ in 3/7, not look-alikes: no alert of any kind."""
    index = MatchIndex.build([entry(1, "5SOW350")])
    assert lookup(index, "5SOW750") == ()
    assert lookup(index, "5SOW35") == ()


def test_an_entry_for_any_region_matches_exactly_whatever_the_state() -> None:
    (found,) = lookup(MatchIndex.build([entry(1, "7ABC123", None)]), "7abc-123")
    assert classify(found, "7ABC123", "US-NV", False) == "exact"
    assert classify(found, "7ABC123", None, False) == "exact"


def test_entries_in_force_when_the_read_was_made_and_now() -> None:
    live = entry(1, "7ABC123", effective=1_000, expires=5_000)
    assert entry_live(live, observed_ms=2_000, now_ms=3_000)
    assert not entry_live(live, observed_ms=500, now_ms=3_000)  # before it took effect
    assert not entry_live(live, observed_ms=2_000, now_ms=6_000)  # expired since
    assert entry_live(entry(2, "7ABC123", effective=0, expires=None), observed_ms=10, now_ms=10**13)


def test_changes_build_a_new_index_and_leave_the_old_one_alone() -> None:
    holder = IndexHolder()
    first = holder.replace([entry(1, "7ABC123"), entry(2, "7ABC1Z3")])  # same skeleton: one key, two entries
    assert len(first) == 2 and len(first.by_skeleton) == 1
    second = holder.change(added=[entry(3, "8XYZ999")], removed=[entry(1, "7ABC123")])
    assert holder.current is second and second.version == first.version + 1
    assert [found.id for found in lookup(second, "7ABC123")] == [2]
    assert [found.id for found in lookup(first, "7ABC123")] == [1, 2]  # a reader holding the old one is unaffected
    assert len(second) == 2 and lookup(second, "8XYZ999")[0].id == 3
    emptied = holder.change(removed=[entry(2, "7ABC1Z3")])
    assert lookup(emptied, "7ABC123") == () and len(emptied) == 1


@pytest.mark.parametrize(
    "raw", [*ALPHABET, *ALPHABET.lower(), "5sow-350", "ÉCOLE 1", "7 abc 123", "", "Ω", "0OdQ1Il2Z"]
)
def test_the_fast_fold_agrees_with_normalize_and_skeleton(raw: str) -> None:
    plate = normalize_plate(raw)
    assert fold_plate(raw) == (plate, skeleton(plate))


def test_the_plate_folder_caches_raw_texts() -> None:
    fold = PlateFolder()
    assert fold("5sow-350") == ("5SOW350", "550W350")
    assert fold.cache["5sow-350"] == ("5SOW350", "550W350")


@given(st.text(max_size=16))
def test_the_fast_fold_agrees_on_any_text(raw: str) -> None:
    plate = normalize_plate(raw)
    assert fold_plate(raw) == (plate, skeleton(plate))

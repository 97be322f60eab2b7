"""Wildcards without three fixed characters in a row: answered through trigram expansion, same results."""

import pytest

from plateledger.reads import NewRead
from plateledger.store import Camera, ReadStore, TimeWindow

PLATES = ["5SOW350", "5SOW750", "5XOY350", "7ABC123", "5S0W35"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("5S?W?50", {"5SOW350", "5SOW750"}),  # gaps of one: expanded to trigrams
        ("5??W3?0", {"5SOW350"}),  # a gap of two, then a gap of one
        ("5?O??50", {"5SOW350", "5SOW750", "5XOY350"}),
        ("A??C??3", set()),  # no expandable spot: a scan of distinct plates, same answer
        ("7?B*3", {"7ABC123"}),
    ],
)
def test_gapped_patterns_find_exactly_the_matching_plates(
    registered_store: ReadStore, fixed_camera: Camera, t0: int, pattern: str, expected: set[str]
) -> None:
    registered_store.append([NewRead(plate, t0 + i * 60_000, fixed_camera.id) for i, plate in enumerate(PLATES)])
    page = registered_store.search_wildcard(pattern, TimeWindow(t0 - 1, t0 + 3_600_000))
    assert {hit.read.plate for hit in page.hits} == expected
    assert all(hit.how == "wildcard" for hit in page.hits)

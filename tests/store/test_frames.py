"""The packed frame format: whatever is encoded decodes to the same values, frame by frame."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plateledger.store.frames import MAX_FRAMES, decode_frames, encode_frame, pack_frames, read_id, split_read_id


def short_text() -> st.SearchStrategy[str]:
    """Any text that fits the format's one-byte length: 255 bytes of UTF-8 at most."""
    return st.text(max_size=255).filter(lambda text: len(text.encode("utf-8")) <= 255)


frame_fields = st.fixed_dictionaries(
    {
        "offset_ms": st.integers(0, 65_535),
        "confidence_x10": st.integers(0, 1_000),
    },
    optional={
        "plate_id": st.integers(0, 2**32 - 1),
        "region_id": st.integers(0, 2**16 - 1),
        "position": st.tuples(st.integers(-90_000_000, 90_000_000), st.integers(-180_000_000, 180_000_000)),
        "heading_x10": st.integers(0, 3_599),
        "raw": short_text(),
        "region_assumed": st.booleans(),
        "source_id": short_text(),
        "has_candidates": st.booleans(),
    },
)


def decoded_as(fields: dict[str, Any], index: int) -> dict[str, Any]:
    """What decoding should give back for one encoded frame."""
    lat_e6, lon_e6 = fields.get("position") or (None, None)
    return {
        "index": index,
        "offset_ms": fields["offset_ms"],
        "confidence_x10": fields["confidence_x10"],
        "plate_id": fields.get("plate_id"),
        "region_id": fields.get("region_id"),
        "lat_e6": lat_e6,
        "lon_e6": lon_e6,
        "heading_x10": fields.get("heading_x10"),
        "raw": fields.get("raw"),
        "region_assumed": fields.get("region_assumed", False),
        "source_id": fields.get("source_id"),
        "has_candidates": fields.get("has_candidates", False),
    }


def as_dict(frame: Any) -> dict[str, Any]:
    return {name: getattr(frame, name) for name in decoded_as({"offset_ms": 0, "confidence_x10": 0}, 0)}


@given(st.lists(frame_fields, min_size=1, max_size=MAX_FRAMES))
def test_frames_round_trip(frames: list[dict[str, Any]]) -> None:
    decoded = decode_frames(pack_frames([encode_frame(**fields) for fields in frames]))
    assert [as_dict(frame) for frame in decoded] == [decoded_as(fields, index) for index, fields in enumerate(frames)]


@given(frame_fields, frame_fields)
def test_a_frame_decodes_the_same_whatever_precedes_it(first: dict[str, Any], second: dict[str, Any]) -> None:
    alone = decode_frames(pack_frames([encode_frame(**second)]))[0]
    after = decode_frames(pack_frames([encode_frame(**first), encode_frame(**second)]))[1]
    appended = decode_frames(pack_frames([encode_frame(**second)], pack_frames([encode_frame(**first)])))[1]
    assert {**as_dict(alone), "index": 1} == as_dict(after) == as_dict(appended)


def test_a_bare_frame_is_five_bytes() -> None:
    # The layout's point: a frame that differs from its pass in nothing costs 5 bytes.
    head, extra = encode_frame(1_200, 873)
    assert (len(head), extra) == (5, b"")
    assert len(pack_frames([(head, extra)] * 3)) == 1 + 3 * 5


@pytest.mark.parametrize("field", ["raw", "source_id"])
def test_text_too_long_for_a_frame_is_refused_not_cut(field: str) -> None:
    # 256 bytes: a cut at 255 would fall inside the last character and leave the pass undecodable.
    with pytest.raises(ValueError):
        encode_frame(0, 500, **{field: "A" + "\u00e9" * 127 + "B"})  # type: ignore[arg-type]
    fits = "\u00e9" * 127 + "B"  # 255 bytes
    assert getattr(decode_frames(pack_frames([encode_frame(0, 500, **{field: fits})]))[0], field) == fits  # type: ignore[arg-type]


@given(st.integers(1, 2**40), st.integers(0, MAX_FRAMES - 1))
def test_read_ids_split_back_into_pass_and_frame(pass_id: int, index: int) -> None:
    assert split_read_id(read_id(pass_id, index)) == (pass_id, index)

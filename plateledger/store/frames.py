"""The packed layout of a pass: its frames stored together in one row, each frame a few bytes.

A pass is the frames of one vehicle at one camera within seconds (typically 2-4). The pass row carries what
its frames share: the plate and region of its first frame, the camera site, the first time and, for mobile
cameras, the first position. Each frame then stores only its offset in milliseconds, its confidence and a
flags byte, plus the fields where it differs from the pass (another plate reading, another region, its own
GPS fix, raw text that normalisation changed, the source's read id). That keeps every raw read while storing
about a third of the rows a read-per-row layout needs: the indexes are per pass, not per frame.

Layout of the blob: one byte with the frame count n, then the n fixed 5-byte frame heads, then the extra
fields of the frames whose flags announce some, in frame order. Most passes have no extras, and their heads
decode in one `iter_unpack` call.

A read's id is `pass_id * MAX_FRAMES + frame_index`.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

MAX_FRAMES = 64
MAX_SPAN_MS = 65_535  # frame offsets are 16-bit milliseconds

FRAME_HEAD = struct.Struct("<HHB")  # offset ms, confidence x10, flags
_PLATE = struct.Struct("<I")
_REGION = struct.Struct("<H")
_POSITION = struct.Struct("<ii")
_HEADING = struct.Struct("<H")
_LENGTH = struct.Struct("<B")

HAS_PLATE = 1
HAS_REGION = 2
HAS_POSITION = 4
HAS_HEADING = 8
HAS_RAW = 16
REGION_ASSUMED = 32
HAS_SOURCE = 64
HAS_CANDIDATES = 128


def read_id(pass_id: int, index: int) -> int:
    return pass_id * MAX_FRAMES + index


def split_read_id(read_id_value: int) -> tuple[int, int]:
    return divmod(read_id_value, MAX_FRAMES)


class Frame(NamedTuple):
    """One decoded frame; fields the pass supplies (None here) are filled in by the caller."""

    index: int
    offset_ms: int
    confidence_x10: int
    plate_id: int | None
    region_id: int | None
    lat_e6: int | None
    lon_e6: int | None
    heading_x10: int | None
    raw: str | None
    region_assumed: bool
    source_id: str | None
    has_candidates: bool


def _text(value: str) -> bytes:
    data = value.encode("utf-8")
    if len(data) > 255:
        # Cutting would lose evidence, and a cut inside a character would make the whole pass unreadable.
        raise ValueError(f"text of {len(data)} bytes does not fit in a frame (255 at most)")
    return _LENGTH.pack(len(data)) + data


# A frame packed for a pass: its fixed head and its extra fields (often empty).
EncodedFrame = tuple[bytes, bytes]


def encode_frame(
    offset_ms: int,
    confidence_x10: int,
    *,
    plate_id: int | None = None,
    region_id: int | None = None,
    position: tuple[int, int] | None = None,
    heading_x10: int | None = None,
    raw: str | None = None,
    region_assumed: bool = False,
    source_id: str | None = None,
    has_candidates: bool = False,
) -> EncodedFrame:
    """Pack one frame. Only the fields that differ from the pass are given."""
    flags = 0
    tail = b""
    if plate_id is not None:
        flags |= HAS_PLATE
        tail += _PLATE.pack(plate_id)
    if region_id is not None:
        flags |= HAS_REGION
        tail += _REGION.pack(region_id)
    if position is not None:
        flags |= HAS_POSITION
        tail += _POSITION.pack(*position)
    if heading_x10 is not None:
        flags |= HAS_HEADING
        tail += _HEADING.pack(heading_x10)
    if raw is not None:
        flags |= HAS_RAW
        tail += _text(raw)
    if region_assumed:
        flags |= REGION_ASSUMED
    if source_id is not None:
        flags |= HAS_SOURCE
        tail += _text(source_id)
    if has_candidates:
        flags |= HAS_CANDIDATES
    return FRAME_HEAD.pack(offset_ms, confidence_x10, flags), tail


def pack_frames(frames: list[EncodedFrame], before: bytes = b"") -> bytes:
    """`join_frames` for frames as `encode_frame` returns them (the format's own tests build blobs so)."""
    return join_frames([head for head, _ in frames], [extra for _, extra in frames], before)


def join_frames(heads: list[bytes], extras: list[bytes], before: bytes = b"") -> bytes:
    """The blob of a pass: frames given as their heads and extras (`encode_frame`'s two parts), appended after
    the frames already packed in `before` (if any): the heads go before the old extras."""
    count = before[0] if before else 0
    if count + len(heads) > MAX_FRAMES:
        raise ValueError(f"a pass holds at most {MAX_FRAMES} frames")
    if not before:  # a new pass: the common case
        return bytes((len(heads),)) + b"".join(heads) + b"".join(extras)
    heads_end = 1 + count * FRAME_HEAD.size
    return bytes((count + len(heads),)) + before[1:heads_end] + b"".join(heads) + before[heads_end:] + b"".join(extras)


def plain_heads(blob: bytes) -> list[tuple[int, int, int]] | None:
    """(offset_ms, confidence_x10, 0) of each frame when no frame differs from its pass, else None.

    Most passes are like that; the reader builds their reads straight from these tuples.
    """
    heads_end = 1 + blob[0] * FRAME_HEAD.size
    if heads_end != len(blob):
        return None
    heads = list(FRAME_HEAD.iter_unpack(blob[1:]))
    return None if any(flags for _, _, flags in heads) else heads


def frame_heads(blob: bytes) -> list[tuple[int, int, int]]:
    """(offset_ms, confidence_x10, flags) of each frame of a pass, in frame order."""
    return list(FRAME_HEAD.iter_unpack(blob[1 : 1 + blob[0] * FRAME_HEAD.size]))


def decode_frames(blob: bytes) -> list[Frame]:
    heads = frame_heads(blob)
    heads_end = 1 + len(heads) * FRAME_HEAD.size
    if heads_end == len(blob) and not any(flags for _, _, flags in heads):  # nothing differs: the common case
        return [
            Frame(index, offset_ms, confidence_x10, None, None, None, None, None, None, False, None, False)
            for index, (offset_ms, confidence_x10, _) in enumerate(heads)
        ]
    frames: list[Frame] = []
    position = heads_end
    for index, (offset_ms, confidence_x10, flags) in enumerate(heads):
        plate_id = region_id = lat_e6 = lon_e6 = heading_x10 = None
        raw = source_id = None
        if flags & HAS_PLATE:
            (plate_id,) = _PLATE.unpack_from(blob, position)
            position += _PLATE.size
        if flags & HAS_REGION:
            (region_id,) = _REGION.unpack_from(blob, position)
            position += _REGION.size
        if flags & HAS_POSITION:
            lat_e6, lon_e6 = _POSITION.unpack_from(blob, position)
            position += _POSITION.size
        if flags & HAS_HEADING:
            (heading_x10,) = _HEADING.unpack_from(blob, position)
            position += _HEADING.size
        if flags & HAS_RAW:
            length = blob[position]
            raw = blob[position + 1 : position + 1 + length].decode("utf-8")
            position += 1 + length
        if flags & HAS_SOURCE:
            length = blob[position]
            source_id = blob[position + 1 : position + 1 + length].decode("utf-8")
            position += 1 + length
        frames.append(
            Frame(
                index, offset_ms, confidence_x10, plate_id, region_id, lat_e6, lon_e6, heading_x10, raw,
                bool(flags & REGION_ASSUMED), source_id, bool(flags & HAS_CANDIDATES),
            )
        )  # fmt: skip
    return frames

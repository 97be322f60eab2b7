"""Grouping frames into passes: one vehicle at one camera within seconds.

Frames join a pass when they come from the same camera, their plates share a confusable skeleton, and they
follow the pass's last frame by at most PASS_GAP_MS. The grouper remembers recent passes in memory, so a
frame arriving in a later batch still joins its pass; after a restart such a frame starts a new pass, which
costs a few bytes and loses nothing. The pass's best frame is the one with the highest confidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plateledger.store.frames import MAX_FRAMES, MAX_SPAN_MS

PASS_GAP_MS = 10_000


@dataclass(slots=True)
class Frame:
    """A validated read reduced to what grouping and packing need (ids already resolved)."""

    batch_index: int
    camera: int
    skeleton: str
    plate_id: int
    region_id: int  # 0 when unknown
    observed_ms: int
    confidence_x10: int
    lat_e6: int | None  # None: at the camera site's position
    lon_e6: int | None
    cell: int
    heading_x10: int | None
    raw: str | None  # raw OCR text, when normalising changed it
    region_assumed: bool
    source_id: str | None
    has_candidates: bool


@dataclass(slots=True)
class OpenPass:
    id: int
    camera: int
    site: int
    cell: int
    plate_id: int
    region_id: int
    first_ms: int
    last_ms: int
    lat_e6: int | None
    lon_e6: int | None
    frame_count: int
    best_index: int
    best_confidence: int
    plate_ids: set[int] = field(default_factory=set)
    is_new: bool = True  # created in the batch being written
    new_frames: list[tuple[int, Frame]] = field(default_factory=list)  # (frame index, frame) to write


class PassGrouper:
    """Assigns each frame of a batch to a pass, new or still open, and hands back what to write."""

    def __init__(self) -> None:
        self._open: dict[tuple[int, str], OpenPass] = {}

    def reset(self) -> None:
        """Forget open passes (after a failed write: the next frames start new passes)."""
        self._open.clear()

    def group(self, frames: list[Frame], sites: dict[int, int], next_pass_id: int) -> list[OpenPass]:
        """Group a batch of frames sorted by time. Returns every pass touched, new or extended."""
        touched: dict[int, OpenPass] = {}
        open_passes = self._open
        newest = 0
        for frame in frames:
            key = (frame.camera, frame.skeleton)
            current = open_passes.get(key)
            if (
                current is None
                or frame.observed_ms > current.last_ms + PASS_GAP_MS
                or frame.observed_ms < current.first_ms
                or frame.observed_ms - current.first_ms > MAX_SPAN_MS
                or current.frame_count >= MAX_FRAMES
                or frame.cell != current.cell
            ):
                current = OpenPass(
                    id=next_pass_id,
                    camera=frame.camera,
                    site=sites[frame.camera],
                    cell=frame.cell,
                    plate_id=frame.plate_id,
                    region_id=frame.region_id,
                    first_ms=frame.observed_ms,
                    last_ms=frame.observed_ms,
                    lat_e6=frame.lat_e6,
                    lon_e6=frame.lon_e6,
                    frame_count=0,
                    best_index=0,
                    best_confidence=-1,
                )
                next_pass_id += 1
                open_passes[key] = current
            elif current.id not in touched:
                current.is_new = False
                current.new_frames = []
            index = current.frame_count
            current.frame_count += 1
            current.last_ms = max(current.last_ms, frame.observed_ms)
            if frame.confidence_x10 > current.best_confidence:
                current.best_confidence = frame.confidence_x10
                current.best_index = index
            if frame.plate_id != current.plate_id:
                current.plate_ids.add(frame.plate_id)
            current.new_frames.append((index, frame))
            touched[current.id] = current
            newest = max(newest, frame.observed_ms)
        self._forget_before(newest - PASS_GAP_MS - 60_000)
        return list(touched.values())

    def _forget_before(self, cutoff_ms: int) -> None:
        # Keep memory bounded: passes idle for longer than the gap (plus slack for late frames) are closed.
        if len(self._open) < 50_000:
            return
        self._open = {key: value for key, value in self._open.items() if value.last_ms >= cutoff_ms}

    def mark_written(self, passes: list[OpenPass]) -> None:
        for open_pass in passes:
            open_pass.is_new = False
            open_pass.new_frames = []

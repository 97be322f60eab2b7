"""Grouping frames into passes: one vehicle at one camera within seconds.

Frames join a pass when they come from the same camera site (a moved camera opens a new site), their plates
share a confusable skeleton, and they follow the pass's last frame by at most PASS_GAP_MS. The grouper
remembers recent passes in memory, so a frame arriving in a later batch still joins its pass. When another
writer (another process, or this one before a restart) has stored reads since, that memory may be out of date:
the writer then hands the grouper the passes still open in the database instead (`resume`).
The pass's best frame is the one with the highest confidence.

Frames are plain tuples (see `Frame`): bulk ingest groups several hundred thousand a second, and a tuple is
several times cheaper to build than an object.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plateledger.store.frames import MAX_FRAMES, MAX_SPAN_MS, frame_heads

PASS_GAP_MS = 10_000

# (observed_ms, site, skeleton, plate_id, region_id (0 = unknown), confidence_x10, lat_e6, lon_e6,
#  cell, heading_x10, raw, region_assumed, source_id, has_candidates, batch_index)
# lat_e6/lon_e6 are None when the read is at its camera site's position; heading_x10 is None when it is the
# site's heading; raw is None when normalising did not change the OCR text.
Frame = tuple[int, int, str, int, int, int, int | None, int | None, int, int | None, str | None, bool, str | None,
              bool, int]  # fmt: skip


@dataclass(slots=True)
class OpenPass:
    id: int
    site: int
    cell: int
    plate_id: int
    region_id: int
    first_ms: int
    last_ms: int
    lat_e6: int | None
    lon_e6: int | None
    frame_count: int = 0
    best_index: int = 0
    best_confidence: int = -1
    is_new: bool = True  # created in the batch being written
    new_frames: list[tuple[int, Frame]] = field(default_factory=list)  # (frame index, frame) to write


# A written pass that later frames may still join, kept between batches as a tuple of numbers: CPython stops
# tracking a tuple that holds only numbers and None, so the passes a server keeps open (tens of thousands)
# add nothing to its garbage collections. As OpenPass objects with their frame lists they were 27,000 of the
# 31,000 objects a full collection walked in a serving process (30-50 ms each, under ingest load).
# (id, cell, plate_id, region_id, first_ms, last_ms, lat_e6, lon_e6, frame_count, best_index, best_confidence)
WaitingPass = tuple[int, int, int, int, int, int, int | None, int | None, int, int, int]
LAST_MS = 5  # index of last_ms in a WaitingPass


def _waiting(open_pass: OpenPass) -> WaitingPass:
    return (
        open_pass.id, open_pass.cell, open_pass.plate_id, open_pass.region_id, open_pass.first_ms,
        open_pass.last_ms, open_pass.lat_e6, open_pass.lon_e6, open_pass.frame_count, open_pass.best_index,
        open_pass.best_confidence,
    )  # fmt: skip


def stored_waiting(
    pass_id: int,
    cell: int,
    plate_id: int,
    region_id: int,
    first_ms: int,
    lat_e6: int | None,
    lon_e6: int | None,
    best: int,
    frames: bytes,
) -> WaitingPass:
    """The waiting pass of a pass row as stored (its frames blob in the layout of store/frames.py)."""
    heads = frame_heads(frames)
    last_ms = first_ms + max(offset for offset, _, _ in heads)
    return (pass_id, cell, plate_id, region_id, first_ms, last_ms, lat_e6, lon_e6, len(heads), best, heads[best][1])


def _reopened(site: int, waiting: WaitingPass) -> OpenPass:
    (pass_id, cell, plate_id, region_id, first_ms, last_ms, lat_e6, lon_e6, frame_count, best_index,
     best_confidence) = waiting  # fmt: skip
    return OpenPass(
        pass_id, site, cell, plate_id, region_id, first_ms, last_ms, lat_e6, lon_e6,
        frame_count, best_index, best_confidence, is_new=False,
    )  # fmt: skip


class PassGrouper:
    """Assigns each frame of a batch to a pass, new or still open, and hands back what to write."""

    def __init__(self) -> None:
        self._waiting: dict[tuple[int, str], WaitingPass] = {}  # (site, skeleton) -> the written pass open there
        self._batch: dict[tuple[int, str], OpenPass] = {}  # the passes of the batch being written

    def reset(self) -> None:
        """Forget open passes (after a failed write: the next frames start new passes)."""
        self._waiting.clear()
        self._batch = {}

    def resume(self, waiting: dict[tuple[int, str], WaitingPass]) -> None:
        """Replace what this grouper remembers with the open passes as the database holds them (by site and
        skeleton), after another writer may have started or extended some of them. The writer loads those of
        the batch's sites and skeletons only: the rest is forgotten, since any of it may be out of date (the
        writer looks forgotten ones up again while they may still be open: `unknown`, `remember`)."""
        self._waiting = waiting
        self._batch = {}

    def unknown(self, keys: set[tuple[int, str]]) -> set[tuple[int, str]]:
        """Those (site, skeleton) keys this grouper remembers no pass at."""
        return keys - self._waiting.keys()

    def remember(self, waiting: dict[tuple[int, str], WaitingPass]) -> None:
        """Add open passes read from the database at keys this grouper knew nothing of."""
        self._waiting.update(waiting)

    def group(self, frames: list[Frame], next_pass_id: int) -> list[OpenPass]:
        """Group a batch of frames sorted by time. Returns every pass touched, new or extended."""
        touched: dict[int, OpenPass] = {}
        open_passes: dict[tuple[int, str], OpenPass] = {}
        waiting = self._waiting
        for frame in frames:
            observed, site, skeleton, plate_id, region_id, confidence, lat_e6, lon_e6, cell = frame[:9]
            key = (site, skeleton)
            current = open_passes.get(key)
            if current is None and key in waiting:
                current = open_passes[key] = _reopened(site, waiting[key])
            if (
                current is None
                or observed > current.last_ms + PASS_GAP_MS
                or observed < current.first_ms
                or observed - current.first_ms > MAX_SPAN_MS
                or current.frame_count >= MAX_FRAMES
                or cell != current.cell
            ):
                current = OpenPass(next_pass_id, site, cell, plate_id, region_id, observed, observed, lat_e6, lon_e6)
                next_pass_id += 1
                open_passes[key] = current
                touched[current.id] = current
            elif current.id not in touched:
                touched[current.id] = current
            index = current.frame_count
            current.frame_count = index + 1
            if observed > current.last_ms:
                current.last_ms = observed
            if confidence > current.best_confidence:
                current.best_confidence = confidence
                current.best_index = index
            current.new_frames.append((index, frame))
        self._batch = open_passes
        return list(touched.values())

    def mark_written(self) -> None:
        """The batch is committed: its passes wait for later frames (the newest pass at each site and skeleton)."""
        waiting = self._waiting
        newest = 0
        for key, open_pass in self._batch.items():
            waiting[key] = _waiting(open_pass)
            if open_pass.last_ms > newest:
                newest = open_pass.last_ms
        self._batch = {}
        if len(waiting) > 50_000:
            self._forget_before(newest - PASS_GAP_MS - 60_000)

    def _forget_before(self, cutoff_ms: int) -> None:
        # Keep memory bounded: passes idle for longer than the gap (plus slack for late frames) are closed.
        self._waiting = {key: value for key, value in self._waiting.items() if value[LAST_MS] >= cutoff_ms}

"""Turning grouped passes into the rows a backend writes: pass rows, blob updates, alternate plates, source ids.

Backend-neutral: the SQLite and PostgreSQL writers both call `build_pass_rows` and only differ in how they send
the rows to their database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from plateledger.reads import BatchResult
from plateledger.store.frames import FRAME_HEAD, MAX_FRAMES, encode_frame, join_frames
from plateledger.store.passes import OpenPass

# (id, plate, region, site, first_ms, cell, lat_e6, lon_e6, best, frames)
PassInsert = tuple[int, int, int, int, int, int, int | None, int | None, int, bytes]


class SiteLike(Protocol):
    """What the packer needs of a camera site (the registries' SiteRow has it)."""

    @property
    def agency(self) -> int: ...
    @property
    def lat_e6(self) -> int | None: ...
    @property
    def lon_e6(self) -> int | None: ...


@dataclass(slots=True)
class PassRows:
    inserts: list[PassInsert] = field(default_factory=list)  # new passes
    # (heads, extras of the new frames, best, pass id) of passes stored before: joined to their blob by the writer
    updates: list[tuple[list[bytes], list[bytes], int, int]] = field(default_factory=list)
    alternates: list[tuple[int, int, int]] = field(default_factory=list)  # pass_plates (plate, first_ms, pass)
    sources: list[tuple[int, str, int]] = field(default_factory=list)  # read_sources (agency, source_id, read id)
    extras: list[tuple[int, str]] = field(default_factory=list)  # read_candidates (read id, JSON)

    def updated_blobs(self, before: Mapping[int, bytes]) -> list[tuple[bytes, int, int]]:
        """(frames, best, pass id) of each pass stored before, given its blob as stored (`before`, by pass id):
        a read-modify-write, the new frames' heads before the old extras."""
        return [
            (join_frames(heads, extras, before[pass_id]), best, pass_id)
            for heads, extras, best, pass_id in self.updates
        ]


def build_pass_rows(
    passes: list[OpenPass], sites: Mapping[int, SiteLike], result: BatchResult, candidates: dict[int, str]
) -> PassRows:
    """Pack the new frames of each pass and fill `result.stored` with each frame's read id."""
    rows = PassRows()
    inserts, updates, alternates = rows.inserts, rows.updates, rows.alternates
    sources, extras = rows.sources, rows.extras
    stored = result.stored
    plain = FRAME_HEAD.pack
    for open_pass in passes:
        heads: list[bytes] = []
        tails: list[bytes] = []  # per frame, empty for most
        pass_id, pass_plate, pass_region, first_ms = (
            open_pass.id,
            open_pass.plate_id,
            open_pass.region_id,
            open_pass.first_ms,
        )
        pass_lat, pass_lon = open_pass.lat_e6, open_pass.lon_e6
        base_id = pass_id * MAX_FRAMES
        for index, frame in open_pass.new_frames:
            (observed, _, _, plate_id, region_id, confidence, lat_e6, lon_e6, _, heading, raw, assumed,
             source_id, has_candidates, batch_index) = frame  # fmt: skip
            identifier = base_id + index
            stored[batch_index] = identifier
            if (
                plate_id == pass_plate and region_id == pass_region and lat_e6 == pass_lat and lon_e6 == pass_lon
                and heading is None and raw is None and not assumed and source_id is None and not has_candidates
            ):  # fmt: skip
                heads.append(plain(observed - first_ms, confidence, 0))  # the common case: nothing differs
                tails.append(b"")
                continue
            position = None
            if (lat_e6, lon_e6) != (pass_lat, pass_lon):
                site = sites[open_pass.site]
                position = (
                    lat_e6 if lat_e6 is not None else site.lat_e6,
                    lon_e6 if lon_e6 is not None else site.lon_e6,
                )
            head, tail = encode_frame(
                observed - first_ms, confidence,
                plate_id=None if plate_id == pass_plate else plate_id,
                region_id=None if region_id == pass_region else region_id,
                position=position,  # type: ignore[arg-type]
                heading_x10=heading, raw=raw, region_assumed=assumed, source_id=source_id,
                has_candidates=has_candidates,
            )  # fmt: skip
            heads.append(head)
            tails.append(tail)
            if plate_id != pass_plate:
                alternates.append((plate_id, first_ms, pass_id))
            if source_id is not None:
                sources.append((sites[open_pass.site].agency, source_id, identifier))
            if has_candidates:
                extras.append((identifier, candidates[batch_index]))
        if open_pass.is_new:
            inserts.append(
                (
                    pass_id, pass_plate, pass_region, open_pass.site, first_ms, open_pass.cell,
                    pass_lat, pass_lon, open_pass.best_index, join_frames(heads, tails),
                )
            )  # fmt: skip
        else:
            updates.append((heads, tails, open_pass.best_index, pass_id))
    return rows

"""Frigate NVR licence plate recognition, as published over MQTT (Frigate 0.16).

Two topics carry plates:
- `frigate/events`: `{"type": "new" | "update" | "end", "before": {...}, "after": {...}}`. The `after` object
  is read; a car or motorcycle with `recognized_license_plate` (and `recognized_license_plate_score`, 0-1) is a
  read at the Frigate camera's registered location.
- `frigate/tracked_object_update` with `"type": "lpr"`: `{"id", "camera", "plate", "score", "timestamp"}`.

The Frigate camera name maps to one of our cameras through the context's `sources`. The read's source id is
`frigate:<tracked object id>:<plate as read>`: the many updates of one tracked object give one read, and a
changed plate gives a new one (the raw reading is kept). Other objects (people above all) are ignored: the
platform records vehicles, never people, and keeps neither Frigate's sub labels, face attributes nor the
names given to known plates.
"""

from __future__ import annotations

from typing import Any

from plateledger.ingest.model import (
    Attribute,
    IngestContext,
    ParsedPayload,
    PayloadError,
    ReadExtras,
    UnknownFormat,
)
from plateledger.ingest.registry import register_adapter
from plateledger.ingest.values import epoch_to_ms, load_json, make_source_id, percent, plate_text
from plateledger.reads import NewRead

EVENT_TYPES = ("new", "update", "end")
DEFAULT_LABELS = ("car", "motorcycle")


def frigate_source_id(object_id: str, plate: str) -> str:
    return make_source_id("frigate", object_id, plate)


@register_adapter("frigate")
class FrigateAdapter:
    key = "frigate"

    def __init__(self, labels: tuple[str, ...] = DEFAULT_LABELS) -> None:
        self.labels = tuple(labels)

    def parse(self, payload: bytes | dict[str, Any], context: IngestContext) -> ParsedPayload:
        body = load_json(payload)
        kind = body.get("type")
        if kind in EVENT_TYPES and "after" in body:
            return self._event(body, context)
        if kind == "lpr":
            return self._lpr(body, context)
        if isinstance(kind, str) and "id" in body and "camera" in body:
            parsed = ParsedPayload(adapter=self.key, context=context, kind="ignored")
            parsed.notes.append(f"tracked object update of type {kind!r}: not a plate")
            return parsed
        raise UnknownFormat("type", f"{kind!r} is neither a frigate/events message nor a tracked object update")

    def _event(self, body: dict[str, Any], context: IngestContext) -> ParsedPayload:
        parsed = ParsedPayload(adapter=self.key, context=context)
        after = body.get("after")
        if not isinstance(after, dict):
            raise PayloadError("after", "is missing or not an object")
        label = after.get("label")
        plate = after.get("recognized_license_plate")
        if label not in self.labels:
            parsed.kind = "ignored"
            parsed.notes.append(f"a {label!r} object is not a vehicle this platform records")
            return parsed
        if plate in (None, ""):
            parsed.kind = "ignored"
            parsed.notes.append("no plate recognised yet")
            return parsed
        object_id = plate_text(after.get("id"), "after.id")
        camera = context.resolve(after.get("camera"), "after.camera")
        seen = after.get("frame_time") or after.get("start_time")
        if seen is None:
            raise PayloadError("after.frame_time", "is missing")
        raw = plate_text(plate, "after.recognized_license_plate")
        score = after.get("recognized_license_plate_score")
        extras = ReadExtras(
            source_group_id=object_id,
            other={
                "frigate_camera": after.get("camera"),
                "event_type": body.get("type"),
                "label": label,
                **{
                    name: after[name]
                    for name in ("start_time", "end_time", "current_zones", "entered_zones", "stationary")
                    if after.get(name) is not None
                },
            },
        )
        if after.get("velocity_angle") is not None:
            extras.travel_direction = float(after["velocity_angle"]) % 360
        if after.get("current_estimated_speed") is not None:
            extras.other["estimated_speed"] = after["current_estimated_speed"]
        extras.vehicle["type"] = [self._label_attribute(label, after.get("top_score"))]
        parsed.add(
            NewRead(
                plate_raw=raw,
                observed_ms=epoch_to_ms(seen, "after.frame_time"),
                camera_id=camera.id,
                confidence=percent(
                    score if score is not None else 0, "after.recognized_license_plate_score", scale=100
                ),
                source_id=frigate_source_id(object_id, raw),
            ),
            0,
            extras,
        )
        return parsed

    def _lpr(self, body: dict[str, Any], context: IngestContext) -> ParsedPayload:
        parsed = ParsedPayload(adapter=self.key, context=context)
        object_id = plate_text(body.get("id"), "id")
        raw = plate_text(body.get("plate"), "plate")
        camera = context.resolve(body.get("camera"), "camera")
        timestamp = body.get("timestamp")
        if timestamp is None:
            raise PayloadError("timestamp", "is missing")
        parsed.add(
            NewRead(
                plate_raw=raw,
                observed_ms=epoch_to_ms(timestamp, "timestamp"),
                camera_id=camera.id,
                confidence=percent(body.get("score", 0), "score", scale=100),
                source_id=frigate_source_id(object_id, raw),
            ),
            0,
            ReadExtras(source_group_id=object_id, other={"frigate_camera": body.get("camera"), "event_type": "lpr"}),
        )
        return parsed

    @staticmethod
    def _label_attribute(label: str, score: Any) -> Attribute:
        return Attribute(label, None if score is None else round(float(score) * 100, 3))

"""What every ingest adapter produces, whatever the source format: reads, pending images and extras.

An adapter turns one payload (an HTTP body, an MQTT message, a file row) into a `ParsedPayload`. It knows
who sent the payload through the `IngestContext`: the authenticated camera or agent, the cameras it may post
for, and where they stand. It never touches the store: the pipeline (pipeline.py) does that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from plateledger.reads import NewRead, Refusal, now_ms

PayloadKind = Literal["reads", "heartbeat", "ignored"]
ImageKind = Literal["crop", "vehicle", "overview"]
IMAGE_KINDS: tuple[ImageKind, ...] = ("crop", "vehicle", "overview")


class PayloadError(ValueError):
    """A payload that cannot be parsed: the field at fault and the reason, in words."""

    status = 422

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


class UnknownFormat(PayloadError):
    """Valid JSON (or form data) that is none of the formats the adapter knows."""


class BatchTooLarge(PayloadError):
    """More reads in one payload than an adapter accepts: the sender splits it and sends again."""

    status = 413


@dataclass(frozen=True, slots=True)
class CameraInfo:
    """One of our registered cameras, as ingest needs it: who owns it, where it stands, whose law applies."""

    id: str
    agency_id: str
    kind: Literal["fixed", "mobile"]
    jurisdiction: str | None = None  # ISO 3166-2 of the agency: the region assumed when a read has none
    lat: float | None = None
    lon: float | None = None
    heading: float | None = None
    created_ms: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "agency_id": self.agency_id,
            "kind": self.kind,
            "jurisdiction": self.jurisdiction,
            "lat": self.lat,
            "lon": self.lon,
            "heading": self.heading,
            "created_ms": self.created_ms,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CameraInfo:
        return cls(**{key: data.get(key) for key in cls.__slots__ if key in data})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class IngestContext:
    """Who sent a payload, as the API established it (authentication is not done here).

    `camera` is the authenticated camera, or the default camera of an agent's credential. `sources` maps the
    camera names or numbers that the source software uses (an OpenALPR agent's numeric camera_id, a Frigate
    camera name, a Plate Recognizer camera_id) to our cameras; a payload may only post for these cameras.
    """

    camera: CameraInfo | None = None
    sources: Mapping[str, CameraInfo] = field(default_factory=dict)
    credential_id: str | None = None
    received_ms: int = field(default_factory=now_ms)

    def cameras(self) -> dict[str, CameraInfo]:
        """Our cameras this sender may post for, by our camera id."""
        known = {camera.id: camera for camera in self.sources.values()}
        if self.camera is not None:
            known[self.camera.id] = self.camera
        return known

    def resolve(self, source_camera: object, field_name: str = "camera_id") -> CameraInfo:
        """Our camera for the source's camera name/number; the authenticated camera when none is given."""
        if source_camera is not None and source_camera != "":
            key = str(source_camera)
            if key in self.sources:
                return self.sources[key]
            known = self.cameras()
            if key in known:
                return known[key]
            if self.camera is not None and not self.sources:
                return self.camera  # a camera credential: the source's own numbering does not matter
            raise PayloadError(field_name, f"source camera {key!r} is not mapped to a registered camera")
        if self.camera is None:
            raise PayloadError(field_name, "no camera named, and the credential has no default camera")
        return self.camera

    def to_dict(self) -> dict[str, Any]:
        return {
            "camera": None if self.camera is None else self.camera.to_dict(),
            "sources": {key: value.to_dict() for key, value in self.sources.items()},
            "credential_id": self.credential_id,
            "received_ms": self.received_ms,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IngestContext:
        camera = data.get("camera")
        return cls(
            camera=None if camera is None else CameraInfo.from_dict(camera),
            sources={key: CameraInfo.from_dict(value) for key, value in (data.get("sources") or {}).items()},
            credential_id=data.get("credential_id"),
            received_ms=int(data.get("received_ms") or now_ms()),
        )


@dataclass(frozen=True, slots=True)
class PendingImage:
    """Image bytes that came with a read, to be validated and stored; or why they could not be decoded."""

    read_index: int  # position in ParsedPayload.reads
    kind: ImageKind
    field: str  # where it came from in the payload, for error messages
    data: bytes | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Attribute:
    """One vehicle attribute as the engine guessed it: the value and its confidence (percent), if given."""

    value: str
    confidence: float | None = None


@dataclass(slots=True)
class ReadExtras:
    """What a source says about a read beyond the plate: kept beside the read, never instead of it."""

    vehicle: dict[str, list[Attribute]] = field(default_factory=dict)  # make, model, colour, type, year...
    travel_direction: float | None = None  # degrees, as the source reports it (image or compass frame)
    is_parked: bool | None = None
    source_group_id: str | None = None
    source_uuids: tuple[str, ...] = ()
    other: dict[str, Any] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (
            self.vehicle
            or self.travel_direction is not None
            or self.is_parked is not None
            or self.source_group_id
            or self.source_uuids
            or self.other
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "vehicle": {
                name: [{"value": a.value, "confidence": a.confidence} for a in values]
                for name, values in self.vehicle.items()
            },
            "travel_direction": self.travel_direction,
            "is_parked": self.is_parked,
            "source_group_id": self.source_group_id,
            "source_uuids": list(self.source_uuids),
            "other": self.other,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReadExtras:
        return cls(
            vehicle={
                name: [Attribute(item["value"], item.get("confidence")) for item in values]
                for name, values in (data.get("vehicle") or {}).items()
            },
            travel_direction=data.get("travel_direction"),
            is_parked=data.get("is_parked"),
            source_group_id=data.get("source_group_id"),
            source_uuids=tuple(data.get("source_uuids") or ()),
            other=dict(data.get("other") or {}),
        )

    def best(self, name: str) -> str | None:
        """The most confident value of one vehicle attribute, or None."""
        values = self.vehicle.get(name)
        return values[0].value if values else None


@dataclass(frozen=True, slots=True)
class Liveness:
    """A sign of life from a camera (a heartbeat): acknowledged and recorded, never a read."""

    camera_id: str
    seen_ms: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ParsedPayload:
    """One payload, parsed. `reads[i]` is item `source_index[i]` of the payload; images and extras refer to
    positions in `reads`. Items the adapter could not turn into reads are in `refused`, by source index."""

    adapter: str
    context: IngestContext
    kind: PayloadKind = "reads"
    reads: list[NewRead] = field(default_factory=list)
    source_index: list[int] = field(default_factory=list)
    images: list[PendingImage] = field(default_factory=list)
    extras: dict[int, ReadExtras] = field(default_factory=dict)
    refused: list[Refusal] = field(default_factory=list)
    liveness: list[Liveness] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why a payload was ignored, what was left out

    def add(self, read: NewRead, source_index: int | None = None, extras: ReadExtras | None = None) -> int:
        """Append a read; return its position (for images and extras)."""
        position = len(self.reads)
        self.reads.append(read)
        self.source_index.append(position if source_index is None else source_index)
        if extras is not None and not extras.is_empty():
            self.extras[position] = extras
        return position

    def add_image(self, position: int, kind: ImageKind, field_name: str, data: bytes | None, error: str | None) -> None:
        self.images.append(PendingImage(position, kind, field_name, data, error))

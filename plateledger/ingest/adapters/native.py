"""Our own JSON batch format (`POST /api/v1/reads`): `{"reads": [...]}`, at most 10,000 reads a batch.

Each item is validated on its own: an item that breaks the schema is refused by index (field and reason) and
the others go on to the store, which refuses per item what the schema cannot see (a time before the camera
existed, 0,0 from a mobile camera). Only a body that is not a batch at all fails whole.

The schema is a pydantic TypedDict, not a model: a batch of 5,000 reads validates into plain dicts about
three times faster than into model instances, and the reads are built straight from those dicts.
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from pydantic import AfterValidator, ConfigDict, Field, StrictInt, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict  # pydantic needs this one, not typing's, before Python 3.12

from plateledger.ingest.model import BatchTooLarge, IngestContext, ParsedPayload, PayloadError, UnknownFormat
from plateledger.ingest.registry import register_adapter
from plateledger.ingest.values import decode_image, iso_to_ms, load_json
from plateledger.reads import MAX_RAW_LENGTH, MAX_SOURCE_ID_LENGTH, Candidate, NewRead, Refusal

MAX_BATCH = 10_000
DEFAULT_CONFIDENCE = 100.0
IMAGE_FIELDS = (("crop_jpeg_b64", "crop"), ("overview_jpeg_b64", "overview"))


def _epoch_ms(value: int | str) -> int:
    if isinstance(value, str):
        try:
            return iso_to_ms(value, "observed_at")
        except PayloadError as error:
            raise ValueError(error.reason) from None
    if value < 0:
        raise ValueError("is before 1970")
    return value


@with_config(ConfigDict(extra="forbid"))
class NativeCandidate(TypedDict):
    """Another reading of the same plate that the engine considered."""

    plate: Annotated[str, Field(min_length=1, max_length=40, description="The alternative OCR text, as read.")]
    confidence: Annotated[float, Field(ge=0, le=100, description="Its confidence, percent (0-100).")]


@with_config(ConfigDict(extra="forbid"))
class NativeRead(TypedDict):
    """One plate read as a camera or recognizer reports it."""

    plate: Annotated[
        str,
        Field(
            min_length=1, max_length=MAX_RAW_LENGTH, description="The OCR text exactly as read; normalised on store."
        ),
    ]
    observed_at: Annotated[
        StrictInt | str,
        AfterValidator(_epoch_ms),
        Field(
            description="When the plate was seen: ISO 8601 with a UTC offset (2024-06-01T08:15:00-07:00, or Z), "
            "or integer epoch milliseconds."
        ),
    ]
    camera_id: NotRequired[
        Annotated[
            str | None,
            Field(
                max_length=100,
                description="Our id of the camera; defaults to the authenticated camera. Must be one this "
                "credential may post for.",
            ),
        ]
    ]
    confidence: NotRequired[
        Annotated[
            float, Field(default=DEFAULT_CONFIDENCE, ge=0, le=100, description="OCR confidence, percent (0-100).")
        ]
    ]
    region: NotRequired[
        Annotated[
            str | None,
            Field(
                max_length=20,
                description="State or country of issue: ISO 3166-2 ('US-CA', 'us-ca', 'DE'). Left out: the "
                "camera's jurisdiction is assumed and the read is marked as such.",
            ),
        ]
    ]
    lat: NotRequired[
        Annotated[float | None, Field(ge=-90, le=90, description="Latitude (WGS 84); required for mobile cameras.")]
    ]
    lon: NotRequired[Annotated[float | None, Field(ge=-180, le=180, description="Longitude (WGS 84).")]]
    heading: NotRequired[
        Annotated[float | None, Field(ge=0, lt=360, description="Camera heading, degrees from north.")]
    ]
    source_id: NotRequired[
        Annotated[
            str | None,
            Field(
                min_length=1,
                max_length=MAX_SOURCE_ID_LENGTH,
                description="The sender's own id for this read. A read sent again with the same source_id is "
                "answered as a duplicate and stored once.",
            ),
        ]
    ]
    candidates: NotRequired[Annotated[list[NativeCandidate], Field(max_length=50, description="Other readings.")]]
    crop_jpeg_b64: NotRequired[
        Annotated[str | None, Field(description="Plate crop, base64 JPEG or PNG (2 MiB at most).")]
    ]
    overview_jpeg_b64: NotRequired[
        Annotated[str | None, Field(description="Overview image, base64 JPEG or PNG (2 MiB).")]
    ]


@with_config(ConfigDict(extra="forbid"))
class NativeBatch(TypedDict):
    """A batch of reads: the body of `POST /api/v1/reads`."""

    reads: Annotated[list[Any], Field(description=f"The reads, {MAX_BATCH:,} at most per batch.")]


READ_SCHEMA = TypeAdapter(NativeRead)
_WHOLE_BATCH = TypeAdapter(list[NativeRead])
_BATCH = TypeAdapter(NativeBatch)


def _validated(items: list[Any]) -> list[NativeRead] | list[NativeRead | Refusal]:
    """Each item as a NativeRead, or the Refusal of the first rule it breaks.

    A batch is validated in one call (pydantic's core loops over it, several times faster than one call per
    item); only a batch with a bad item goes item by item, so that each refusal names its own index.
    """
    try:
        return _WHOLE_BATCH.validate_python(items)
    except ValidationError:
        pass
    validated: list[NativeRead | Refusal] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            validated.append(Refusal(index, "read", "is not a JSON object"))
            continue
        try:
            validated.append(READ_SCHEMA.validate_python(item))
        except ValidationError as error:
            first = error.errors()[0]
            validated.append(Refusal(index, _field_of(first["loc"]), _reason(first["msg"])))
    return validated


def _reason(message: str) -> str:
    return message.removeprefix("Value error, ")


def _field_of(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "read"


def _new_read(item: NativeRead, camera_id: str) -> NewRead:
    candidates = item.get("candidates")
    return NewRead(
        item["plate"],
        item["observed_at"],  # type: ignore[arg-type]  # epoch ms once validated
        camera_id,
        item["confidence"],
        item.get("region"),
        False,
        item.get("lat"),
        item.get("lon"),
        item.get("heading"),
        item.get("source_id"),
        tuple(Candidate(c["plate"], c["confidence"]) for c in candidates) if candidates else (),
    )


@register_adapter("native")
class NativeAdapter:
    key = "native"
    max_batch = MAX_BATCH

    def parse(self, payload: bytes | dict[str, Any], context: IngestContext) -> ParsedPayload:
        body = load_json(payload)
        if "reads" not in body:
            raise UnknownFormat("reads", 'is missing: a batch is {"reads": [...]}')
        try:
            items = _BATCH.validate_python(body)["reads"]
        except ValidationError as error:
            first = error.errors()[0]
            raise PayloadError(_field_of(first["loc"]), _reason(first["msg"])) from None
        if len(items) > self.max_batch:
            raise BatchTooLarge("reads", f"{len(items):,} reads is over the limit of {self.max_batch:,} a batch")
        parsed = ParsedPayload(adapter=self.key, context=context)
        allowed = context.cameras()
        default_camera = context.camera.id if context.camera else None
        for index, read in enumerate(_validated(items)):
            if isinstance(read, Refusal):
                parsed.refused.append(read)
                continue
            camera_id = read.get("camera_id") or default_camera
            if camera_id is None:
                parsed.refused.append(Refusal(index, "camera_id", "is missing and the credential has no camera"))
                continue
            if camera_id not in allowed:
                parsed.refused.append(Refusal(index, "camera_id", f"this credential may not post for {camera_id!r}"))
                continue
            position = parsed.add(_new_read(read, camera_id), index)
            if "crop_jpeg_b64" in read or "overview_jpeg_b64" in read:
                for field_name, kind in IMAGE_FIELDS:
                    text = read.get(field_name)
                    if text is not None:
                        data, error_text = decode_image(text)
                        parsed.add_image(position, kind, field_name, data, error_text)  # type: ignore[arg-type]
        return parsed

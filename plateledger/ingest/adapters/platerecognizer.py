"""Plate Recognizer Stream and Snapshot webhooks (`/api/v1/ingest/platerecognizer`).

Data-only webhooks are JSON: `{"hook": {"event": "recognition" (Stream) | "image.done" (Snapshot), ...},
"data": {"camera_id", "timestamp", "results": [...]}}`. "Webhook with image" is multipart/form-data with the
same JSON in a `json` field and the frame in an `upload` file: `parse_form` takes those form fields. A bare
Snapshot API response (`{"results", "timestamp", "camera_id"}` with no hook) is accepted too.

Scores are 0-1 (kept as percent), plates come lower case (kept raw: normalised on store), regions are
`{"code": "us-ca", "score"}`. Snapshot timestamps carry no offset and are UTC. Stream's vehicle detection mode
reports the plate as an object (`{"props": {"plate": [{"value", "score"}], "region": [...]}}`): accepted too.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from plateledger.ingest.values import (
    candidates,
    iso_to_ms,
    load_json,
    make_source_id,
    optional_number,
    percent,
    plate_text,
    source_region,
)
from plateledger.reads import NewRead, Refusal

EVENTS = ("recognition", "image.done")


def _scored(items: Any, value_key: str) -> list[Attribute]:
    if not isinstance(items, list):
        return []
    found = []
    for item in items:
        if isinstance(item, dict) and item.get(value_key) not in (None, ""):
            score = item.get("score")
            found.append(Attribute(str(item[value_key]), None if score is None else round(float(score) * 100, 3)))
    found.sort(key=lambda a: -(a.confidence or 0.0))
    return found


def _vehicle(result: dict[str, Any]) -> dict[str, list[Attribute]]:
    attributes: dict[str, list[Attribute]] = {}
    vehicle = result.get("vehicle")
    if isinstance(vehicle, dict) and vehicle.get("type"):
        score = vehicle.get("score")
        attributes["type"] = [Attribute(str(vehicle["type"]), None if score is None else round(float(score) * 100, 3))]
    model_make = result.get("model_make")
    if isinstance(model_make, list):
        attributes["make"] = _scored(model_make, "make")
        models = [
            {"model": f"{item.get('make', '')} {item['model']}".strip(), "score": item.get("score")}
            for item in model_make
            if isinstance(item, dict) and item.get("model")
        ]
        attributes["model"] = _scored(models, "model")
    attributes["colour"] = _scored(result.get("color"), "color")
    attributes["orientation"] = _scored(result.get("orientation"), "orientation")
    return {name: values for name, values in attributes.items() if values}


def _plate_and_region(result: dict[str, Any], path: str) -> tuple[str, float, Any]:
    """(plate text, score 0-1, region code) from the plain form or Stream's vehicle-mode object form."""
    plate = result.get("plate")
    if isinstance(plate, dict):
        props = plate.get("props") or {}
        readings = props.get("plate") or []
        if not readings or not isinstance(readings[0], dict):
            raise PayloadError(f"{path}.plate.props.plate", "is missing")
        regions = props.get("region") or []
        region = regions[0].get("value") if regions and isinstance(regions[0], dict) else None
        return (
            plate_text(readings[0].get("value"), f"{path}.plate.props.plate[0].value"),
            readings[0].get("score", plate.get("score", 0)),
            region,
        )
    region = result.get("region")
    code = region.get("code") if isinstance(region, dict) else region
    return plate_text(plate, f"{path}.plate"), result.get("score", 0), code


@register_adapter("platerecognizer")
class PlateRecognizerAdapter:
    key = "platerecognizer"

    def parse(self, payload: bytes | dict[str, Any], context: IngestContext) -> ParsedPayload:
        body = load_json(payload)
        hook = body.get("hook")
        if hook is None:
            if isinstance(body.get("results"), list) and "timestamp" in body:
                return self._data(body, {}, context)  # a Snapshot API response, forwarded as is
            raise UnknownFormat("hook", "is missing: not a Plate Recognizer webhook")
        if not isinstance(hook, dict):
            raise PayloadError("hook", "is not an object")
        event = hook.get("event")
        if event not in EVENTS:
            raise UnknownFormat("hook.event", f"{event!r} is not one of {', '.join(EVENTS)}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise PayloadError("data", "is missing or not an object")
        return self._data(data, hook, context)

    def parse_form(
        self, fields: Mapping[str, str | bytes], files: Mapping[str, bytes], context: IngestContext
    ) -> ParsedPayload:
        """ "Webhook with image": the `json` form field, and the `upload` file stored as each read's overview."""
        text = fields.get("json")
        if text is None:
            raise PayloadError("json", "form field is missing")
        parsed = self.parse(text if isinstance(text, bytes) else text.encode(), context)
        upload = files.get("upload")
        if upload is not None:
            for position in range(len(parsed.reads)):
                parsed.add_image(position, "overview", "upload", upload, None)
        return parsed

    def _data(self, data: dict[str, Any], hook: dict[str, Any], context: IngestContext) -> ParsedPayload:
        parsed = ParsedPayload(adapter=self.key, context=context)
        source_camera = data.get("camera_id") or hook.get("id")
        camera = context.resolve(source_camera, "data.camera_id")
        timestamp = data.get("timestamp")
        if timestamp is None:
            raise PayloadError("data.timestamp", "is missing")
        observed = iso_to_ms(timestamp, "data.timestamp", assume_utc=True)
        results = data.get("results")
        if not isinstance(results, list):
            raise PayloadError("data.results", "is missing or not a list")
        country = camera.jurisdiction.split("-", 1)[0] if camera.jurisdiction else "US"
        for index, result in enumerate(results):
            path = f"data.results[{index}]"
            try:
                if not isinstance(result, dict):
                    raise PayloadError(path, "is not an object")
                plate, score, code = _plate_and_region(result, path)
                region, raw_region = source_region(code, country, bare_is_country=True)  # "de": Germany
                direction = result.get("direction")
                extras = ReadExtras(
                    vehicle=_vehicle(result),
                    travel_direction=optional_number(direction, f"{path}.direction") if direction != "" else None,
                    other={
                        name: result[name]
                        for name in ("box", "dscore", "source_url", "position_sec")
                        if result.get(name) is not None
                    },
                )
                if isinstance(result.get("region"), dict) and result["region"].get("score") is not None:
                    extras.other["region_score"] = result["region"]["score"]
                if raw_region is not None and raw_region != "":
                    extras.other["region_raw"] = raw_region
                for name in ("filename", "timestamp_local"):
                    if data.get(name):
                        extras.other[name] = data[name]
                if hook.get("event"):
                    extras.other["event"] = hook["event"]
                read = NewRead(
                    plate_raw=plate,
                    observed_ms=observed,
                    camera_id=camera.id,
                    confidence=percent(score, f"{path}.score", scale=100.0),
                    region=region,
                    source_id=make_source_id(
                        "platerecognizer", source_camera, timestamp, data.get("filename"), index, plate
                    ),
                    candidates=candidates(
                        result.get("candidates"), f"{path}.candidates", score_key="score", scale=100.0
                    ),
                )
            except PayloadError as error:
                parsed.refused.append(Refusal(index, error.field, error.reason))
                continue
            parsed.add(read, index, extras)
        return parsed

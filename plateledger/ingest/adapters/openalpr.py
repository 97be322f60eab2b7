"""OpenALPR Agent / Rekor Scout HTTP POSTs (`/api/v1/ingest/openalpr`), every documented version.

Dispatch is on `data_type`: `alpr_results` (one frame: each result is a read), `alpr_group` (one vehicle pass:
one read from the best plate), `alpr_alert` (Rekor's own list hit, wrapping a group: ingested as that group),
`vehicle` (a vehicle without a readable plate: acknowledged, not a read) and `heartbeat` (camera liveness).
The 2014-2017 open-source alprd posts results with no `data_type` at all.

Fields differ by version; see tests/fixtures/openalpr/README.md for the versions and where each is documented.
The adapter reads what is there rather than switching on `version`: `best_region` or the best plate's
`region`; bare state codes ("mo", before agent 2.5.103 prefixed "us-"); epoch seconds (2014 alprd docs) or
milliseconds; per-result `epoch_time` or the frame's; `gps_latitude`/`gps_longitude` (agent 2.6.101+);
vehicle attributes as lists of {name, confidence} or a single {name, confidence}.
"""

from __future__ import annotations

from typing import Any

from plateledger.ingest.model import (
    Attribute,
    CameraInfo,
    IngestContext,
    Liveness,
    ParsedPayload,
    PayloadError,
    ReadExtras,
    UnknownFormat,
)
from plateledger.ingest.registry import register_adapter
from plateledger.ingest.values import (
    candidates,
    decode_image,
    epoch_to_ms,
    load_json,
    make_source_id,
    optional_number,
    percent,
    plate_text,
    source_region,
)
from plateledger.reads import NewRead, Refusal

DATA_TYPES = ("alpr_results", "alpr_group", "alpr_alert", "vehicle", "heartbeat")
# Their attribute names -> ours (colour in British spelling like the rest of the code base).
VEHICLE_NAMES = {"color": "colour", "body_type": "type", "make": "make", "make_model": "make_model", "year": "year"}
# Top-level fields kept in extras.other when present (provenance and pass details).
KEPT_FIELDS = (
    "version",
    "agent_uid",
    "agent_version",
    "agent_type",
    "site_id",
    "company_id",
    "country",
    "epoch_end",
    "is_preview",
    "user_data",
    "direction_of_travel_id",
    "web_server_config",
)


def _country(body: dict[str, Any], camera: CameraInfo) -> str:
    country = body.get("country")
    if isinstance(country, str) and len(country) == 2:
        return country
    if camera.jurisdiction:
        return camera.jurisdiction.split("-", 1)[0]
    return "US"


def _attributes(value: Any) -> list[Attribute]:
    """[{name, confidence}, ...], a single {name, confidence}, or a bare string, most confident first."""
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, dict) and item.get("name") not in (None, ""):
            confidence = item.get("confidence")
            found.append(Attribute(str(item["name"]), None if confidence is None else float(confidence)))
        elif isinstance(item, str) and item:
            found.append(Attribute(item))
    found.sort(key=lambda a: -(a.confidence or 0.0))
    return found


def _vehicle(value: Any) -> dict[str, list[Attribute]]:
    if not isinstance(value, dict):
        return {}
    attributes = {}
    for name, raw in value.items():
        found = _attributes(raw)
        if found:
            attributes[VEHICLE_NAMES.get(name, name)] = found
    return attributes


def _kept(body: dict[str, Any]) -> dict[str, Any]:
    return {name: body[name] for name in KEPT_FIELDS if body.get(name) not in (None, "")}


def _position(body: dict[str, Any], camera: CameraInfo, extras: ReadExtras) -> tuple[float | None, float | None]:
    """GPS from a mobile agent goes on the read; a fixed camera keeps its registered position."""
    lat = optional_number(body.get("gps_latitude"), "gps_latitude")
    lon = optional_number(body.get("gps_longitude"), "gps_longitude")
    if lat is None and lon is None:
        return None, None
    if camera.kind == "mobile":
        return lat, lon
    extras.other["reported_gps"] = [lat, lon]
    return None, None


def _image(parsed: ParsedPayload, position: int, kind: str, field_name: str, value: Any) -> None:
    if value is None:
        return
    data, error = decode_image(value)
    parsed.add_image(position, kind, field_name, data, error)  # type: ignore[arg-type]


@register_adapter("openalpr")
class OpenAlprAdapter:
    key = "openalpr"

    def parse(self, payload: bytes | dict[str, Any], context: IngestContext) -> ParsedPayload:
        body = load_json(payload)
        data_type = body.get("data_type")
        if data_type is None:
            if isinstance(body.get("results"), list) and ("epoch_time" in body or "uuid" in body):
                return self._results(body, context)  # the open-source alprd (2014-2017): no data_type
            raise UnknownFormat("data_type", "is missing, and the body is not open-source alprd results either")
        if data_type == "alpr_results":
            return self._results(body, context)
        if data_type == "alpr_group":
            return self._group(body, context, "")
        if data_type == "alpr_alert":
            return self._alert(body, context)
        if data_type == "vehicle":
            parsed = ParsedPayload(adapter=self.key, context=context, kind="ignored")
            parsed.notes.append("a vehicle without a readable plate: acknowledged, not a read")
            return parsed
        if data_type == "heartbeat":
            return self._heartbeat(body, context)
        raise UnknownFormat("data_type", f"{data_type!r} is not one of {', '.join(DATA_TYPES)}")

    # -- one frame: alpr_results, and the open-source alprd's results --------------------------------------------
    def _results(self, body: dict[str, Any], context: IngestContext) -> ParsedPayload:
        parsed = ParsedPayload(adapter=self.key, context=context)
        camera = context.resolve(body.get("camera_id"))
        results = body.get("results")
        if not isinstance(results, list):
            raise PayloadError("results", "is missing or not a list")
        frame_time = body.get("epoch_time")
        uuid = body.get("uuid")
        country = _country(body, camera)
        for index, result in enumerate(results):
            path = f"results[{index}]"
            try:
                if not isinstance(result, dict):
                    raise PayloadError(path, "is not an object")
                time_value = result.get("epoch_time", frame_time)
                if time_value is None:
                    raise PayloadError("epoch_time", "is missing")
                extras = ReadExtras(other=_kept(body))
                region, raw_region = source_region(result.get("region"), country)
                if raw_region is not None:
                    extras.other["region_raw"] = raw_region
                if uuid:
                    extras.source_uuids = (str(uuid),)
                for name in ("coordinates", "vehicle_region", "region_confidence"):
                    if result.get(name) is not None:
                        extras.other[name] = result[name]
                lat, lon = _position(body, camera, extras)
                plate_index = result.get("plate_index", index)
                read = NewRead(
                    plate_raw=plate_text(result.get("plate"), f"{path}.plate"),
                    observed_ms=epoch_to_ms(
                        time_value, f"{path}.epoch_time" if "epoch_time" in result else "epoch_time"
                    ),
                    camera_id=camera.id,
                    confidence=percent(result.get("confidence", 0), f"{path}.confidence"),
                    region=region,
                    lat=lat,
                    lon=lon,
                    source_id=make_source_id("openalpr", uuid, plate_index) if uuid else None,
                    candidates=candidates(
                        result.get("candidates"), f"{path}.candidates", score_key="confidence", scale=1.0
                    ),
                )
            except PayloadError as error:
                parsed.refused.append(Refusal(index, error.field, error.reason))
                continue
            position = parsed.add(read, index, extras)
            _image(parsed, position, "crop", f"{path}.plate_crop_jpeg", result.get("plate_crop_jpeg"))
        if not parsed.reads and not parsed.refused:
            parsed.notes.append("a frame with no plates")
        return parsed

    # -- one pass: alpr_group ---------------------------------------------------------------------------------------
    def _group(self, group: dict[str, Any], context: IngestContext, path: str) -> ParsedPayload:
        parsed = ParsedPayload(adapter=self.key, context=context)
        camera = context.resolve(group.get("camera_id"), f"{path}camera_id")
        best = group.get("best_plate")
        if best is not None and not isinstance(best, dict):
            raise PayloadError(f"{path}best_plate", "is not an object")
        best = best or {}
        plate = group.get("best_plate_number") or best.get("plate")
        confidence = group.get("best_confidence", best.get("confidence", 0))
        extras = ReadExtras(
            vehicle=_vehicle(group.get("vehicle")),
            travel_direction=optional_number(group.get("travel_direction"), f"{path}travel_direction"),
            is_parked=group.get("is_parked") if isinstance(group.get("is_parked"), bool) else None,
            source_group_id=group.get("best_uuid"),
            source_uuids=tuple(str(u) for u in group.get("uuids") or ()),
            other=_kept(group),
        )
        region_text = group.get("best_region") or best.get("region")
        region, raw_region = source_region(region_text, _country(group, camera))
        if raw_region is not None:
            extras.other["region_raw"] = raw_region
        for name in ("coordinates", "vehicle_region"):
            if best.get(name) is not None:
                extras.other[name] = best[name]
        for name in ("best_region_confidence", "frame_start", "frame_end", "plate_indexes"):
            if group.get(name) is not None:
                extras.other[name] = group[name]
        lat, lon = _position(group, camera, extras)
        start = group.get("epoch_start", group.get("epoch_time"))
        if start is None:
            raise PayloadError(f"{path}epoch_start", "is missing")
        observed = epoch_to_ms(start, f"{path}epoch_start")
        plate_raw = plate_text(plate, f"{path}best_plate_number")
        sender = group.get("agent_uid") or group.get("site_id") or group.get("company_id") or "agent"
        top = group.get("candidates")
        read = NewRead(
            plate_raw=plate_raw,
            observed_ms=observed,
            camera_id=camera.id,
            confidence=percent(confidence, f"{path}best_confidence"),
            region=region,
            lat=lat,
            lon=lon,
            # The group's first frame and its plate: a preview and the final group of one pass, or the group
            # inside an alert, are one read unless the plate changed.
            source_id=make_source_id("openalpr-group", sender, group.get("camera_id"), observed, plate_raw),
            candidates=candidates(
                top if top is not None else best.get("candidates"),
                f"{path}candidates" if top is not None else f"{path}best_plate.candidates",
                score_key="confidence",
                scale=1.0,
            ),
        )
        position = parsed.add(read, 0, extras)
        _image(parsed, position, "crop", f"{path}best_plate.plate_crop_jpeg", best.get("plate_crop_jpeg"))
        _image(parsed, position, "vehicle", f"{path}vehicle_crop_jpeg", group.get("vehicle_crop_jpeg"))
        _image(parsed, position, "overview", f"{path}overview_jpeg", group.get("overview_jpeg"))
        return parsed

    def _alert(self, body: dict[str, Any], context: IngestContext) -> ParsedPayload:
        group = body.get("group")
        if not isinstance(group, dict):
            raise PayloadError("group", "is missing: an alpr_alert carries the alpr_group that matched")
        group = dict(group)
        if group.get("camera_id") is None and body.get("camera_number") is not None:
            group["camera_id"] = body["camera_number"]
        if group.get("epoch_start") is None and body.get("epoch_time") is not None:
            group["epoch_start"] = body["epoch_time"]
        if not group.get("best_plate_number") and body.get("plate_number"):
            group["best_plate_number"] = body["plate_number"]
        parsed = self._group(group, context, "group.")
        alert = {
            name: body[name]
            for name in ("alert_list", "alert_list_id", "list_type", "description", "site_name", "camera_name")
            if body.get(name) not in (None, "")
        }
        for extras in parsed.extras.values():
            extras.other["source_alert"] = alert
        if not parsed.extras and parsed.reads:
            parsed.extras[0] = ReadExtras(other={"source_alert": alert})
        return parsed

    # -- liveness ---------------------------------------------------------------------------------------------------
    def _heartbeat(self, body: dict[str, Any], context: IngestContext) -> ParsedPayload:
        parsed = ParsedPayload(adapter=self.key, context=context, kind="heartbeat")
        sent = body.get("timestamp")
        sent_ms = epoch_to_ms(sent, "timestamp") if sent is not None else context.received_ms
        agent = _kept(body)
        for name in ("agent_hostname", "license_valid", "recording_enabled", "cpu_usage_percent"):
            if body.get(name) is not None:
                agent[name] = body[name]
        streams = body.get("video_streams") or []
        if not isinstance(streams, list):
            raise PayloadError("video_streams", "is not a list")
        seen: set[str] = set()
        for index, stream in enumerate(streams):
            if not isinstance(stream, dict):
                raise PayloadError(f"video_streams[{index}]", "is not an object")
            try:
                camera = context.resolve(stream.get("camera_id"), f"video_streams[{index}].camera_id")
            except PayloadError as error:
                parsed.notes.append(error.reason)
                continue
            last = stream.get("last_update")
            detail = {k: stream[k] for k in ("camera_id", "camera_name", "is_streaming", "fps") if k in stream}
            if stream.get("gps_latitude") is not None:
                detail["gps"] = [stream.get("gps_latitude"), stream.get("gps_longitude")]
            detail["agent"] = agent
            seen_ms = epoch_to_ms(last, f"video_streams[{index}].last_update") if last else sent_ms
            parsed.liveness.append(Liveness(camera.id, seen_ms, detail))
            seen.add(camera.id)
        if not seen and context.camera is not None:
            parsed.liveness.append(Liveness(context.camera.id, sent_ms, {"agent": agent}))
        return parsed

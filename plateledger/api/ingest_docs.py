"""OpenAPI request bodies of the ingest routes: schemas and examples of each source format.

The routes read the raw body (a dead letter keeps it exactly as sent), so FastAPI cannot derive these from
a parameter: they are written here, from the adapters' own schemas where there is one (the native NativeRead).
"""

from __future__ import annotations

import copy
from typing import Any

from plateledger.ingest.adapters.native import MAX_BATCH, READ_SCHEMA

JPEG_B64 = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIs..."


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A pydantic JSON schema with its $defs put in place (the OpenAPI components do not hold them)."""
    definitions = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/$defs/"):
                return walk(copy.deepcopy(definitions[reference.removeprefix("#/$defs/")]))
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(schema)  # type: ignore[no-any-return]


NATIVE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "NativeBatch",
    "required": ["reads"],
    "additionalProperties": False,
    "properties": {
        "reads": {
            "type": "array",
            "maxItems": MAX_BATCH,
            "description": f"The reads, {MAX_BATCH:,} at most a batch. Each is checked on its own.",
            "items": _inline(READ_SCHEMA.json_schema()),
        }
    },
}
NATIVE_EXAMPLE = {
    "reads": [
        {
            "plate": "7ABC123",
            "observed_at": "2024-06-01T08:15:00.250-07:00",
            "camera_id": "patrol-7",
            "confidence": 87.5,
            "region": "us-ca",
            "lat": 36.1699,
            "lon": -115.1398,
            "heading": 271.5,
            "source_id": "unit7-000123",
            "candidates": [{"plate": "7ABC1Z3", "confidence": 60}],
            "crop_jpeg_b64": JPEG_B64,
        }
    ]
}
OPENALPR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "OpenAlprPost",
    "description": "Any documented OpenALPR Agent / Rekor Scout post; dispatched on `data_type`.",
    "properties": {
        "data_type": {"type": "string", "enum": ["alpr_group", "alpr_results", "alpr_alert", "vehicle", "heartbeat"]},
        "camera_id": {"type": "integer", "description": "the agent's camera number (mapped to ours)"},
        "best_plate_number": {"type": "string"},
        "best_confidence": {"type": "number"},
        "best_region": {"type": "string", "example": "us-ca"},
        "epoch_start": {"type": "integer", "description": "epoch milliseconds"},
        "gps_latitude": {"type": "number"},
        "gps_longitude": {"type": "number"},
        "best_plate": {"type": "object", "properties": {"plate_crop_jpeg": {"type": "string", "format": "byte"}}},
        "results": {"type": "array", "items": {"type": "object"}, "description": "alpr_results: one per plate"},
    },
    "additionalProperties": True,
}
OPENALPR_EXAMPLE = {
    "version": 2,
    "data_type": "alpr_group",
    "epoch_start": 1717254900250,
    "epoch_end": 1717254901150,
    "agent_uid": "agent-0a1b2c",
    "camera_id": 1234,
    "best_plate_number": "7ABC123",
    "best_confidence": 91.5,
    "best_region": "us-ca",
    "candidates": [{"plate": "7ABC123", "confidence": 91.5}, {"plate": "7A8C123", "confidence": 80.2}],
    "vehicle": {"color": [{"name": "silver-gray", "confidence": 40.2}]},
    "best_plate": {"plate": "7ABC123", "confidence": 91.5, "region": "us-ca", "plate_crop_jpeg": JPEG_B64},
}
PLATERECOGNIZER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "PlateRecognizerWebhook",
    "properties": {
        "hook": {"type": "object", "properties": {"event": {"type": "string", "enum": ["recognition", "image.done"]}}},
        "data": {
            "type": "object",
            "properties": {
                "camera_id": {"type": "string"},
                "timestamp": {"type": "string", "format": "date-time"},
                "results": {"type": "array", "items": {"type": "object"}},
            },
        },
    },
    "additionalProperties": True,
}
PLATERECOGNIZER_EXAMPLE = {
    "hook": {"target": "https://records.example.gov/api/v1/ingest/platerecognizer", "id": "camera-1"},
    "data": {
        "camera_id": "camera-1",
        "timestamp": "2024-06-01T15:15:00.250Z",
        "filename": "camera-1_screenshots/24-06-01/15-15-00.250.jpg",
        "results": [
            {
                "plate": "7abc123",
                "score": 0.904,
                "dscore": 0.82,
                "region": {"code": "us-ca", "score": 0.86},
                "candidates": [{"plate": "7abc123", "score": 0.904}, {"plate": "7abc12", "score": 0.71}],
                "vehicle": {"type": "Sedan", "score": 0.74},
            }
        ],
    },
}


def body_docs(adapter: str) -> dict[str, Any]:
    """The `openapi_extra` of an ingest route: its request body, documented."""
    if adapter == "native":
        content = {"application/json": {"schema": NATIVE_SCHEMA, "example": NATIVE_EXAMPLE}}
    elif adapter == "openalpr":
        content = {"application/json": {"schema": OPENALPR_SCHEMA, "example": OPENALPR_EXAMPLE}}
    else:
        content = {
            "application/json": {"schema": PLATERECOGNIZER_SCHEMA, "example": PLATERECOGNIZER_EXAMPLE},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["json"],
                    "properties": {
                        "json": {"type": "string", "description": "the webhook JSON, as in application/json"},
                        "upload": {"type": "string", "format": "binary", "description": "the frame (JPEG)"},
                    },
                }
            },
        }
    return {"requestBody": {"required": True, "content": content}}

"""Ingest: source formats in, durable reads out.

adapters/ (one module per source format, `@register_adapter("key")`) -> ParsedPayload -> pipeline.ingest
-> store, images, extras, liveness, hot-list hook. Payloads that cannot be parsed become dead letters.
The API routes call `Ingestor.receive` / `Ingestor.receive_form` (service.py); see docs/ingest.md.
"""

from plateledger.ingest.model import (
    Attribute,
    BatchTooLarge,
    CameraInfo,
    IngestContext,
    Liveness,
    ParsedPayload,
    PayloadError,
    PendingImage,
    ReadExtras,
    UnknownFormat,
)
from plateledger.ingest.pipeline import IngestOutcome, StoredItem, ingest, no_hotlists
from plateledger.ingest.registry import adapter_keys, get_adapter, register_adapter
from plateledger.ingest.service import ROUTES, Ingestor, Rejected, camera_info, context_for_camera

__all__ = [
    "ROUTES",
    "Attribute",
    "BatchTooLarge",
    "CameraInfo",
    "IngestContext",
    "IngestOutcome",
    "Ingestor",
    "Liveness",
    "ParsedPayload",
    "PayloadError",
    "PendingImage",
    "ReadExtras",
    "Rejected",
    "StoredItem",
    "UnknownFormat",
    "adapter_keys",
    "camera_info",
    "context_for_camera",
    "get_adapter",
    "ingest",
    "no_hotlists",
    "register_adapter",
]

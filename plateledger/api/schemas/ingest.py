"""Ingest answers and key bindings, for the OpenAPI document (the routes answer the ingest outcome as is)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from plateledger.api.schemas.base import ApiModel


class ImageOutcome(ApiModel):
    kind: Literal["crop", "vehicle", "overview"]
    field: str = Field(description="where the image was in the payload")
    status: Literal["stored", "refused"]
    sha256: str | None = None
    format: str | None = None
    reason: str | None = Field(None, description="why it was refused (not a JPEG or PNG, too large ...)")


class ItemOutcome(ApiModel):
    index: int = Field(description="the item's index in the payload")
    status: Literal["stored", "duplicate", "refused"]
    id: int | None = Field(None, description="the read's id (stored now, or stored before for a duplicate)")
    field: str | None = Field(None, description="the field at fault, for a refused item")
    reason: str | None = None
    images: list[ImageOutcome] = Field(default_factory=list)


class IngestOut(ApiModel):
    adapter: str
    kind: Literal["reads", "heartbeat", "ignored"]
    stored: int
    duplicates: int
    refused: int
    images_stored: int
    images_refused: int
    items: list[ItemOutcome]
    liveness: int | None = Field(None, description="cameras whose heartbeat was recorded")
    notes: list[str] | None = Field(None, description="why a payload was ignored, what was left out")


class BindingIn(ApiModel):
    cameras: list[str] = Field(
        default_factory=list, max_length=1000, description="our camera ids the key may post for; empty: any"
    )
    default_camera: str | None = Field(None, max_length=100, description="the camera of payloads that name none")
    sources: dict[str, str] = Field(
        default_factory=dict, description="the sender's camera names or numbers -> our camera ids (agents)"
    )


class BindingOut(BindingIn):
    key_id: str
    agency_id: str


class ImageOut(ApiModel):
    kind: Literal["crop", "vehicle", "overview"]
    sha256: str
    format: str
    width: int
    height: int
    bytes: int
    url: str = Field(description="GET it with the same purpose and case")

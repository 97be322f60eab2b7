"""The alert API's bodies and answers (`/api/v1/alerts`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictBool

from plateledger.api.schemas.base import ApiModel


class VerifyIn(ApiModel):
    """Both confirmations, explicitly true; a missing or false one is refused with 422 naming it."""

    image_compared: StrictBool | None = Field(None, description="I compared the plate image with the entry")
    confirmed_with_source: StrictBool | None = Field(
        None, description="the entry was confirmed valid with its source (e.g. an NCIC/state query)"
    )
    note: str | None = Field(None, max_length=2000)


class RejectIn(ApiModel):
    reason: Literal["misread", "wrong_region", "stale_entry", "no_longer_wanted"]
    note: str | None = Field(None, max_length=2000)


class DutyIn(ApiModel):
    on_duty: StrictBool


class DutyOut(ApiModel):
    username: str
    on_duty: bool
    streaming: bool
    toggle: bool | None


class AlertOut(ApiModel):
    id: int
    agency_id: str
    list_id: str
    entry_id: int
    camera_id: str
    read_id: int
    last_read_id: int
    match_type: Literal["exact", "region_mismatch", "near"]
    match_label: str
    message: str = Field(description="how the read matched, in words, and what to check before acting")
    stale: bool
    stale_notice: str | None = None
    status: Literal["new", "acknowledged", "verified", "rejected"]
    rejection: str | None
    disposition: str
    count: int = Field(description="reads collapsed into this alert (same entry and camera within minutes)")
    first_seen_at: str | None
    last_seen_at: str | None
    created_at: str | None
    updated_at: str | None
    read: dict[str, Any]
    entry: dict[str, Any]
    images: list[dict[str, Any]] = Field(default_factory=list, description="the read's crop and overview")
    history: list[dict[str, Any]] | None = None


class DeliveryOut(ApiModel):
    id: int
    alert_id: int
    agency_id: str
    channel: str
    target: dict[str, Any]
    status: Literal["pending", "delivered", "retrying", "failed"]
    attempts: int
    last_error: str | None
    created_at: str | None
    updated_at: str | None
    next_attempt_at: str | None
    delivered_at: str | None


class DispositionCount(ApiModel):
    agency_id: str
    match_type: str
    disposition: str
    count: int

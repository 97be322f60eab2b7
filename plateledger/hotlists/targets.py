"""Delivery targets, configured per list and per entry: where an alert goes besides the on-duty browsers.

Each kind is a small typed model picked by its `type` (a discriminated union). Secrets (webhook keys, passwords
inside apprise URLs, MQTT passwords) are kept in the hot-list database and never shown back: `masked()` is
what the API answers and the delivery log records.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, TypeAdapter, field_validator

from plateledger.config import PlateLedgerBaseModel

_PASSWORD_IN_URL = re.compile(r"(//[^:/@]+:)[^@/]+@")


def mask_url(url: str) -> str:
    """A URL with the password in its user part, if any, replaced by ***."""
    return _PASSWORD_IN_URL.sub(r"\1***@", url)


class AppriseTarget(PlateLedgerBaseModel):
    """Email, SMS or any other apprise service: `mailto://`, `mailtos://`, `twilio://` ..."""

    type: Literal["apprise"] = Field(title="Kind", description="`apprise`: email, SMS and other notification services.")
    url: str = Field(
        title="Apprise URL",
        description="e.g. mailtos://user:pass@smtp.example.org?to=duty@agency.example, twilio://SID:token@+15551230000/+15559870000",
        min_length=4,
        max_length=2000,
    )
    label: str = Field(
        "", title="Label", description="A name for people (e.g. 'watch commander email').", max_length=120
    )

    @field_validator("url")
    @classmethod
    def _has_scheme(cls, url: str) -> str:
        if "://" not in url:
            raise ValueError("an apprise URL looks like scheme://... (e.g. mailto://, twilio://)")
        return url

    def masked(self) -> dict[str, Any]:
        return {"type": self.type, "url": mask_url(self.url), "label": self.label}


class WebhookTarget(PlateLedgerBaseModel):
    """An HTTP POST of the alert as JSON, signed with HMAC-SHA256 over `<timestamp>.<body>`."""

    type: Literal["webhook"] = Field(title="Kind", description="`webhook`: a signed HTTP POST.")
    url: str = Field(title="URL", description="http(s) URL the alert is posted to.", min_length=8, max_length=2000)
    secret: str = Field(
        title="Signing secret", description="Shared HMAC-SHA256 key (16+ characters).", min_length=16, max_length=256
    )
    label: str = Field("", title="Label", description="A name for people.", max_length=120)

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL")
        return url

    def masked(self) -> dict[str, Any]:
        return {"type": self.type, "url": self.url, "secret": "***", "label": self.label}


class MqttTarget(PlateLedgerBaseModel):
    """A JSON message published on an MQTT topic (QoS 1)."""

    type: Literal["mqtt"] = Field(title="Kind", description="`mqtt`: publish to a broker.")
    host: str = Field(title="Broker host", description="MQTT broker address.", min_length=1, max_length=255)
    port: int = Field(1883, title="Broker port", description="MQTT broker port.", ge=1, le=65535)
    topic: str = Field(title="Topic", description="Topic the alert is published on.", min_length=1, max_length=255)
    username: str | None = Field(None, title="User", description="Broker user, if it asks for one.", max_length=255)
    password: str | None = Field(None, title="Password", description="Broker password.", max_length=255)
    label: str = Field("", title="Label", description="A name for people.", max_length=120)

    @field_validator("topic")
    @classmethod
    def _no_wildcards(cls, topic: str) -> str:
        if "#" in topic or "+" in topic:
            raise ValueError("a topic to publish on has no wildcards (# or +)")
        return topic

    def masked(self) -> dict[str, Any]:
        shown = self.model_dump()
        if shown["password"] is not None:
            shown["password"] = "***"
        return shown


Target = Annotated[AppriseTarget | WebhookTarget | MqttTarget, Field(discriminator="type")]
TARGETS: TypeAdapter[list[Target]] = TypeAdapter(list[Target])
MAX_TARGETS = 10


def parse_targets(raw: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> list[Target]:
    """Typed targets from their stored JSON (raises pydantic's ValidationError on a bad one)."""
    if len(raw) > MAX_TARGETS:
        raise ValueError(f"at most {MAX_TARGETS} delivery targets")
    return TARGETS.validate_python(list(raw))


def masked(raw: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    return [target.masked() for target in parse_targets(raw)]

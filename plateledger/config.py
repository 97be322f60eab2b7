"""Settings: one typed model, loaded once from `PLATELEDGER_*` environment variables and command-line flags.

`load_settings()` is the only place that reads the environment. Validators never touch global state. A
`PLATELEDGER_*` variable that names no setting is logged as a warning, not refused: other commands read
variables of their own under the same prefix (e.g. PLATELEDGER_MQTT_PASSWORD), but a typo should not pass
unnoticed.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

log = logging.getLogger(__name__)
ENV_PREFIX = "PLATELEDGER_"
DEFAULT_BANNER = (
    "This system holds law-enforcement records. It is for authorised use only, for a stated purpose and case. "
    "Every search and every view is recorded in a tamper-evident ledger that supervisors, auditors and the "
    "public may review."
)


class PlateLedgerBaseModel(BaseModel):
    """The base of every configuration and API model: unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid")


class Settings(PlateLedgerBaseModel):
    """Everything an operator can set. Each field maps to the variable `PLATELEDGER_<NAME>`."""

    data_dir: Path = Field(
        Path("data"),
        title="Data directory",
        description="Folder holding reads.db (the read store), access.db (users, sessions, policies) and audit.db.",
    )
    reads_dsn: str | None = Field(
        None,
        title="PostgreSQL read store",
        description="A PostgreSQL connection string (postgresql://user@host/db) for the read store; unset: the "
        "embedded SQLite store DIR/reads.db.",
    )
    reads_schema: str | None = Field(
        None,
        title="PostgreSQL schema",
        description="The schema the PostgreSQL read store lives in (created if missing); unset: the server's "
        "search path.",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
    )
    banner: str = Field(
        DEFAULT_BANNER,
        title="Use banner",
        description="Text every user must acknowledge at login (GET /api/v1/banner; banner_ack in the login body).",
        min_length=1,
        max_length=4000,
    )
    session_idle_seconds: int = Field(
        1800, title="Session idle limit", description="A session unused this long ends (seconds).", ge=1
    )
    session_absolute_seconds: int = Field(
        43200, title="Session absolute limit", description="A session ends this long after login (seconds).", ge=1
    )
    lockout_failures: int = Field(
        5, title="Lockout threshold", description="Failed logins within the lockout window that lock an account.", ge=1
    )
    lockout_window_seconds: int = Field(
        900, title="Lockout window", description="The window (seconds) in which failed logins are counted.", ge=1
    )
    max_body_bytes: int = Field(
        1_048_576,
        title="Request body limit",
        description="Bodies larger than this are refused with 413 before they are parsed (bytes).",
        ge=1024,
    )
    approval_lifetime_seconds: int = Field(
        86400,
        title="Approval lifetime",
        description="How long a pending approval request, and a granted approval after its grant, stay valid.",
        ge=1,
    )
    default_lookback_days: int = Field(
        90,
        title="Default lookback",
        description="Maximum age of reads a search may reach, for agencies whose policy does not set one (days).",
        ge=1,
        le=3650,
    )
    password_min_length: int = Field(
        12, title="Minimum password length", description="Passwords shorter than this are refused.", ge=12, le=256
    )
    argon2_time_cost: int = Field(
        3, title="Argon2 time cost", description="Argon2id iterations (RFC 9106 low-memory profile: 3).", ge=1
    )
    argon2_memory_kib: int = Field(
        65536, title="Argon2 memory", description="Argon2id memory per hash in KiB (RFC 9106 profile: 64 MiB).", ge=8
    )
    argon2_parallelism: int = Field(
        4, title="Argon2 parallelism", description="Argon2id lanes (RFC 9106 profile: 4).", ge=1, le=64
    )
    totp_issuer: str = Field(
        "plateledger",
        title="TOTP issuer",
        description="The issuer name authenticator apps show next to the account.",
        min_length=1,
        max_length=64,
    )
    # -- ingest (docs/ingest.md) ------------------------------------------------------------------------------------
    ingest_max_body_bytes: int = Field(
        33_554_432,
        title="Ingest body limit",
        description="Largest body the ingest routes accept (bytes): a native batch of 10,000 reads with images "
        "runs to tens of MiB. Larger bodies answer 413.",
        ge=1024,
    )
    ingest_group_commit: bool = Field(
        True,
        title="Ingest group commit",
        description="Concurrent ingest requests share one durable transaction (each is still answered only "
        "after its commit). Off: one transaction per request.",
    )
    frigate_mqtt_host: str | None = Field(
        None,
        title="Frigate MQTT broker",
        description="Host of the MQTT broker Frigate publishes to; when set, `plateledger serve` subscribes to "
        "Frigate's plate events. Unset: off.",
    )
    frigate_mqtt_port: int = Field(
        1883, title="Frigate MQTT port", description="Port of the MQTT broker.", ge=1, le=65535
    )
    frigate_mqtt_username: str | None = Field(
        None, title="Frigate MQTT user", description="User name on the MQTT broker, when it asks for one."
    )
    frigate_mqtt_password: SecretStr | None = Field(
        None, title="Frigate MQTT password", description="Password on the MQTT broker (never shown or logged)."
    )
    frigate_topic_prefix: str = Field(
        "frigate", title="Frigate topic prefix", description="Frigate's MQTT topic prefix.", min_length=1
    )
    frigate_camera_map: dict[str, str] = Field(
        default_factory=dict,
        title="Frigate camera map",
        description='Frigate camera name -> our camera id, as JSON (e.g. {"driveway_cam": "gate-1"}).',
    )

    @field_validator("frigate_camera_map", mode="before")
    @classmethod
    def _json_map(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as error:
                raise ValueError(f"is not a JSON object ({error.msg})") from None
        return value

    # -- hot lists and alerts (docs/alerts.md) ------------------------------------------------------------------------
    feed_freshness_hours: float = Field(
        24.0,
        title="Feed freshness limit",
        description="Alerts from a hot-list feed not refreshed within this many hours are STALE and cannot be "
        "verified (a list may set its own limit).",
        gt=0,
        le=8760,
    )
    feed_check_seconds: int = Field(
        60,
        title="Feed schedule check",
        description="How often the server looks for feeds due for a scheduled refresh (seconds; 0: never).",
        ge=0,
    )
    hotlist_follow_seconds: float = Field(
        1.0,
        title="Hot-list follow interval",
        description="How often the server looks for hot-list changes made by another process, such as "
        "`plateledger hotlists import` beside it, and puts them into its index (seconds; 0: never).",
        ge=0,
        le=3600,
    )
    alert_follow_seconds: float = Field(
        0.25,
        title="Alert follow interval",
        description="How often the server publishes to its live alert streams the alerts raised or moved by "
        "another process on the same data directory, such as `plateledger frigate` (seconds; 0: never).",
        ge=0,
        le=60,
    )
    alert_collapse_minutes: int = Field(
        10,
        title="Alert collapse window",
        description="Repeated hits of one entry at one camera within this many minutes raise one alert, counted.",
        ge=0,
        le=1440,
    )
    delivery_attempts: int = Field(
        5,
        title="Delivery attempts",
        description="Tries per alert delivery (email, SMS, webhook, MQTT) before it is recorded as failed.",
        ge=1,
        le=20,
    )
    delivery_backoff_seconds: float = Field(
        2.0,
        title="Delivery backoff",
        description="Wait before the first retry of a delivery; each further retry waits twice as long (seconds).",
        gt=0,
        le=3600,
    )
    delivery_workers: int = Field(
        4, title="Delivery workers", description="Threads sending alert deliveries.", ge=1, le=64
    )

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.session_idle_seconds > self.session_absolute_seconds:
            raise ValueError("session_idle_seconds cannot exceed session_absolute_seconds")
        if self.argon2_memory_kib < 8 * self.argon2_parallelism:
            raise ValueError("argon2_memory_kib must be at least 8 x argon2_parallelism")
        return self

    @property
    def reads_path(self) -> Path:
        return self.data_dir / "reads.db"

    @property
    def access_path(self) -> Path:
        return self.data_dir / "access.db"

    @property
    def audit_path(self) -> Path:
        return self.data_dir / "audit.db"

    @property
    def hotlists_path(self) -> Path:
        return self.data_dir / "hotlists.db"

    @property
    def ingest_path(self) -> Path:
        return self.data_dir / "ingest.db"

    @property
    def deadletters_path(self) -> Path:
        return self.data_dir / "deadletters.db"

    @property
    def images_path(self) -> Path:
        return self.data_dir / "images"


def settings_from_env(environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The `PLATELEDGER_*` variables that name settings, as field values; and the names of those that do not."""
    values: dict[str, str] = {}
    unknown: list[str] = []
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        field = name[len(ENV_PREFIX) :].lower()
        if field in Settings.model_fields:
            values[field] = value
        else:
            unknown.append(name)
    return values, sorted(unknown)


def _known() -> str:
    return ", ".join(ENV_PREFIX + key.upper() for key in Settings.model_fields)


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment, then `overrides` (command-line flags; None values are left out)."""
    found, unknown = settings_from_env(os.environ if environ is None else environ)
    for name in unknown:
        log.warning("%s names no plateledger setting: ignored by the server (known: %s)", name, _known())
    values: dict[str, Any] = dict(found)
    values.update({key: value for key, value in (overrides or {}).items() if value is not None})
    return Settings.model_validate(values)

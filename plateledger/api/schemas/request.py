"""Request bodies. Searches are a discriminated union on `kind`; areas on their shape."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Discriminator, Field, Tag, field_validator, model_validator

from plateledger.access.principal import Role, Scope
from plateledger.api.schemas.base import ApiModel
from plateledger.policy.agency_policy import AgencyPolicy
from plateledger.store.contract import AgencyKind, CameraKind

Text64 = Annotated[str, Field(min_length=1, max_length=64)]
Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,31}$", description="lower-case id, 2-32 chars")]


class LoginRequest(ApiModel):
    username: Text64
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    totp: Annotated[str, Field(min_length=1, max_length=16, description="the 6-digit code of the authenticator")]
    banner_ack: bool = Field(description="true: the user has read and accepts the use banner (GET /api/v1/banner)")

    @field_validator("banner_ack")
    @classmethod
    def _acknowledged(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("the use banner must be acknowledged (banner_ack: true)")
        return value


class Window(ApiModel):
    start: AwareDatetime = Field(description="ISO-8601 with a time zone, e.g. 2024-05-01T00:00:00Z")
    end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError("the window ends before it starts")
        return self

    @field_validator("start", "end")
    @classmethod
    def _in_range(cls, value: datetime) -> datetime:
        if not 1970 <= value.year <= 9000:
            raise ValueError("must be between the years 1970 and 9000")
        return value


class CircleArea(ApiModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: float = Field(gt=0, le=50_000)


class Point(ApiModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class PolygonArea(ApiModel):
    points: list[Point] = Field(min_length=3, max_length=100, description="vertices, not closed")


def _shape(value: Any) -> str | None:
    if isinstance(value, dict):
        return "shape:polygon" if "points" in value else "shape:circle"
    return "shape:polygon" if isinstance(value, PolygonArea) else "shape:circle"


AreaShape = Annotated[
    Annotated[CircleArea, Tag("shape:circle")] | Annotated[PolygonArea, Tag("shape:polygon")],
    Discriminator(_shape),
]


class SearchBase(ApiModel):
    window: Window
    purpose: str | None = Field(None, max_length=64, description="a purpose code of the agency's policy")
    case_number: str | None = Field(None, max_length=64, description="must match the agency's case-number pattern")
    justification: str | None = Field(None, max_length=2000, description="required (20+ chars) for purpose 'other'")
    approval_id: str | None = Field(None, max_length=64, description="a granted approval for exactly this search")
    limit: int = Field(100, ge=1, le=1000)
    cursor: str | None = Field(None, max_length=200, description="next_cursor of the previous page")


class ExactSearch(SearchBase):
    kind: Literal["exact"]
    plate: str = Field(min_length=1, max_length=20)
    region: str | None = Field(None, max_length=10, description="ISO 3166-2, e.g. US-CA")


class NearSearch(SearchBase):
    kind: Literal["near"]
    plate: str = Field(min_length=1, max_length=20)


class WildcardSearch(SearchBase):
    kind: Literal["wildcard"]
    pattern: str = Field(min_length=1, max_length=20, description="'?' one character, '*' any run")


class AreaSearch(SearchBase):
    kind: Literal["area"]
    area: AreaShape


KINDS = ("exact", "near", "wildcard", "area")


def _kind(value: Any) -> str | None:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return f"kind:{kind}" if isinstance(kind, str) and kind in KINDS else None


SearchRequest = Annotated[
    Annotated[ExactSearch, Tag("kind:exact")]
    | Annotated[NearSearch, Tag("kind:near")]
    | Annotated[WildcardSearch, Tag("kind:wildcard")]
    | Annotated[AreaSearch, Tag("kind:area")],
    Discriminator(
        _kind,
        custom_error_type="invalid_kind",
        custom_error_message=f"kind must be one of {', '.join(KINDS)}",
        custom_error_context={"field": "kind"},
    ),
]


class ApprovalDecision(ApiModel):
    note: str | None = Field(None, max_length=500, description="why, in words (kept in the ledger)")


class PolicyBody(ApiModel, AgencyPolicy):
    """An agency policy as a request body (the policy's own rules, plus the API's input checks)."""

    def to_policy(self) -> AgencyPolicy:
        return AgencyPolicy.model_validate(self.model_dump())


class AgencyCreate(ApiModel):
    id: Identifier
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: AgencyKind
    jurisdiction: Annotated[str, Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$", description="ISO 3166-2, e.g. US-CA")]
    policy: PolicyBody | None = None


class UserCreate(ApiModel):
    username: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")]
    role: Role


class RoleChange(ApiModel):
    role: Role


class ApiKeyCreate(ApiModel):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    scopes: list[Scope] = Field(default_factory=lambda: ["ingest"], max_length=4)


class CameraCreate(ApiModel):
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    kind: CameraKind
    description: str = Field("", max_length=500)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    heading: float | None = Field(None, ge=0, lt=360)

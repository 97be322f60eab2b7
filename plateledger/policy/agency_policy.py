"""An agency's access policy: purpose codes, case-number pattern, lookback cap, which searches need approval."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from plateledger.config import PlateLedgerBaseModel

SearchKind = Literal["exact", "near", "wildcard", "area"]
SEARCH_KINDS: tuple[SearchKind, ...] = ("exact", "near", "wildcard", "area")
OTHER = "other"
MIN_JUSTIFICATION = 20

PURPOSES: dict[str, str] = {
    "stolen_vehicle": "a vehicle reported stolen, or its plates",
    "amber_missing_person": "an AMBER alert or a missing or endangered person",
    "violent_felony": "the investigation of a violent felony",
    "property_crime": "the investigation of a property crime",
    "hit_and_run": "a hit-and-run collision",
    OTHER: f"anything else, with a written justification of at least {MIN_JUSTIFICATION} characters",
}
DEFAULT_PURPOSES = ("stolen_vehicle", "amber_missing_person", "violent_felony", "property_crime", OTHER)
DEFAULT_CASE_PATTERN = r"[0-9]{2}-[0-9]{6}"

# A group with a quantifier inside that is itself quantified, like (a+)+: catastrophic backtracking.
_NESTED_QUANTIFIER = re.compile(r"\([^()]*[*+}][^()]*\)\s*[*+{]")

PurposeCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


class AgencyPolicy(PlateLedgerBaseModel):
    """What every search by the agency's users must satisfy. Changing it is audited (policy_changed)."""

    purposes: list[PurposeCode] = Field(
        default_factory=lambda: list(DEFAULT_PURPOSES),
        title="Purpose codes",
        description=f"The purposes a search may state; '{OTHER}' also needs a written justification.",
        min_length=1,
        max_length=50,
    )
    case_number_pattern: str = Field(
        DEFAULT_CASE_PATTERN,
        title="Case-number pattern",
        description="A regular expression the whole case number must match (e.g. 24-000123).",
        min_length=1,
        max_length=200,
    )
    max_lookback_days: int = Field(
        90, title="Lookback cap", description="How far back (days) a search may reach.", ge=1, le=3650
    )
    approval_kinds: list[SearchKind] = Field(
        default_factory=lambda: ["wildcard", "area"],
        title="Kinds needing approval",
        description="Search kinds that need a supervisor's approval.",
        max_length=4,
    )
    approval_window_days: int = Field(
        365,
        title="Window needing approval",
        description="A search whose time window is longer than this (days) needs a supervisor's approval.",
        ge=1,
        le=3650,
    )

    @field_validator("purposes")
    @classmethod
    def _unique_purposes(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("purpose codes must be unique")
        return value

    @field_validator("approval_kinds")
    @classmethod
    def _unique_kinds(cls, value: list[str]) -> list[str]:
        return sorted(set(value), key=SEARCH_KINDS.index)

    @field_validator("case_number_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"not a valid regular expression: {error}") from None
        if _NESTED_QUANTIFIER.search(value):
            raise ValueError("nested quantifiers such as (a+)+ are refused: they can take exponential time")
        return value

    def case_number_matches(self, case_number: str) -> bool:
        return re.fullmatch(self.case_number_pattern, case_number) is not None

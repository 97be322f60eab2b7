"""The gate's rules, one small function each: a Decision with the reason, never an exception."""

from __future__ import annotations

from plateledger.policy.agency_policy import MIN_JUSTIFICATION, OTHER, PURPOSES, AgencyPolicy
from plateledger.policy.decision import Decision

DAY_MS = 86_400_000


def check_purpose(policy: AgencyPolicy, purpose: str | None) -> Decision:
    if not purpose:
        return Decision.deny(
            f"a purpose is required: one of {', '.join(policy.purposes)}", "purpose_required", 422, "purpose"
        )
    if purpose not in policy.purposes:
        return Decision.deny(
            f"purpose {purpose!r} is not one of this agency's: {', '.join(policy.purposes)}",
            "purpose_invalid",
            422,
            "purpose",
        )
    return Decision.allow(f"purpose {purpose}: {PURPOSES.get(purpose, 'an agency purpose')}")


def check_justification(purpose: str | None, justification: str | None) -> Decision:
    if purpose != OTHER:
        return Decision.allow("the purpose needs no written justification")
    if justification is None or len(justification.strip()) < MIN_JUSTIFICATION:
        return Decision.deny(
            f"purpose '{OTHER}' needs a written justification of at least {MIN_JUSTIFICATION} characters",
            "justification_required",
            422,
            "justification",
        )
    return Decision.allow("justification given")


def check_case_number(policy: AgencyPolicy, case_number: str | None) -> Decision:
    if not case_number:
        return Decision.deny("a case number is required", "case_number_required", 422, "case_number")
    if not policy.case_number_matches(case_number):
        return Decision.deny(
            f"case number {case_number!r} does not match the agency's pattern {policy.case_number_pattern}",
            "case_number_invalid",
            422,
            "case_number",
        )
    return Decision.allow("case number matches the agency's pattern")


def check_lookback(policy: AgencyPolicy, start_ms: int, now_ms: int, field: str = "window.start") -> Decision:
    """Nothing older than the agency's lookback cap may be reached."""
    oldest = now_ms - policy.max_lookback_days * DAY_MS
    if start_ms < oldest:
        days = (now_ms - start_ms) / DAY_MS
        return Decision.deny(
            f"reaches {days:.1f} days back; the agency's lookback cap is {policy.max_lookback_days} days",
            "lookback_exceeded",
            403,
            field,
        )
    return Decision.allow(f"within the {policy.max_lookback_days}-day lookback cap")


def approval_reasons(policy: AgencyPolicy, kind: str, window_days: float) -> list[str]:
    """Why a search needs a supervisor's approval under the policy; empty when it does not."""
    reasons = []
    if kind in policy.approval_kinds:
        reasons.append(f"{kind} searches need approval")
    if window_days > policy.approval_window_days:
        reasons.append(f"windows over {policy.approval_window_days} days need approval")
    return reasons

"""The authorization table: one place, every action described, deny by default, searches only in the gate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from plateledger.access import ROLES, Principal
from plateledger.audit import ACTIONS as AUDIT_ACTIONS
from plateledger.policy import ACTIONS, authorize

PACKAGE = Path(__file__).resolve().parents[2] / "plateledger"


def user(role: str, agency: str = "alpha") -> Principal:
    return Principal(kind="user", name=f"{role}-x", agency_id=agency, role=role)  # type: ignore[arg-type]


def test_every_action_is_described_and_audited_under_a_registered_ledger_action() -> None:
    for name, rule in ACTIONS.items():
        assert rule.name == name and rule.description
        assert rule.audit is None or rule.audit in AUDIT_ACTIONS


def test_unknown_action_and_anonymous_are_denied() -> None:
    assert not authorize(user("system_admin"), "format_disk").allowed
    decision = authorize(None, "search")
    assert (decision.allowed, decision.status) == (False, 401)


@pytest.mark.parametrize("role", ["auditor", "agency_admin", "system_admin"])
def test_roles_that_cannot_search(role: str) -> None:
    for action in ("search", "read_view", "approval_request"):
        decision = authorize(user(role), action)
        assert not decision.allowed
        assert role in decision.reason


def test_every_decision_carries_a_reason() -> None:
    for action in ACTIONS:
        for role in ROLES:
            for agency in ("alpha", "bravo"):
                decision = authorize(user(role), action, agency)
                assert decision.reason, (action, role, agency)


def test_api_keys_act_only_by_scope_and_only_for_their_agency() -> None:
    key = Principal(kind="api_key", name="api_key:abc", agency_id="alpha", scopes=frozenset({"ingest"}))
    assert authorize(key, "reads_ingest").allowed
    assert not authorize(key, "reads_ingest", "bravo").allowed
    assert not authorize(key, "search").allowed
    assert not authorize(key, "audit_read").allowed
    auditor_key = Principal(kind="api_key", name="api_key:def", agency_id="alpha", scopes=frozenset({"audit"}))
    assert authorize(auditor_key, "audit_read").allowed


def test_only_the_gate_calls_the_store_searches() -> None:
    """No module on the request path (api, policy, access) calls a store search except policy/gate.py."""
    call = re.compile(r"\.(search_exact|search_near|search_wildcard|search_area|get_read|get_pass)\(")
    offenders = []
    for package in ("api", "policy", "access"):
        for path in (PACKAGE / package).rglob("*.py"):
            if path == PACKAGE / "policy" / "gate.py":
                continue
            if call.search(path.read_text()):
                offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []

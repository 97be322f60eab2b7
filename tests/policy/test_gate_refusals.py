"""The gate refuses, with a reason and a record: purpose, justification, case number, lookback, role."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from access.world import CASE, DAY_MS, PLATE, World

from plateledger.policy import Refused, SearchQuery
from plateledger.store.contract import TimeWindow


def query(world: World, **changes: Any) -> SearchQuery:
    now = world.clock.now_ms()
    base = SearchQuery(
        kind="exact",
        plate=PLATE,
        window=TimeWindow(now - 30 * DAY_MS, now),
        purpose="stolen_vehicle",
        case_number=CASE,
    )
    return replace(base, **changes)


REFUSALS = [
    ({"purpose": None}, "purpose_required", 422, "purpose"),
    ({"purpose": ""}, "purpose_required", 422, "purpose"),
    ({"purpose": "curiosity"}, "purpose_invalid", 422, "purpose"),
    ({"purpose": "other"}, "justification_required", 422, "justification"),
    ({"purpose": "other", "justification": "too short"}, "justification_required", 422, "justification"),
    ({"purpose": "other", "justification": " " * 25 + "x"}, "justification_required", 422, "justification"),
    ({"case_number": None}, "case_number_required", 422, "case_number"),
    ({"case_number": "2024-123"}, "case_number_invalid", 422, "case_number"),
    ({"case_number": "24-000123 or 1=1"}, "case_number_invalid", 422, "case_number"),
]


@pytest.mark.parametrize(("changes", "code", "status", "field"), REFUSALS)
def test_each_refusal_has_a_reason_and_is_recorded(
    world: World, changes: dict[str, Any], code: str, status: int, field: str
) -> None:
    officer = world.principal("alpha", "officer")
    asked = query(world, **changes)
    with pytest.raises(Refused) as refused:
        world.services.gate.search(officer, asked)
    decision = refused.value.decision
    assert (decision.allowed, decision.code, decision.status, decision.field) == (False, code, status, field)
    assert decision.reason
    [entry] = world.entries(action="search", user=officer.name)
    assert entry.outcome == "refused"
    assert entry.reason == decision.reason
    assert entry.agency == "alpha"
    assert entry.purpose == asked.purpose
    assert entry.case_number == asked.case_number
    assert entry.justification == asked.justification
    assert entry.parameters["plate"] == PLATE
    assert entry.parameters["kind"] == "exact"
    assert entry.result_count is None


def test_other_with_a_justification_is_allowed(world: World) -> None:
    officer = world.principal("alpha", "officer")
    why = "witness reported the vehicle at a school fire"
    outcome = world.services.gate.search(officer, query(world, purpose="other", justification=why))
    assert len(outcome.page.hits) == 3
    [entry] = world.entries(action="search", user=officer.name)
    assert (entry.outcome, entry.justification, entry.result_count) == ("allowed", why, 3)


@pytest.mark.parametrize("role", ["auditor", "agency_admin", "system_admin"])
def test_roles_that_may_not_search_are_refused_403(world: World, role: str) -> None:
    principal = world.principal("alpha", role)
    with pytest.raises(Refused) as refused:
        world.services.gate.search(principal, query(world))
    assert refused.value.decision.status == 403
    assert role in refused.value.decision.reason
    [entry] = world.entries(action="search", user=principal.name)
    assert entry.outcome == "refused"


def test_lookback_cap(world: World) -> None:
    officer = world.principal("alpha", "officer")
    now = world.clock.now_ms()
    within = query(world, window=TimeWindow(now - 90 * DAY_MS + 60_000, now))
    assert len(world.services.gate.search(officer, within).page.hits) == 3
    past = query(world, window=TimeWindow(now - 91 * DAY_MS, now))
    with pytest.raises(Refused) as refused:
        world.services.gate.search(officer, past)
    assert (refused.value.decision.code, refused.value.decision.status) == ("lookback_exceeded", 403)
    assert refused.value.decision.field == "window.start"
    assert "90 days" in refused.value.decision.reason
    entries = world.entries(action="search", user=officer.name)
    assert [entry.outcome for entry in entries] == ["allowed", "refused"]
    assert entries[1].parameters["window"]["start"].startswith(past.subject()["window"]["start"][:10])


def test_lookback_follows_the_agency_policy(world: World) -> None:
    policy = world.services.policies.get("alpha").model_copy(update={"max_lookback_days": 200})
    world.services.policies.put("alpha", policy, actor="test")
    officer = world.principal("alpha", "officer")
    now = world.clock.now_ms()
    outcome = world.services.gate.search(officer, query(world, window=TimeWindow(now - 150 * DAY_MS, now)))
    assert len(outcome.page.hits) == 4  # the 120-day-old read is now within reach


def test_invalid_store_input_is_refused_and_recorded(world: World) -> None:
    officer = world.principal("alpha", "officer")
    with pytest.raises(Refused) as refused:
        world.services.gate.search(officer, query(world, region="XX-NOPE"))
    assert refused.value.decision.status == 422
    assert refused.value.decision.field == "region"
    [entry] = world.entries(action="search", user=officer.name)
    assert entry.outcome == "refused"


def test_allowed_search_is_recorded_with_full_parameters(world: World) -> None:
    supervisor = world.principal("alpha", "supervisor")
    asked = query(world, region="US-CA", limit=2)
    outcome = world.services.gate.search(supervisor, asked)
    assert len(outcome.page.hits) == 2 and outcome.page.next_cursor
    [entry] = world.entries(action="search", user=supervisor.name)
    assert entry.seq == outcome.audit_seq
    assert entry.outcome == "allowed"
    assert entry.result_count == 2
    assert (entry.purpose, entry.case_number) == ("stolen_vehicle", CASE)
    assert entry.parameters["region"] == "US-CA"
    assert entry.parameters["limit"] == 2
    assert entry.parameters["reach"] == ["alpha"]
    assert set(entry.parameters["window"]) == {"start", "end"}
    following = world.services.gate.search(supervisor, replace(asked, cursor=outcome.page.next_cursor))
    assert len(following.page.hits) == 1
    assert world.entries(action="search", user=supervisor.name)[-1].parameters["cursor"] == outcome.page.next_cursor

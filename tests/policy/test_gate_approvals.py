"""Approvals: requested, granted by a supervisor of the same agency (never one's own), bound and time-limited."""

from __future__ import annotations

from dataclasses import replace

import pytest
from access.world import CASE, DAY_MS, SPOT, World

from plateledger.access import Principal
from plateledger.policy import Refused, SearchQuery
from plateledger.store.contract import Circle, TimeWindow


def area_query(world: World, radius_m: float = 500.0) -> SearchQuery:
    now = world.clock.now_ms()
    return SearchQuery(
        kind="area",
        area=Circle(SPOT[0], SPOT[1], radius_m),
        window=TimeWindow(now - 10 * DAY_MS, now),
        purpose="violent_felony",
        case_number=CASE,
    )


def refused_code(world: World, principal: Principal, query: SearchQuery) -> str:
    with pytest.raises(Refused) as refused:
        world.services.gate.search(principal, query)
    return refused.value.decision.code


def test_area_search_needs_approval_then_runs_with_it(world: World) -> None:
    officer = world.principal("alpha", "officer")
    supervisor = world.principal("alpha", "supervisor")
    asked = area_query(world)
    assert refused_code(world, officer, asked) == "approval_required"
    approval = world.services.gate.request_approval(officer, asked)
    assert approval.status(world.clock.now_ms()) == "pending"
    assert refused_code(world, officer, replace(asked, approval_id=approval.id)) == "approval_pending"
    granted = world.services.approvals.decide(supervisor, approval.id, True, "shooting on 5th")
    assert granted.status(world.clock.now_ms()) == "granted"
    outcome = world.services.gate.search(officer, replace(asked, approval_id=approval.id, limit=3))
    assert len(outcome.page.hits) == 3
    assert supervisor.name in (outcome.approval or "")
    assert {hit.read.agency_id for hit in outcome.page.hits} == {"alpha"}
    # paging with the same approval: cursor and limit are not part of what was approved
    rest = world.services.gate.search(officer, replace(asked, approval_id=approval.id, cursor=outcome.page.next_cursor))
    assert len(rest.page.hits) == 1  # 4 alpha reads in the area: 3 of 7ABC123, 1 of 7ABD123
    actions = [entry.action for entry in world.entries(agency="alpha") if entry.action.startswith("approval")]
    assert actions == ["approval_requested", "approval_granted"]
    searches = world.entries(action="search", user=officer.name)
    assert [entry.outcome for entry in searches] == ["refused", "refused", "allowed", "allowed"]
    assert searches[2].parameters["approval_id"] == approval.id


def test_a_supervisor_of_another_agency_cannot_grant(world: World) -> None:
    officer = world.principal("alpha", "officer")
    outsider = world.principal("bravo", "supervisor")
    approval = world.services.gate.request_approval(officer, area_query(world))
    with pytest.raises(Refused) as refused:
        world.services.approvals.decide(outsider, approval.id, True)
    assert refused.value.decision.status == 403
    assert "bravo" in refused.value.decision.reason
    [entry] = world.entries(action="approval_granted")
    assert (entry.outcome, entry.user) == ("refused", outsider.name)
    assert world.services.approvals.get(approval.id).stored_status == "pending"  # type: ignore[union-attr]


def test_nobody_approves_their_own_request(world: World) -> None:
    supervisor = world.principal("alpha", "supervisor")
    approval = world.services.gate.request_approval(supervisor, area_query(world))
    with pytest.raises(Refused) as refused:
        world.services.approvals.decide(supervisor, approval.id, True)
    assert refused.value.decision.code == "own_request"
    assert [entry.outcome for entry in world.entries(action="approval_granted")] == ["refused"]


def test_an_officer_cannot_grant(world: World) -> None:
    requester = world.principal("alpha", "officer")
    colleague = world.principal("alpha", "officer")
    approval = world.services.gate.request_approval(requester, area_query(world))
    with pytest.raises(Refused) as refused:
        world.services.approvals.decide(colleague, approval.id, True)
    assert refused.value.decision.status == 403


@pytest.mark.parametrize(
    "change",
    [
        {"area": Circle(SPOT[0], SPOT[1], 5000.0)},
        {"purpose": "property_crime"},
        {"case_number": "24-999999"},
        {"window": "longer"},
    ],
    ids=["area", "purpose", "case", "window"],
)
def test_an_approval_is_bound_to_its_exact_parameters(world: World, change: dict[str, object]) -> None:
    officer = world.principal("alpha", "officer")
    supervisor = world.principal("alpha", "supervisor")
    asked = area_query(world)
    approval = world.services.gate.request_approval(officer, asked)
    world.services.approvals.decide(supervisor, approval.id, True)
    if change.get("window") == "longer":
        change = {"window": TimeWindow(asked.window.start_ms - DAY_MS, asked.window.end_ms)}
    different = replace(asked, approval_id=approval.id, **change)  # type: ignore[arg-type]
    assert refused_code(world, officer, different) == "approval_mismatch"
    [entry] = world.entries(action="search", user=officer.name)
    assert entry.outcome == "refused" and "different search" in entry.reason


def test_another_officer_cannot_use_someone_elses_approval(world: World) -> None:
    officer = world.principal("alpha", "officer")
    colleague = world.principal("alpha", "officer")
    supervisor = world.principal("alpha", "supervisor")
    asked = area_query(world)
    approval = world.services.gate.request_approval(officer, asked)
    world.services.approvals.decide(supervisor, approval.id, True)
    assert refused_code(world, colleague, replace(asked, approval_id=approval.id)) == "approval_invalid"


def test_an_expired_approval_is_refused(world: World) -> None:
    officer = world.principal("alpha", "officer")
    supervisor = world.principal("alpha", "supervisor")
    asked = area_query(world)
    approval = world.services.gate.request_approval(officer, asked)
    world.services.approvals.decide(supervisor, approval.id, True)
    world.clock.advance(23 * 3600)
    assert world.services.gate.search(officer, replace(asked, approval_id=approval.id)).page.hits
    world.clock.advance(3600 + 1)
    assert refused_code(world, officer, replace(asked, approval_id=approval.id)) == "approval_expired"


def test_a_pending_request_expires_and_cannot_be_granted(world: World) -> None:
    officer = world.principal("alpha", "officer")
    supervisor = world.principal("alpha", "supervisor")
    approval = world.services.gate.request_approval(officer, area_query(world))
    world.clock.advance(24 * 3600 + 1)
    with pytest.raises(Refused) as refused:
        world.services.approvals.decide(supervisor, approval.id, True)
    assert refused.value.decision.code == "not_pending"


def test_a_denied_approval_is_refused(world: World) -> None:
    officer = world.principal("alpha", "officer")
    supervisor = world.principal("alpha", "supervisor")
    asked = area_query(world)
    approval = world.services.gate.request_approval(officer, asked)
    world.services.approvals.decide(supervisor, approval.id, False, "not enough to go on")
    assert refused_code(world, officer, replace(asked, approval_id=approval.id)) == "approval_denied"
    [entry] = world.entries(action="approval_denied")
    assert entry.reason == "not enough to go on"


def test_an_approval_request_must_itself_pass_purpose_case_and_lookback(world: World) -> None:
    officer = world.principal("alpha", "officer")
    now = world.clock.now_ms()
    for bad, code in (
        (replace(area_query(world), purpose=None), "purpose_required"),
        (replace(area_query(world), case_number="nope"), "case_number_invalid"),
        (replace(area_query(world), window=TimeWindow(now - 200 * DAY_MS, now)), "lookback_exceeded"),
    ):
        with pytest.raises(Refused) as refused:
            world.services.gate.request_approval(officer, bad)
        assert refused.value.decision.code == code
    assert [entry.outcome for entry in world.entries(action="approval_requested")] == ["refused"] * 3
    with pytest.raises(Refused):
        world.services.gate.request_approval(world.principal("alpha", "auditor"), area_query(world))


def test_long_windows_need_approval(world: World) -> None:
    policy = world.services.policies.get("alpha").model_copy(update={"max_lookback_days": 800})
    world.services.policies.put("alpha", policy, actor="test")
    officer = world.principal("alpha", "officer")
    now = world.clock.now_ms()
    long = SearchQuery(
        kind="exact",
        plate="7ABC123",
        window=TimeWindow(now - 400 * DAY_MS, now),
        purpose="stolen_vehicle",
        case_number=CASE,
    )
    assert refused_code(world, officer, long) == "approval_required"
    assert world.services.gate.search(officer, replace(long, window=TimeWindow(now - 365 * DAY_MS, now))).page.hits

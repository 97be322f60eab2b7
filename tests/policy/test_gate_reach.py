"""Results never include other agencies' reads: every kind of search, and single reads."""

from __future__ import annotations

from dataclasses import replace

import pytest
from access.world import AGENCIES, CASE, DAY_MS, PLATE, SPOT, World
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plateledger.policy import Refused, SearchQuery
from plateledger.store.contract import Circle, TimeWindow


def approved(world: World, agency: str, query: SearchQuery) -> tuple[object, SearchQuery]:
    officer = world.principal(agency, "officer")
    supervisor = world.principal(agency, "supervisor")
    approval = world.services.gate.request_approval(officer, query)
    world.services.approvals.decide(supervisor, approval.id, True)
    return officer, replace(query, approval_id=approval.id)


@pytest.mark.parametrize("agency", AGENCIES)
@pytest.mark.parametrize("kind", ["exact", "near", "wildcard", "area"])
def test_every_kind_returns_only_own_reads(world: World, agency: str, kind: str) -> None:
    now = world.clock.now_ms()
    query = SearchQuery(
        kind=kind,  # type: ignore[arg-type]
        window=TimeWindow(now - 30 * DAY_MS, now),
        plate=PLATE if kind in ("exact", "near") else None,
        pattern="7AB*123" if kind == "wildcard" else None,
        area=Circle(SPOT[0], SPOT[1], 1000.0) if kind == "area" else None,
        purpose="stolen_vehicle",
        case_number=CASE,
    )
    officer, query = approved(world, agency, query)
    outcome = world.services.gate.search(officer, query)  # type: ignore[arg-type]
    assert outcome.page.hits, "the world has reads of both agencies here"
    assert {hit.read.agency_id for hit in outcome.page.hits} == {agency}
    assert outcome.reach == frozenset({agency})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(1, 5), days=st.integers(1, 89), agency=st.sampled_from(AGENCIES))
def test_paging_never_leaks(world: World, limit: int, days: int, agency: str) -> None:
    officer = world.principal(agency, "officer")
    now = world.clock.now_ms()
    query = SearchQuery(
        kind="near",
        plate="7A8C123",
        window=TimeWindow(now - days * DAY_MS, now),
        purpose="property_crime",
        case_number=CASE,
        limit=limit,
    )
    seen = []
    while True:
        outcome = world.services.gate.search(officer, query)
        seen.extend(hit.read for hit in outcome.page.hits)
        if outcome.page.next_cursor is None:
            break
        query = replace(query, cursor=outcome.page.next_cursor)
    assert all(read.agency_id == agency for read in seen)


def test_single_read_of_own_agency_is_shown_and_recorded(world: World) -> None:
    officer = world.principal("alpha", "officer")
    read_id = world.read_ids["alpha"][0]
    read = world.services.gate.view_read(officer, read_id, "stolen_vehicle", CASE)
    assert read.id == read_id and read.agency_id == "alpha"
    [entry] = world.entries(action="read_view")
    assert (entry.outcome, entry.user) == ("allowed", officer.name)
    assert (entry.purpose, entry.case_number) == ("stolen_vehicle", CASE)
    assert entry.parameters["read_id"] == read_id and entry.parameters["plate"] == PLATE
    assert entry.result_count == 1


def test_single_read_of_another_agency_looks_missing_but_the_ledger_knows(world: World) -> None:
    officer = world.principal("alpha", "officer")
    with pytest.raises(Refused) as refused:
        world.services.gate.view_read(officer, world.read_ids["bravo"][0], "stolen_vehicle", CASE)
    assert refused.value.decision.status == 404
    assert "reach" not in refused.value.decision.reason
    [entry] = world.entries(action="read_view")
    assert entry.outcome == "refused" and "outside the reach" in entry.reason


@pytest.mark.parametrize(
    ("purpose", "case", "code"),
    [
        (None, CASE, "purpose_required"),
        ("stolen_vehicle", None, "case_number_required"),
        ("other", CASE, "justification_required"),
    ],
)
def test_single_read_needs_purpose_and_case(world: World, purpose: str | None, case: str | None, code: str) -> None:
    officer = world.principal("alpha", "officer")
    with pytest.raises(Refused) as refused:
        world.services.gate.view_read(officer, world.read_ids["alpha"][0], purpose, case)
    assert refused.value.decision.code == code
    assert world.entries(action="read_view")[0].outcome == "refused"


def test_single_read_past_the_lookback_is_refused(world: World) -> None:
    officer = world.principal("alpha", "officer")
    with pytest.raises(Refused) as refused:
        world.services.gate.view_read(officer, world.old_read_id, "stolen_vehicle", CASE)
    assert refused.value.decision.code == "lookback_exceeded"


def test_missing_read_and_forbidden_role(world: World) -> None:
    officer = world.principal("alpha", "officer")
    with pytest.raises(Refused) as refused:
        world.services.gate.view_read(officer, 999_999_999, "stolen_vehicle", CASE)
    assert refused.value.decision.status == 404
    auditor = world.principal("alpha", "auditor")
    with pytest.raises(Refused) as refused:
        world.services.gate.view_read(auditor, world.read_ids["alpha"][0], "stolen_vehicle", CASE)
    assert refused.value.decision.status == 403

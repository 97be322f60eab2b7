"""Anomaly flags for supervisors: each rule with a case that must flag and one that must not."""

from __future__ import annotations

import pytest

from plateledger.audit import AuditLedger

from .conftest import DAY, T0, Clock, search

NOW = T0 + 60 * DAY
OTHERS = {"ca-sfpd": "San Francisco PD", "ca-oakpd": "Oakland PD", "fed-hsi": "Homeland Security Investigations"}


def kinds(ledger: AuditLedger, kind: str, **options: object) -> list:
    return [anomaly for anomaly in ledger.anomalies(now_ms=NOW, **options) if anomaly.kind == kind]  # type: ignore[arg-type]


def searches_at(ledger: AuditLedger, clock: Clock, times: list[int], **fields: object) -> list[int]:
    recorded = []
    for moment in times:
        clock.set(moment)
        recorded.append(ledger.record(search(**fields)).seq)  # type: ignore[arg-type]
    return recorded


# -- repeated_no_hit -----------------------------------------------------------------------------------------------


def test_five_no_hit_searches_of_one_plate_are_flagged(ledger: AuditLedger, clock: Clock) -> None:
    times = [NOW - day * DAY for day in (25, 20, 10, 3, 1)]
    seqs = searches_at(ledger, clock, times, user="alice", plate="7ABC123", result_count=0)
    searches_at(ledger, clock, [NOW - DAY], user="alice", plate="OTHER1", result_count=4)

    found = kinds(ledger, "repeated_no_hit")
    assert len(found) == 1
    assert (found[0].user, found[0].agency, found[0].seqs) == ("alice", "ca-sfpd", tuple(seqs))
    assert "7ABC123" in found[0].detail and "5 times" in found[0].detail


@pytest.mark.parametrize(
    ("days_ago", "counts"),
    [
        ([25, 20, 10, 3], [0, 0, 0, 0]),  # only four searches
        ([25, 20, 10, 3, 1], [0, 0, 2, 0, 0]),  # one of them found the vehicle
        ([45, 40, 10, 3, 1], [0, 0, 0, 0, 0]),  # two fall outside the 30 days
    ],
)
def test_no_hit_searches_below_the_rule_are_not_flagged(
    ledger: AuditLedger, clock: Clock, days_ago: list[int], counts: list[int]
) -> None:
    for day, count in zip(days_ago, counts, strict=True):
        searches_at(ledger, clock, [NOW - day * DAY], user="alice", plate="7ABC123", result_count=count)
    assert kinds(ledger, "repeated_no_hit") == []


def test_no_hit_searches_by_different_users_are_not_pooled(ledger: AuditLedger, clock: Clock) -> None:
    for number in range(6):
        searches_at(ledger, clock, [NOW - number * DAY - 1], user=f"officer{number}", plate="7ABC123", result_count=0)
    assert kinds(ledger, "repeated_no_hit") == []


# -- volume_spike --------------------------------------------------------------------------------------------------


def history(ledger: AuditLedger, clock: Clock, per_day: int, user: str = "alice") -> None:
    """``per_day`` searches on each of the 30 days before the last 24 hours."""
    for day in range(2, 32):
        searches_at(ledger, clock, [NOW - day * DAY + index * 60_000 for index in range(per_day)], user=user)


def test_a_day_far_above_the_users_norm_is_flagged(ledger: AuditLedger, clock: Clock) -> None:
    history(ledger, clock, per_day=1)
    recent = searches_at(ledger, clock, [NOW - 3_600_000 + index for index in range(25)], user="alice")

    found = kinds(ledger, "volume_spike")
    assert len(found) == 1
    assert (found[0].user, found[0].seqs) == ("alice", tuple(recent))
    assert "25 searches" in found[0].detail


def test_a_busy_day_within_the_users_norm_is_not_flagged(ledger: AuditLedger, clock: Clock) -> None:
    history(ledger, clock, per_day=10)
    searches_at(ledger, clock, [NOW - 3_600_000 + index for index in range(25)], user="alice")
    assert kinds(ledger, "volume_spike") == []


def test_the_spike_needs_at_least_twenty_searches(ledger: AuditLedger, clock: Clock) -> None:
    searches_at(ledger, clock, [NOW - 3_600_000 + index for index in range(19)], user="newcomer")
    assert kinds(ledger, "volume_spike") == []
    searches_at(ledger, clock, [NOW - 60_000], user="newcomer")
    assert [anomaly.user for anomaly in kinds(ledger, "volume_spike")] == ["newcomer"]


# -- on_behalf_of_other_agency -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("justification", "mentioned"),
    [
        ("stolen vehicle, Oakland PD case 24-1133", "Oakland PD"),
        ("lead from ca-oakpd task force", "ca-oakpd"),
        ("Requested by a detective in Reno", "Requested by"),
        ("on behalf of a federal partner", "on behalf of"),
        ("immigration case for ICE", "for ICE"),
        ("for the Springfield Police Department", "for the Springfield Police Department"),
    ],
)
def test_justifications_naming_another_agency_are_flagged(
    ledger: AuditLedger, clock: Clock, justification: str, mentioned: str
) -> None:
    [seq] = searches_at(ledger, clock, [NOW - DAY], user="alice", agency="ca-sfpd", justification=justification)

    found = kinds(ledger, "on_behalf_of_other_agency", other_agencies=OTHERS)
    assert [(anomaly.user, anomaly.agency, anomaly.seqs) for anomaly in found] == [("alice", "ca-sfpd", (seq,))]
    assert mentioned in found[0].detail


@pytest.mark.parametrize(
    "justification",
    [
        "burglary suspect vehicle, witness statement",
        "San Francisco PD robbery investigation",  # the searcher's own agency
        "case ca-sfpd-24-0001, hit and run",
        "suspect seen by police near the scene",
    ],
)
def test_ordinary_justifications_are_not_flagged(ledger: AuditLedger, clock: Clock, justification: str) -> None:
    searches_at(ledger, clock, [NOW - DAY], user="alice", agency="ca-sfpd", justification=justification)
    assert kinds(ledger, "on_behalf_of_other_agency", other_agencies=OTHERS) == []


def test_other_agencies_can_be_plain_names_and_old_entries_are_ignored(ledger: AuditLedger, clock: Clock) -> None:
    searches_at(ledger, clock, [NOW - 40 * DAY], agency="ca-sfpd", justification="Reno PD asked")
    [recent] = searches_at(ledger, clock, [NOW - DAY], agency="ca-sfpd", justification="Reno PD asked again")
    assert kinds(ledger, "on_behalf_of_other_agency") == []
    found = kinds(ledger, "on_behalf_of_other_agency", other_agencies=["Reno PD"])
    assert [anomaly.seqs for anomaly in found] == [(recent,)]


def test_anomalies_can_be_limited_to_one_agency(ledger: AuditLedger, clock: Clock) -> None:
    searches_at(ledger, clock, [NOW - DAY], user="alice", agency="ca-sfpd", justification="on behalf of Reno")
    searches_at(ledger, clock, [NOW - DAY], user="carol", agency="ca-oakpd", justification="on behalf of Reno")
    assert {anomaly.user for anomaly in ledger.anomalies(now_ms=NOW)} == {"alice", "carol"}
    assert [anomaly.user for anomaly in ledger.anomalies("ca-oakpd", now_ms=NOW)] == ["carol"]

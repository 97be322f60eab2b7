"""Patterns in searches that a supervisor should look at. A flag is a question for a human, never a verdict.

All three rules look at ``search`` entries of the 30 days up to ``now_ms``:

- ``repeated_no_hit``: one user searched one plate at least 5 times, and every search (allowed, with a result
  count) found nothing. Fishing for a vehicle that is not (yet) there is how stalking by plate looks.
- ``volume_spike``: a user's searches (allowed or refused) in the last 24 hours are at least 20 and more than
  3 times their daily mean over the 30 days before. A user with no history is measured against a mean of 0.
- ``on_behalf_of_other_agency``: a justification that names another agency (an id or name passed in
  ``other_agencies``, never the searcher's own) or uses a phrase of searching for someone else ("on behalf
  of", "requested by", "at the request of", "for the FBI", "for Springfield PD" ...). One flag per entry.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping

from plateledger.audit.types import Anomaly

DAY_MS = 86_400_000
WINDOW_DAYS = 30
NO_HIT_MIN_SEARCHES = 5
SPIKE_MIN_SEARCHES = 20
SPIKE_FACTOR = 3.0

_FEDERAL = r"ICE|HSI|ERO|CBP|DHS|FBI|DEA|ATF|USMS|U\.?S\.? Marshals?|Border Patrol|Homeland Security"
_AGENCY_WORD = r"PD|SO|P\.D\.|police(?: department| dept\.?)?|sheriff'?s?(?: office| department| dept\.?)?"
ON_BEHALF_PHRASES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\bon behalf of\b",
        r"\brequested by\b",
        r"\bat the request of\b",
        r"\brequest (?:from|of)\b",
        r"\b(?:another|other|outside|partner) (?:agency|department|dept)\b",
        rf"\bfor (?:the )?(?:{_FEDERAL})\b",
        rf"\bfor (?:the )?[A-Za-z]+(?: [A-Za-z]+){{0,2}} (?:{_AGENCY_WORD})(?!\w)",
    )
)


def find(
    connection: sqlite3.Connection,
    *,
    agency: str | None,
    now_ms: int,
    other_agencies: Mapping[str, str] | Iterable[str] | None,
) -> list[Anomaly]:
    """Every anomaly of every rule, ordered by kind and then by the first entry involved."""
    found = [
        *repeated_no_hit(connection, agency, now_ms),
        *volume_spike(connection, agency, now_ms),
        *on_behalf_of_other_agency(connection, agency, now_ms, other_agencies),
    ]
    return sorted(found, key=lambda anomaly: (anomaly.kind, anomaly.seqs[:1]))


def _scope(agency: str | None) -> tuple[str, list[object]]:
    return ("AND agency = ?", [agency]) if agency is not None else ("", [])


def _seqs(concatenated: str) -> tuple[int, ...]:
    return tuple(sorted(int(part) for part in concatenated.split(",")))


def repeated_no_hit(connection: sqlite3.Connection, agency: str | None, now_ms: int) -> list[Anomaly]:
    """Users who searched one plate at least 5 times in 30 days and found nothing each time."""
    scope, values = _scope(agency)
    rows = connection.execute(
        f"""
        SELECT user, agency, plate, count(*), group_concat(seq)
        FROM entries
        WHERE action = 'search' AND outcome = 'allowed' AND user IS NOT NULL AND plate IS NOT NULL
          AND ts_ms > ? AND ts_ms <= ? {scope}
        GROUP BY user, agency, plate
        HAVING count(*) >= ? AND count(*) = sum(result_count IS 0)
        """,
        [now_ms - WINDOW_DAYS * DAY_MS, now_ms, *values, NO_HIT_MIN_SEARCHES],
    ).fetchall()
    return [
        Anomaly(
            kind="repeated_no_hit",
            user=user,
            agency=owner,
            detail=f"{user} searched plate {plate} {count} times in {WINDOW_DAYS} days and found nothing each time",
            seqs=_seqs(seqs),
        )
        for user, owner, plate, count, seqs in rows
    ]


def volume_spike(connection: sqlite3.Connection, agency: str | None, now_ms: int) -> list[Anomaly]:
    """Users whose last 24 hours of searches far exceed their own daily mean of the 30 days before."""
    scope, values = _scope(agency)
    day_start = now_ms - DAY_MS
    rows = connection.execute(
        f"""
        SELECT user, agency, sum(ts_ms > ?), sum(ts_ms <= ?)
        FROM entries
        WHERE action = 'search' AND user IS NOT NULL AND ts_ms > ? AND ts_ms <= ? {scope}
        GROUP BY user, agency
        """,
        [day_start, day_start, day_start - WINDOW_DAYS * DAY_MS, now_ms, *values],
    ).fetchall()
    found: list[Anomaly] = []
    for user, owner, recent, before in rows:
        mean = before / WINDOW_DAYS
        if recent < SPIKE_MIN_SEARCHES or recent <= SPIKE_FACTOR * mean:
            continue
        seqs = connection.execute(
            """SELECT seq FROM entries WHERE action = 'search' AND user = ? AND agency IS ? AND ts_ms > ? AND ts_ms <= ?
            ORDER BY seq""",
            (user, owner, day_start, now_ms),
        ).fetchall()
        found.append(
            Anomaly(
                kind="volume_spike",
                user=user,
                agency=owner,
                detail=(
                    f"{user} made {recent} searches in the last 24 hours; their daily mean over the "
                    f"{WINDOW_DAYS} days before was {mean:.1f}"
                ),
                seqs=tuple(row[0] for row in seqs),
            )
        )
    return found


def on_behalf_of_other_agency(
    connection: sqlite3.Connection,
    agency: str | None,
    now_ms: int,
    other_agencies: Mapping[str, str] | Iterable[str] | None,
) -> list[Anomaly]:
    """Searches whose justification names another agency or says the search was for someone else."""
    names = _agency_names(other_agencies)
    scope, values = _scope(agency)
    rows = connection.execute(
        f"""
        SELECT seq, user, agency, justification FROM entries
        WHERE action = 'search' AND justification IS NOT NULL AND ts_ms > ? AND ts_ms <= ? {scope}
        ORDER BY seq
        """,
        [now_ms - WINDOW_DAYS * DAY_MS, now_ms, *values],
    ).fetchall()
    found: list[Anomaly] = []
    for seq, user, owner, justification in rows:
        match = _other_agency_mention(justification, owner, names)
        if match is None:
            continue
        quoted = justification if len(justification) <= 200 else justification[:197] + "..."
        found.append(
            Anomaly(
                kind="on_behalf_of_other_agency",
                user=user,
                agency=owner,
                detail=f"search {seq} by {user} of {owner} names another agency ({match!r}): {quoted!r}",
                seqs=(seq,),
            )
        )
    return found


def _agency_names(other_agencies: Mapping[str, str] | Iterable[str] | None) -> dict[str, set[str]]:
    """Agency id (or the name itself) -> every way to write it, lower-cased."""
    if other_agencies is None:
        return {}
    if isinstance(other_agencies, Mapping):
        return {str(key): {str(key).lower(), str(name).lower()} for key, name in other_agencies.items()}
    return {str(name): {str(name).lower()} for name in other_agencies}


def _other_agency_mention(text: str, own: str | None, names: dict[str, set[str]]) -> str | None:
    """The first words of ``text`` that point at another agency, or None."""
    own_terms = names.get(own, set()) | ({own.lower()} if own else set())
    for terms in names.values():
        for term in sorted(terms - own_terms, key=len, reverse=True):
            if len(term) < 3:
                continue
            hit = re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE)
            if hit:
                return hit.group(0)
    own_long = [term for term in own_terms if len(term) >= 3]
    for pattern in ON_BEHALF_PHRASES:
        for hit in pattern.finditer(text):
            if not any(term in hit.group(0).lower() for term in own_long):
                return hit.group(0)
    return None

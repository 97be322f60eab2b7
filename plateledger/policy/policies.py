"""The agencies' policies, kept in the access database keyed by agency id."""

from __future__ import annotations

from plateledger.access.clock import Clock
from plateledger.access.db import AccessDatabase
from plateledger.access.recorder import Recorder, record
from plateledger.policy.agency_policy import AgencyPolicy


class PolicyBook:
    def __init__(self, db: AccessDatabase, clock: Clock, ledger: Recorder, default_lookback_days: int = 90) -> None:
        self.db = db
        self.clock = clock
        self.ledger = ledger
        self.default_lookback_days = default_lookback_days

    def default(self) -> AgencyPolicy:
        return AgencyPolicy(max_lookback_days=self.default_lookback_days)

    def exists(self, agency_id: str) -> bool:
        with self.db.read() as connection:
            row = connection.execute("SELECT 1 FROM agency_policies WHERE agency_id = ?", (agency_id,)).fetchone()
        return row is not None

    def agencies(self) -> list[str]:
        with self.db.read() as connection:
            return [row[0] for row in connection.execute("SELECT agency_id FROM agency_policies ORDER BY agency_id")]

    def get(self, agency_id: str) -> AgencyPolicy:
        """The agency's policy; an agency without one (made before policies existed) gets the default."""
        with self.db.read() as connection:
            row = connection.execute("SELECT policy FROM agency_policies WHERE agency_id = ?", (agency_id,)).fetchone()
        return self.default() if row is None else AgencyPolicy.model_validate_json(row[0])

    def put(self, agency_id: str, policy: AgencyPolicy, *, actor: str) -> AgencyPolicy:
        """Set (create or replace) the agency's policy; recorded as policy_changed with the new policy."""
        with self.db.write() as connection:
            connection.execute(
                "INSERT INTO agency_policies (agency_id, policy, updated_ms, updated_by) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (agency_id) DO UPDATE SET policy = excluded.policy, updated_ms = excluded.updated_ms, "
                "updated_by = excluded.updated_by",
                (agency_id, policy.model_dump_json(), self.clock.now_ms(), actor),
            )
        record(self.ledger, "policy_changed", user=actor, agency=agency_id, parameters={"policy": policy.model_dump()})
        return policy

"""Creating an agency: the read store's registry entry and the access database's policy, both or neither."""

from __future__ import annotations

import re

from plateledger.access.recorder import Recorder, record
from plateledger.policy.agency_policy import AgencyPolicy
from plateledger.policy.decision import Decision, Refused
from plateledger.policy.policies import PolicyBook
from plateledger.store.contract import Agency, ReadStore, StoreError

AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,31}$")
JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
KINDS = ("local", "state", "federal", "private")


def check_agency(agency: Agency) -> None:
    for ok, field, reason in (
        (AGENCY_ID.match(agency.id), "id", "2-32 characters: a-z, 0-9, '_' or '-'"),
        (0 < len(agency.name.strip()) <= 200, "name", "1-200 characters"),
        (agency.kind in KINDS, "kind", f"one of {', '.join(KINDS)}"),
        (JURISDICTION.match(agency.jurisdiction), "jurisdiction", "ISO 3166-2, e.g. US-CA"),
    ):
        if not ok:
            raise Refused(Decision.deny(f"{field}: {reason}", "invalid", 422, field))


def create_agency(
    store: ReadStore, policies: PolicyBook, ledger: Recorder, agency: Agency, policy: AgencyPolicy | None, *, actor: str
) -> AgencyPolicy:
    """Register the agency in the store and give it a policy; recorded as agency_created."""
    check_agency(agency)
    exists = Decision.deny(f"agency {agency.id!r} exists already", "conflict", 409, "id")
    if policies.exists(agency.id):
        raise Refused(exists)
    known = {existing.id: existing for existing in store.list_agencies()}
    if agency.id in known and known[agency.id] != agency:
        raise Refused(exists)
    if agency.id not in known:  # an agency the store has but without a policy (older data) is adopted
        try:
            store.add_agency(agency)
        except StoreError as error:
            raise Refused(Decision.deny(str(error), "conflict", 409, "id")) from None
    chosen = policy or policies.default()
    policies.put(agency.id, chosen, actor=actor)
    record(
        ledger,
        "agency_created",
        user=actor,
        agency=agency.id,
        parameters={"id": agency.id, "name": agency.name, "kind": agency.kind, "jurisdiction": agency.jurisdiction},
    )
    return chosen

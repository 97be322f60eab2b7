"""The policy gate: THE ONLY path from a request to the read store's searches and single reads.

Each request passes, in order: the authorization table (role and agency), the agency's purpose, justification
and case-number rules, the lookback cap, and, where the policy asks for one, a supervisor's approval bound to
these exact parameters. Only then does the store run the search, limited to the principal's reach. Every
outcome, allowed or refused, is written to the audit ledger before anything is returned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from plateledger.access.clock import Clock
from plateledger.access.principal import Principal
from plateledger.access.recorder import Recorder, record
from plateledger.policy.actions import authorize
from plateledger.policy.agency_policy import AgencyPolicy
from plateledger.policy.approvals import Approval, Approvals
from plateledger.policy.checks import (
    approval_reasons,
    check_case_number,
    check_justification,
    check_lookback,
    check_purpose,
)
from plateledger.policy.decision import Decision, Refused
from plateledger.policy.policies import PolicyBook
from plateledger.policy.query import SearchQuery
from plateledger.reads import StoredRead
from plateledger.store.contract import NotFound, Page, ReadStore, StoreError

SearchHook = Callable[[str, str], None]  # (kind, outcome): for metrics


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    page: Page
    reach: frozenset[str]
    audit_seq: int | None
    approval: str | None  # why the approval check passed, when one was needed


def _seq(entry: Any) -> int | None:
    return getattr(entry, "seq", None)


class PolicyGate:
    def __init__(
        self,
        store: ReadStore,
        policies: PolicyBook,
        approvals: Approvals,
        ledger: Recorder,
        clock: Clock,
        on_search: SearchHook | None = None,
    ) -> None:
        self._store = store
        self.policies = policies
        self.approvals = approvals
        self.ledger = ledger
        self.clock = clock
        self.on_search = on_search

    # -- reach: whose reads a principal's request may return -----------------------------------------------------
    def reach(self, principal: Principal, query: SearchQuery | None = None) -> frozenset[str]:
        """The agencies whose reads this request may return. For now: the principal's own agency only.

        Sharing agreements (a later issue) extend this one function; results are filtered by it in the store.
        """
        return frozenset({principal.agency_id})

    # -- the rules ------------------------------------------------------------------------------------------------
    def _purpose_and_case(
        self, policy: AgencyPolicy, purpose: str | None, case_number: str | None, justification: str | None
    ) -> Decision:
        for decision in (
            check_purpose(policy, purpose),
            check_justification(purpose, justification),
            check_case_number(policy, case_number),
        ):
            if not decision.allowed:
                return decision
        return Decision.allow("purpose and case accepted")

    def precheck(self, principal: Principal, query: SearchQuery, action: str = "search") -> Decision:
        """Everything but the approval: role, purpose, justification, case number, lookback."""
        decision = authorize(principal, action)
        if not decision.allowed:
            return decision
        policy = self.policies.get(principal.agency_id)
        decision = self._purpose_and_case(policy, query.purpose, query.case_number, query.justification)
        if not decision.allowed:
            return decision
        return check_lookback(policy, query.window.start_ms, self.clock.now_ms())

    # -- searches ---------------------------------------------------------------------------------------------------
    def _refuse_search(self, principal: Principal, query: SearchQuery, decision: Decision) -> Refused:
        record(
            self.ledger,
            "search",
            user=principal.name,
            agency=principal.agency_id,
            outcome="refused",
            reason=decision.reason,
            parameters=query.audit_parameters(),
            purpose=query.purpose,
            case_number=query.case_number,
            justification=query.justification,
        )
        if self.on_search is not None:
            self.on_search(query.kind, "refused")
        return Refused(decision)

    def search(self, principal: Principal, query: SearchQuery) -> SearchOutcome:
        """Run the search if every rule allows it; otherwise raise Refused. Either way, it is in the ledger."""
        decision = self.precheck(principal, query)
        if not decision.allowed:
            raise self._refuse_search(principal, query, decision)
        policy = self.policies.get(principal.agency_id)
        reasons = approval_reasons(policy, query.kind, query.window_days)
        approval_note = None
        if reasons:
            decision = self.approvals.check(principal, query.approval_id, query, reasons)
            if not decision.allowed:
                raise self._refuse_search(principal, query, decision)
            approval_note = decision.reason
        reach = self.reach(principal, query)
        try:
            page = self._run(query, reach)
        except (ValueError, StoreError) as error:
            field = _field_of(query, str(error))
            raise self._refuse_search(
                principal, query, Decision.deny(str(error), "invalid_search", 422, field)
            ) from None
        entry = record(
            self.ledger,
            "search",
            user=principal.name,
            agency=principal.agency_id,
            reason=approval_note or "",
            parameters={**query.audit_parameters(), "reach": sorted(reach)},
            purpose=query.purpose,
            case_number=query.case_number,
            justification=query.justification,
            result_count=len(page.hits),
        )
        if self.on_search is not None:
            self.on_search(query.kind, "allowed")
        return SearchOutcome(page, reach, _seq(entry), approval_note)

    def _run(self, query: SearchQuery, reach: frozenset[str]) -> Page:
        store, window, options = (
            self._store,
            query.window,
            {"agencies": reach, "limit": query.limit, "cursor": query.cursor},
        )
        if query.kind == "exact":
            return store.search_exact(query.plate or "", window, region=query.region, **options)  # type: ignore[arg-type]
        if query.kind == "near":
            return store.search_near(query.plate or "", window, **options)  # type: ignore[arg-type]
        if query.kind == "wildcard":
            return store.search_wildcard(query.pattern or "", window, **options)  # type: ignore[arg-type]
        if query.area is None:
            raise ValueError("an area search needs an area")
        return store.search_area(query.area, window, **options)  # type: ignore[arg-type]

    # -- approvals ----------------------------------------------------------------------------------------------
    def request_approval(self, principal: Principal, query: SearchQuery) -> Approval:
        """A pending approval for this search, if the requester could run it were it approved."""
        decision = self.precheck(principal, query, action="approval_request")
        if not decision.allowed:
            record(
                self.ledger,
                "approval_requested",
                user=principal.name,
                agency=principal.agency_id,
                outcome="refused",
                reason=decision.reason,
                parameters=query.subject(),
                purpose=query.purpose,
                case_number=query.case_number,
                justification=query.justification,
            )
            raise Refused(decision)
        policy = self.policies.get(principal.agency_id)
        return self.approvals.create(principal, query, approval_reasons(policy, query.kind, query.window_days))

    # -- single reads -----------------------------------------------------------------------------------------------
    def view_read(
        self,
        principal: Principal,
        read_id: int | None,
        purpose: str | None,
        case_number: str | None,
        justification: str | None = None,
        *,
        action: str = "read_view",
        subject: dict[str, Any] | None = None,
    ) -> StoredRead:
        """One read, if the principal may see it for this purpose and case; recorded as read_view.

        The images of a read pass the same way with `action="image_view"`; `subject` adds what is viewed to
        the ledger's parameters (an image's sha256). A read_id of None: nothing to show (an unknown image),
        refused as not found once role, purpose and case have passed."""
        parameters: dict[str, Any] = {"read_id": read_id, **(subject or {})}

        def refuse(decision: Decision, shown: Decision | None = None) -> Refused:
            record(
                self.ledger,
                action,
                user=principal.name,
                agency=principal.agency_id,
                outcome="refused",
                reason=decision.reason,
                parameters=parameters,
                purpose=purpose,
                case_number=case_number,
                justification=justification,
            )
            return Refused(shown or decision)

        decision = authorize(principal, action)
        if not decision.allowed:
            raise refuse(decision)
        policy = self.policies.get(principal.agency_id)
        decision = self._purpose_and_case(policy, purpose, case_number, justification)
        if not decision.allowed:
            raise refuse(decision)
        if read_id is None:
            what = " ".join(f"{key} {value}" for key, value in (subject or {}).items()) or "it"
            raise refuse(Decision.deny(f"{what} does not exist", "not_found", 404, next(iter(subject or {}), None)))
        missing = Decision.deny(f"read {read_id} does not exist", "not_found", 404, "read_id")
        try:
            read = self._store.get_read(read_id)
        except (NotFound, ValueError, OverflowError):
            raise refuse(missing) from None
        parameters.update(plate=read.plate, region=read.region, read_agency=read.agency_id)
        if read.agency_id not in self.reach(principal):
            # Said as "does not exist" to the caller, so reads outside the reach cannot be probed; the ledger knows.
            outside = Decision.deny(f"read {read_id} is outside the reach of {principal.agency_id}", "not_found", 404)
            raise refuse(outside, shown=missing)
        decision = check_lookback(policy, read.observed_ms, self.clock.now_ms(), field="read_id")
        if not decision.allowed:
            raise refuse(decision)
        record(
            self.ledger,
            action,
            user=principal.name,
            agency=principal.agency_id,
            parameters=parameters,
            purpose=purpose,
            case_number=case_number,
            justification=justification,
            result_count=1,
        )
        return read

    def view_image(
        self,
        principal: Principal,
        read_ids: Sequence[int],
        sha256: str,
        purpose: str | None,
        case_number: str | None,
        justification: str | None = None,
    ) -> StoredRead:
        """The read an image is attached to, through view_read as image_view: of the reads it belongs to
        (one frame may serve several), the first within the principal's reach; refused as not found if none."""
        reach = self.reach(principal)
        chosen = read_ids[0] if read_ids else None
        for read_id in read_ids[:100]:
            try:
                if self._store.get_read(read_id).agency_id in reach:
                    chosen = read_id
                    break
            except (NotFound, ValueError, OverflowError):
                continue
        return self.view_read(
            principal, chosen, purpose, case_number, justification, action="image_view", subject={"image": sha256}
        )


def _field_of(query: SearchQuery, message: str) -> str:
    lowered = message.lower()
    for name in ("cursor", "limit", "region", "radius", "polygon", "pattern"):
        if name in lowered:
            return {"radius": "area.radius_m", "polygon": "area.points"}.get(name, name)
    return {"exact": "plate", "near": "plate", "wildcard": "pattern", "area": "area"}[query.kind]

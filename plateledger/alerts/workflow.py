"""Human verification: an alert is acknowledged, then verified or rejected, each step audited.

`verified` needs two explicit confirmations, both true: "I compared the image with the entry"
(`image_compared`) and "the entry was confirmed valid with its source" (`confirmed_with_source`). A STALE
alert, an alert whose feed has gone stale since, and an alert whose entry is no longer in force cannot be
verified; they can be rejected. Refused attempts are recorded too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from plateledger.access.clock import Clock
from plateledger.access.principal import Principal
from plateledger.access.recorder import Recorder, record
from plateledger.alerts.model import REJECTIONS, Alert, AlertStatus
from plateledger.alerts.store import AlertStore, TransitionConflict
from plateledger.hotlists.repository import HotlistRepository
from plateledger.policy.decision import Decision, Refused

CONFIRMATIONS = {
    "image_compared": "I compared the plate image with the entry",
    "confirmed_with_source": "the entry was confirmed valid with its source",
}
Publisher = Callable[[Alert], None]


class AlertWorkflow:
    def __init__(
        self,
        alerts: AlertStore,
        repository: HotlistRepository,
        ledger: Recorder,
        clock: Clock,
        publish: Publisher | None = None,
    ) -> None:
        self.alerts = alerts
        self.repository = repository
        self.ledger = ledger
        self.clock = clock
        self.publish = publish

    def visible(self, principal: Principal, alert_id: int) -> Alert:
        """The alert, if it is the principal's agency's; otherwise 404 (others' alerts cannot be probed)."""
        alert = self.alerts.get(alert_id)
        if alert is None or alert.agency_id != principal.agency_id:
            raise Refused(Decision.deny(f"alert {alert_id} does not exist", "not_found", 404, "alert_id"))
        return alert

    def acknowledge(self, principal: Principal, alert_id: int) -> Alert:
        alert = self.visible(principal, alert_id)
        return self._move(principal, alert, ("new",), "acknowledged", "alert_acknowledged", {})

    def verify(
        self,
        principal: Principal,
        alert_id: int,
        image_compared: bool | None,
        confirmed_with_source: bool | None,
        note: str | None = None,
    ) -> Alert:
        alert = self.visible(principal, alert_id)
        given = {"image_compared": image_compared, "confirmed_with_source": confirmed_with_source}
        detail: dict[str, Any] = {"disposition": "verified", **given, "note": note}
        if alert.status != "acknowledged":
            self._conflict(principal, alert, detail, "verified")
        blocker = self._why_not_actionable(alert)
        if blocker is not None:
            raise self._refuse(principal, alert, detail, Decision.deny(blocker, "not_actionable", 409, "alert_id"))
        missing = [name for name, value in given.items() if value is not True]
        if missing:
            said = "; ".join(f"{name} ({CONFIRMATIONS[name]!r})" for name in missing)
            reason = f"verifying needs both confirmations set to true; missing: {said}"
            raise self._refuse(
                principal, alert, detail, Decision.deny(reason, "confirmation_required", 422, missing[0])
            )
        return self._move(principal, alert, ("acknowledged",), "verified", "alert_dispositioned", detail)

    def reject(self, principal: Principal, alert_id: int, reason: str, note: str | None = None) -> Alert:
        alert = self.visible(principal, alert_id)
        detail: dict[str, Any] = {"disposition": reason, "note": note}
        if reason not in REJECTIONS:
            choices = ", ".join(REJECTIONS)
            raise self._refuse(
                principal, alert, detail, Decision.deny(f"reason must be one of {choices}", "invalid", 422, "reason")
            )
        return self._move(
            principal, alert, ("new", "acknowledged"), "rejected", "alert_dispositioned", detail, rejection=reason
        )

    # -- the rules ---------------------------------------------------------------------------------------------
    def _why_not_actionable(self, alert: Alert) -> str | None:
        now = self.clock.now_ms()
        if alert.stale:
            return (
                "this alert is STALE (its feed was out of date when it was raised) and cannot be verified as "
                "actionable; reject it as stale_entry or no_longer_wanted"
            )
        hotlist = self.repository.get_list(alert.list_id)
        if hotlist is not None and hotlist.stale(now):
            return (
                f"the feed {hotlist.id} has not been refreshed within {hotlist.freshness_hours:g} hours: the alert "
                "cannot be verified as actionable"
            )
        entry = self.repository.get_entry(alert.entry_id)
        if entry is not None and entry.removed_ms is not None and hotlist is not None and hotlist.kind == "feed":
            # a feed import replaces every entry: the same plate, region and case on the new import still counts
            entry = self.repository.current_entry(hotlist.id, entry.plate, entry.region, entry.case_number)
        if entry is None or not entry.active(now):
            return (
                "the entry is no longer in force (removed, replaced by a feed import, or expired): reject the alert "
                "as no_longer_wanted"
            )
        return None

    def _move(
        self,
        principal: Principal,
        alert: Alert,
        sources: tuple[AlertStatus, ...],
        target: AlertStatus,
        action: str,
        detail: dict[str, Any],
        rejection: str | None = None,
    ) -> Alert:
        now = self.clock.now_ms()
        try:
            moved = self.alerts.transition(
                alert.id, sources, target, user=principal.name, now_ms=now, rejection=rejection, detail=detail
            )
        except TransitionConflict as conflict:
            self._conflict(principal, conflict.alert, detail, target)
        record(
            self.ledger,
            action,
            user=principal.name,
            agency=alert.agency_id,
            parameters=self._parameters(moved, detail, alert.status),
            case_number=alert.entry.get("case_number"),
        )
        if self.publish is not None:
            self.publish(moved)
        return moved

    def _conflict(self, principal: Principal, alert: Alert, detail: dict[str, Any], target: str) -> NoReturn:
        if alert.status == "new" and target == "verified":
            reason = "acknowledge the alert before verifying it"
        elif alert.status in ("verified", "rejected"):
            reason = f"the alert is {alert.status} already: that is final"
        else:
            reason = f"an alert that is {alert.status} cannot become {target}"
        raise self._refuse(principal, alert, detail, Decision.deny(reason, "conflict", 409, "alert_id"))

    def _refuse(self, principal: Principal, alert: Alert, detail: dict[str, Any], decision: Decision) -> Refused:
        action = "alert_acknowledged" if detail == {} else "alert_dispositioned"
        record(
            self.ledger,
            action,
            user=principal.name,
            agency=alert.agency_id,
            outcome="refused",
            reason=decision.reason,
            parameters=self._parameters(alert, detail, alert.status),
            case_number=alert.entry.get("case_number"),
        )
        return Refused(decision)

    @staticmethod
    def _parameters(alert: Alert, detail: dict[str, Any], before: str) -> dict[str, Any]:
        return {
            "alert_id": alert.id,
            "list_id": alert.list_id,
            "entry_id": alert.entry_id,
            "match_type": alert.match_type,
            "stale": alert.stale,
            "plate": alert.read["plate"],
            "entry_plate": alert.entry["plate"],
            "from": before,
            "to": alert.status,
            **{key: value for key, value in detail.items() if value is not None},
        }

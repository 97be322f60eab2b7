"""The authorization table: every action a principal can attempt, who may do it, registered in this one place.

Each action lists the roles that may perform it within their own agency, the roles that may perform it for any
agency, and the API-key scopes that permit it. `authorize` answers with a Decision that says why. An action not
registered here is refused: deny by default. `audit` names the ledger action a refusal is recorded under (the
services record the allowed ones, with their details).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from plateledger.access.principal import ROLES, Principal, Role
from plateledger.policy.decision import Decision

SEARCHERS: tuple[Role, ...] = ("officer", "supervisor")
REVIEWERS: tuple[Role, ...] = ("auditor", "supervisor")
ADMINS: tuple[Role, ...] = ("agency_admin",)


@dataclass(frozen=True, slots=True)
class ActionRule:
    name: str
    description: str
    roles: frozenset[Role]  # may do it within their own agency
    any_agency: frozenset[Role]  # may do it for any agency
    scopes: frozenset[str]  # API keys with one of these scopes may do it (own agency only)
    audit: str | None  # the ledger action a refusal is recorded under; None: not audited


_ACTIONS: dict[str, ActionRule] = {}


def register(
    name: str,
    description: str,
    *,
    roles: Iterable[Role] = (),
    any_agency: Iterable[Role] = (),
    scopes: Iterable[str] = (),
    audit: str | None = None,
) -> None:
    if name in _ACTIONS:
        raise ValueError(f"action {name!r} is registered twice")
    _ACTIONS[name] = ActionRule(name, description, frozenset(roles), frozenset(any_agency), frozenset(scopes), audit)


# -- reads ---------------------------------------------------------------------------------------------------------
register("search", "search reads (exact, near, wildcard, area)", roles=SEARCHERS, audit="search")
register("read_view", "open a single read", roles=SEARCHERS, audit="read_view")
register("reads_ingest", "send reads from cameras and feeds", scopes=("ingest",), audit="ingest_refused")
register("image_view", "view the plate crop and overview images of a read", roles=SEARCHERS, audit="image_view")
# -- approvals -----------------------------------------------------------------------------------------------------
register("approval_request", "ask a supervisor to approve a search", roles=SEARCHERS, audit="approval_requested")
register("approval_read", "see approval requests (officers: their own)", roles=SEARCHERS)
register(
    "approval_decide", "grant or deny another user's approval request", roles=("supervisor",), audit="approval_granted"
)
# -- audit ---------------------------------------------------------------------------------------------------------
register("audit_read", "list the agency's audit entries", roles=REVIEWERS, scopes=("audit",), audit="audit_view")
register(
    "audit_export", "export the agency's audit as CSV or JSON Lines", roles=REVIEWERS, scopes=("audit",), audit="export"
)
register(
    "audit_verify",
    "verify the ledger's hash chain",
    roles=REVIEWERS,
    any_agency=("system_admin",),
    scopes=("audit",),
    audit="audit_verify",
)
register(
    "audit_anomalies",
    "list patterns in the agency's searches worth a review",
    roles=REVIEWERS,
    scopes=("audit",),
    audit="audit_view",
)
# -- administration ------------------------------------------------------------------------------------------------
register("agency_read", "see agencies (id, name, kind, jurisdiction)", roles=ROLES, any_agency=ROLES)
register("agency_create", "create an agency", any_agency=("system_admin",), audit="agency_created")
register("policy_read", "see an agency's policy", roles=ROLES, any_agency=("system_admin",))
register(
    "policy_change", "change an agency's policy", roles=ADMINS, any_agency=("system_admin",), audit="policy_changed"
)
register("user_read", "list an agency's users", roles=ADMINS, any_agency=("system_admin",))
register("user_create", "create a user", roles=ADMINS, any_agency=("system_admin",), audit="user_created")
register("user_role_change", "change a user's role", roles=ADMINS, any_agency=("system_admin",), audit="role_change")
register("user_unlock", "unlock a locked account", roles=ADMINS, any_agency=("system_admin",), audit="unlock")
register("user_disable", "disable an account", roles=ADMINS, any_agency=("system_admin",), audit="user_disabled")
register("api_key_read", "list an agency's API keys", roles=ADMINS, any_agency=("system_admin",))
register("api_key_create", "issue an API key", roles=ADMINS, any_agency=("system_admin",), audit="api_key_created")
register(
    "api_key_rotate", "rotate an API key's secret", roles=ADMINS, any_agency=("system_admin",), audit="api_key_rotated"
)
register("api_key_revoke", "revoke an API key", roles=ADMINS, any_agency=("system_admin",), audit="api_key_revoked")
register("camera_read", "list an agency's cameras", roles=ROLES, any_agency=("system_admin",))
register("camera_create", "register a camera", roles=ADMINS, audit="camera_created")
register(
    "ingest_binding_read", "see which cameras an ingest key may post for", roles=ADMINS, any_agency=("system_admin",)
)
register(
    "ingest_binding_change",
    "set the cameras and source-camera map of an ingest key",
    roles=ADMINS,
    any_agency=("system_admin",),
    audit="ingest_binding_changed",
)
register("session_read", "see one's own session and principal", roles=ROLES, scopes=("ingest", "audit"))

# -- hot lists and alerts (docs/alerts.md) -------------------------------------------------------------------------
HOTLIST_READERS: tuple[Role, ...] = ("officer", "supervisor", "agency_admin")
HOTLIST_MANAGERS: tuple[Role, ...] = ("supervisor", "agency_admin")
register("hotlist_read", "see the agency's hot lists and their entries", roles=HOTLIST_READERS)
register(
    "hotlist_manage",
    "create hot lists and feeds, import feeds, set exclusions and delivery targets",
    roles=HOTLIST_MANAGERS,
    audit="hotlist_changed",
)
register("hotlist_entry_add", "add or remove entries of a custom hot list", roles=SEARCHERS, audit="hotlist_changed")
register("hotlist_entry_renew", "renew a custom hot-list entry", roles=SEARCHERS, audit="hotlist_entry_renewed")
register("alert_read", "see the agency's alerts and receive them live", roles=SEARCHERS)
register("alert_handle", "acknowledge, verify or reject an alert", roles=SEARCHERS, audit="alert_dispositioned")
register("alert_duty_read", "see who is on duty for alerts", roles=HOTLIST_MANAGERS)
register("alert_stats", "count the agency's alerts by match type and disposition", roles=(*REVIEWERS, "agency_admin"))
register(
    "alert_delivery_read",
    "see alert deliveries (email, SMS, webhook, MQTT) and their failures",
    roles=HOTLIST_MANAGERS,
    any_agency=("system_admin",),
)

ACTIONS: Mapping[str, ActionRule] = MappingProxyType(_ACTIONS)


def authorize(principal: Principal | None, action: str, agency_id: str | None = None) -> Decision:
    """May `principal` do `action` for `agency_id` (None: their own agency)? Always with a reason."""
    rule = ACTIONS.get(action)
    if rule is None:
        return Decision.deny(f"{action!r} is not a registered action", "unknown_action")
    if principal is None:
        return Decision.deny("authentication required: log in or present an API key", "unauthenticated", 401)
    target = principal.agency_id if agency_id is None else agency_id
    own = target == principal.agency_id
    if principal.kind == "api_key":
        if not principal.scopes & rule.scopes:
            return Decision.deny(
                f"an API key without scope {' or '.join(sorted(rule.scopes)) or '(none)'} may not {rule.description}"
            )
        if not own:
            return Decision.deny(f"an API key of {principal.agency_id} may not act for agency {target}")
        return Decision.allow(
            f"API key scope {' or '.join(sorted(principal.scopes & rule.scopes))} may {rule.description}"
        )
    role = principal.role
    if role in rule.any_agency:
        return Decision.allow(f"{role} may {rule.description} for any agency")
    if role not in rule.roles:
        return Decision.deny(f"role {role} may not {rule.description}")
    if not own:
        return Decision.deny(f"role {role} of {principal.agency_id} may not {rule.description} of agency {target}")
    return Decision.allow(f"{role} of {target} may {rule.description}")

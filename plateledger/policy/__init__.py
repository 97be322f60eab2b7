"""The policy gate and the authorization table: who may do what, for which purpose and case, and why not."""

from plateledger.policy.actions import ACTIONS, ActionRule, authorize
from plateledger.policy.agency_policy import PURPOSES, SEARCH_KINDS, AgencyPolicy
from plateledger.policy.approvals import Approval, Approvals
from plateledger.policy.decision import Decision, Refused
from plateledger.policy.gate import PolicyGate, SearchOutcome
from plateledger.policy.policies import PolicyBook
from plateledger.policy.query import SearchQuery

__all__ = [
    "ACTIONS",
    "PURPOSES",
    "SEARCH_KINDS",
    "ActionRule",
    "AgencyPolicy",
    "Approval",
    "Approvals",
    "Decision",
    "PolicyBook",
    "PolicyGate",
    "Refused",
    "SearchOutcome",
    "SearchQuery",
    "authorize",
]

"""Identity: users, roles, passwords, TOTP, sessions and API keys, kept in their own database (access.db).

What a principal may do is decided in plateledger.policy (the authorization table and the gate).
"""

from plateledger.access.apikeys import ApiKey, ApiKeys
from plateledger.access.clock import Clock, ManualClock, SystemClock
from plateledger.access.db import AccessDatabase
from plateledger.access.principal import ROLES, SCOPES, Principal, Role
from plateledger.access.service import Access
from plateledger.access.sessions import Sessions
from plateledger.access.users import AccessError, NewUser, User, Users

__all__ = [
    "ROLES",
    "SCOPES",
    "Access",
    "AccessDatabase",
    "AccessError",
    "ApiKey",
    "ApiKeys",
    "Clock",
    "ManualClock",
    "NewUser",
    "Principal",
    "Role",
    "Sessions",
    "SystemClock",
    "User",
    "Users",
]

"""Users of an agency: list, create (password and TOTP secret shown once), role, unlock, disable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from plateledger.access.principal import Principal
from plateledger.access.users import User
from plateledger.api.auth import CurrentPrincipal, ServicesDep, require
from plateledger.api.convert import user_out
from plateledger.api.routes.agencies import AgencyId
from plateledger.api.schemas.request import RoleChange, UserCreate
from plateledger.api.schemas.response import NewUserOut, UserOut
from plateledger.api.services import Services
from plateledger.api.tags import Tags
from plateledger.policy.decision import Decision, Refused

router = APIRouter(prefix="/api/v1", tags=[Tags.users])
Username = Annotated[str, Path(max_length=64)]


def _only_system_admin_makes_system_admins(principal: Principal, role: str) -> None:
    if role == "system_admin" and principal.role != "system_admin":
        raise Refused(Decision.deny("only a system_admin may give the system_admin role", "forbidden", 403, "role"))


def _target(services: Services, principal: Principal, username: str, action: str) -> User:
    user = services.access.users.get(username.strip().lower())
    if user is None:
        require(services, principal, action, parameters={"username": username})  # refusals first: no probing
        raise Refused(Decision.deny(f"user {username!r} does not exist", "not_found", 404, "username"))
    require(services, principal, action, user.agency_id, parameters={"username": user.username})
    if user.role == "system_admin" and principal.role != "system_admin":
        raise Refused(Decision.deny("only a system_admin may change a system_admin's account", "forbidden", 403))
    return user


@router.get("/agencies/{agency_id}/users")
def list_users(agency_id: AgencyId, principal: CurrentPrincipal, services: ServicesDep) -> list[UserOut]:
    require(services, principal, "user_read", agency_id)
    return [user_out(user) for user in services.access.users.list(agency_id)]


@router.post("/agencies/{agency_id}/users", status_code=201)
def create_user(
    agency_id: AgencyId, body: UserCreate, principal: CurrentPrincipal, services: ServicesDep
) -> NewUserOut:
    """Create a user with a generated password and TOTP secret, both shown only in this answer."""
    require(services, principal, "user_create", agency_id, parameters={"username": body.username, "role": body.role})
    _only_system_admin_makes_system_admins(principal, body.role)
    created = services.access.users.create(agency_id, body.username, body.role, actor=principal.name)
    return NewUserOut(
        username=created.user.username,
        agency_id=created.user.agency_id,
        role=created.user.role,
        password=created.password,
        totp_secret=created.totp_secret,
        totp_uri=created.totp_uri,
    )


@router.put("/users/{username}/role")
def change_role(username: Username, body: RoleChange, principal: CurrentPrincipal, services: ServicesDep) -> UserOut:
    user = _target(services, principal, username, "user_role_change")
    _only_system_admin_makes_system_admins(principal, body.role)
    return user_out(services.access.users.set_role(user.username, body.role, actor=principal.name))


@router.post("/users/{username}/unlock")
def unlock(username: Username, principal: CurrentPrincipal, services: ServicesDep) -> UserOut:
    """Unlock an account locked after repeated failed logins."""
    user = _target(services, principal, username, "user_unlock")
    return user_out(services.access.users.unlock(user.username, actor=principal.name))


@router.post("/users/{username}/disable")
def disable(username: Username, principal: CurrentPrincipal, services: ServicesDep) -> UserOut:
    """Disable an account; its sessions end at once."""
    user = _target(services, principal, username, "user_disable")
    return user_out(services.access.users.disable(user.username, actor=principal.name))

"""Login: password + TOTP, no replayed codes, lockout after 5 failures within 15 minutes until an admin unlocks."""

from __future__ import annotations

import pytest

from access.world import World
from plateledger.access import AccessError


def login_error(world: World, username: str, password: str, code: str) -> AccessError:
    with pytest.raises(AccessError) as error:
        world.access.users.login(username, password, code)
    return error.value


def test_login_with_password_and_code(world: World) -> None:
    created = world.user("alpha", "officer")
    user = world.access.users.login(created.user.username.upper(), created.password, world.totp(created.totp_secret))
    assert user.username == created.user.username and user.mfa_confirmed_ms is not None
    actions = [entry.action for entry in world.entries(user=created.user.username)]
    assert actions == ["mfa_enrolled", "login"]


def test_wrong_password_says_nothing_about_the_code(world: World) -> None:
    created = world.user("alpha", "officer")
    error = login_error(world, created.user.username, "wrong password!", world.totp(created.totp_secret))
    assert (error.status, error.code, error.field) == (401, "invalid_credentials", None)
    unknown = login_error(world, "nobody", "whatever-password", "123456")
    assert (unknown.status, unknown.code, unknown.detail) == (401, error.code, error.detail)


def test_wrong_and_malformed_codes(world: World) -> None:
    created = world.user("alpha", "officer")
    code = world.totp(created.totp_secret)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for bad in (wrong, "12345", "abcdef", ""):
        error = login_error(world, created.user.username, created.password, bad)
        assert (error.status, error.code, error.field) == (401, "totp_invalid", "totp")


def test_a_code_cannot_be_replayed_but_the_next_one_works(world: World) -> None:
    created = world.user("alpha", "officer")
    code = world.totp(created.totp_secret)
    world.access.users.login(created.user.username, created.password, code)
    error = login_error(world, created.user.username, created.password, code)
    assert (error.code, error.field) == ("totp_replayed", "totp")
    previous = world.totp(created.totp_secret, steps_ahead=-1)
    assert login_error(world, created.user.username, created.password, previous).code == "totp_replayed"
    world.clock.advance(30)
    world.access.users.login(created.user.username, created.password, world.totp(created.totp_secret))
    [failed] = world.entries(action="login_failed", user=created.user.username)[:1]
    assert failed.outcome == "refused" and "already used" in failed.reason


def test_codes_one_step_off_are_accepted_two_are_not(world: World) -> None:
    created = world.user("alpha", "officer")
    name, password = created.user.username, created.password
    assert login_error(world, name, password, world.totp(created.totp_secret, steps_ahead=2)).code == "totp_invalid"
    world.access.users.login(name, password, world.totp(created.totp_secret, steps_ahead=1))


def test_five_failures_lock_the_account_even_for_the_right_password(world: World) -> None:
    created = world.user("alpha", "officer")
    name = created.user.username
    for _ in range(5):
        login_error(world, name, "not the password", "000000")
    error = login_error(world, name, created.password, world.totp(created.totp_secret))
    assert (error.status, error.code) == (403, "account_locked")
    assert world.access.users.require(name).locked
    [lockout] = world.entries(action="lockout")
    assert lockout.user == name and lockout.agency == "alpha"
    world.clock.advance(24 * 3600)  # time alone does not unlock
    assert login_error(world, name, created.password, world.totp(created.totp_secret)).code == "account_locked"
    world.access.users.unlock(name, actor="admin1")
    world.access.users.login(name, created.password, world.totp(created.totp_secret))
    [unlock] = world.entries(action="unlock")
    assert unlock.user == "admin1" and unlock.parameters == {"username": name}


def test_failures_spread_over_more_than_15_minutes_do_not_lock(world: World) -> None:
    created = world.user("alpha", "officer")
    name = created.user.username
    for _ in range(4):
        login_error(world, name, "not the password", "000000")
    world.clock.advance(15 * 60 + 1)
    for _ in range(4):
        login_error(world, name, "not the password", "000000")
    assert not world.access.users.require(name).locked
    login_error(world, name, "not the password", "000000")
    assert world.access.users.require(name).locked


def test_wrong_codes_count_toward_lockout(world: World) -> None:
    created = world.user("alpha", "officer")
    for _ in range(5):
        login_error(world, created.user.username, created.password, "000000")
    assert world.access.users.require(created.user.username).locked


def test_a_successful_login_resets_the_count(world: World) -> None:
    created = world.user("alpha", "officer")
    name = created.user.username
    for _ in range(4):
        login_error(world, name, "not the password", "000000")
    world.access.users.login(name, created.password, world.totp(created.totp_secret))
    for _ in range(4):
        login_error(world, name, "not the password", "000000")
    assert not world.access.users.require(name).locked


def test_a_disabled_account_cannot_log_in_and_its_sessions_end(world: World) -> None:
    created = world.user("alpha", "officer")
    token = world.access.sessions.issue(created.user)
    world.access.users.disable(created.user.username, actor="admin1")
    assert login_error(world, created.user.username, created.password, world.totp(created.totp_secret)).code == (
        "account_disabled"
    )
    with pytest.raises(AccessError):
        world.access.authenticate(token)


@pytest.mark.parametrize(
    ("username", "role", "code"),
    [
        ("A", "officer", "invalid_username"),
        ("ok.name", "chief", "invalid_role"),
        ("x y", "officer", "invalid_username"),
    ],
)
def test_user_creation_is_validated(world: World, username: str, role: str, code: str) -> None:
    with pytest.raises(AccessError) as error:
        world.access.users.create("alpha", username, role, actor="test")
    assert error.value.code == code


def test_user_creation_needs_a_known_agency_and_a_free_name(world: World) -> None:
    with pytest.raises(AccessError) as error:
        world.access.users.create("nowhere", "someone", "officer", actor="test")
    assert error.value.status == 404
    world.access.users.create("alpha", "someone", "officer", actor="test")
    with pytest.raises(AccessError) as error:
        world.access.users.create("bravo", "someone", "officer", actor="test")
    assert error.value.status == 409
    [entry] = world.entries(action="user_created", agency="alpha", user="test")[-1:]
    assert entry.parameters == {"username": "someone", "role": "officer"}

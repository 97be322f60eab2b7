"""Passwords (argon2id, 12+ chars), sessions (hashed tokens, idle and absolute limits), API keys."""

from __future__ import annotations

import sqlite3

import pytest

from access.world import FAST_HASHING, World, fast_settings
from plateledger.access import AccessError
from plateledger.access.apikeys import KEY_RECHECK_MS, ApiKeys
from plateledger.access.db import AccessDatabase
from plateledger.access.passwords import PasswordPolicyError, Passwords
from plateledger.access.tokens import digest
from plateledger.config import Settings


def test_passwords_are_argon2id_and_at_least_12_characters(tmp_path: object) -> None:
    passwords = Passwords(fast_settings(tmp_path))  # type: ignore[arg-type]
    with pytest.raises(PasswordPolicyError):
        passwords.hash("short-pass1")
    stored = passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "correct horse battery")
    assert not passwords.verify(stored, "correct horse battery!")
    assert not passwords.verify("not a hash", "x")
    assert len(passwords.generate()) >= 12


def test_production_defaults_are_not_the_test_parameters() -> None:
    defaults = Settings()
    assert (defaults.argon2_time_cost, defaults.argon2_memory_kib, defaults.argon2_parallelism) == (3, 65536, 4)
    assert {key: getattr(defaults, key) for key in FAST_HASHING} != FAST_HASHING
    with pytest.raises(ValueError):
        Settings(password_min_length=8)


def test_a_login_with_old_parameters_rehashes(world: World) -> None:
    created = world.user("alpha", "officer")
    old_hash = created.user.password_hash
    world.access.passwords = Passwords(fast_settings(world.access.settings.data_dir, argon2_time_cost=2))
    world.access.users.passwords = world.access.passwords
    world.access.users.login(created.user.username, created.password, world.totp(created.totp_secret))
    assert world.access.users.require(created.user.username).password_hash != old_hash


def test_session_tokens_are_stored_hashed(world: World) -> None:
    token = world.token("alpha", "officer")
    with world.access.db.read() as connection:
        stored = [row[0] for row in connection.execute("SELECT token_hash FROM sessions")]
    assert token not in stored and digest(token) in stored


def test_sessions_end_after_30_idle_minutes(world: World) -> None:
    token = world.token("alpha", "officer")
    world.clock.advance(29 * 60)
    assert world.access.authenticate(token).agency_id == "alpha"  # use refreshes the idle timer
    world.clock.advance(29 * 60)
    world.access.authenticate(token)
    world.clock.advance(30 * 60)
    with pytest.raises(AccessError) as error:
        world.access.authenticate(token)
    assert (error.value.status, error.value.code) == (401, "session_expired")
    assert "idle" in error.value.detail
    with pytest.raises(AccessError) as error:
        world.access.authenticate(token)
    assert error.value.code == "session_ended"


def test_sessions_end_after_12_hours_however_busy(world: World) -> None:
    token = world.token("alpha", "officer")
    for _ in range(12 * 4 - 1):
        world.clock.advance(15 * 60)
        world.access.authenticate(token)
    world.clock.advance(15 * 60)
    with pytest.raises(AccessError) as error:
        world.access.authenticate(token)
    assert "maximum" in error.value.detail


def test_logout_and_forged_tokens(world: World) -> None:
    token = world.token("alpha", "officer")
    principal = world.access.authenticate(token)
    world.access.sessions.end(principal)
    for bad in (token, token + "x", "pls_forged", "", "plk_nothing.here", "plk_"):
        with pytest.raises(AccessError) as error:
            world.access.authenticate(bad)
        assert error.value.status == 401


def test_api_keys_default_to_ingest_rotate_and_revoke(world: World) -> None:
    keys = world.access.api_keys
    key, token = keys.create("alpha", "north gate", actor="admin1")
    assert key.scopes == ("ingest",)
    principal = world.access.authenticate(token)
    assert (principal.kind, principal.agency_id, principal.scopes) == ("api_key", "alpha", frozenset({"ingest"}))
    with world.access.db.read() as connection:
        assert token.split(".")[1] not in str(connection.execute("SELECT * FROM api_keys").fetchall())
    _, rotated = keys.rotate(key.id, actor="admin1")
    with pytest.raises(AccessError):
        world.access.authenticate(token)
    world.access.authenticate(rotated)
    keys.revoke(key.id, actor="admin1")
    with pytest.raises(AccessError) as error:
        world.access.authenticate(rotated)
    assert error.value.code == "api_key_revoked"
    with pytest.raises(AccessError):
        keys.rotate(key.id, actor="admin1")
    actions = [entry.action for entry in world.entries(user="admin1")]
    assert actions == ["api_key_created", "api_key_rotated", "api_key_revoked"]


def test_a_key_changed_by_another_process_is_read_again_within_the_recheck_time(world: World) -> None:
    keys = world.access.api_keys
    key, token = keys.create("alpha", "north gate", actor="admin1")
    assert world.access.authenticate(token).agency_id == "alpha"  # its row is now known in memory
    # Another server on the same files (its own connection, its own memory) revokes the key.
    other = ApiKeys(AccessDatabase(world.access.db.path), world.clock, world.services.ledger)
    try:
        other.revoke(key.id, actor="admin1")
    finally:
        other.db.close()
    world.clock.advance((KEY_RECHECK_MS - 1) / 1000)
    assert world.access.authenticate(token).agency_id == "alpha"
    with pytest.raises(AccessError) as wrong:  # a wrong secret never passes, known row or not
        world.access.authenticate(token[:-2] + ("xy" if not token.endswith("xy") else "zz"))
    assert wrong.value.code == "invalid_api_key"
    world.clock.advance(1 / 1000)
    with pytest.raises(AccessError) as error:
        world.access.authenticate(token)
    assert error.value.code == "api_key_revoked"


def test_a_key_rotated_by_another_process_takes_its_new_secret_at_once(world: World) -> None:
    keys = world.access.api_keys
    key, token = keys.create("alpha", "north gate", actor="admin1")
    assert world.access.authenticate(token).agency_id == "alpha"  # the old secret's row is known in memory
    other = ApiKeys(AccessDatabase(world.access.db.path), world.clock, world.services.ledger)
    try:
        _, rotated = other.rotate(key.id, actor="admin1")
    finally:
        other.db.close()
    assert world.access.authenticate(rotated).agency_id == "alpha"  # the agent's next post, on another worker
    with pytest.raises(AccessError):
        world.access.authenticate(token)


def test_api_key_scopes_are_explicit_and_known(world: World) -> None:
    key, _ = world.access.api_keys.create("alpha", "siem", ["audit"], actor="t")
    assert key.scopes == ("audit",)
    with pytest.raises(AccessError) as error:
        world.access.api_keys.create("alpha", "bad", ["everything"], actor="t")
    assert error.value.field == "scopes"


def test_access_database_is_versioned_durable_and_refuses_newer(world: World, tmp_path: object) -> None:
    from plateledger.access.db import AccessDatabase
    from plateledger.access.migrations import MIGRATIONS
    from plateledger.store.contract import SchemaTooNew

    path = world.access.db.path
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with world.access.db.read() as own:
        assert own.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    connection.close()
    with pytest.raises(SchemaTooNew):
        AccessDatabase(path)

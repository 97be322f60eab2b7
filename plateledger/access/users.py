"""User accounts: creation with a generated password and TOTP secret, login with lockout, unlock, disable."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from plateledger.access.clock import Clock
from plateledger.access.db import AccessDatabase
from plateledger.access.passwords import Passwords
from plateledger.access.principal import ROLES, Role
from plateledger.access.recorder import Recorder, record
from plateledger.access.totp import check_code, new_secret, provisioning_uri
from plateledger.config import Settings

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_COLUMNS = (
    "id, username, agency_id, role, password_hash, totp_secret, totp_last_step, mfa_confirmed_ms, last_login_ms, "
    "locked_ms, disabled_ms, created_ms"
)


class AccessError(Exception):
    """A refused identity operation: HTTP status, a stable code, the reason in words, the field at fault."""

    def __init__(self, status: int, code: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    agency_id: str
    role: Role
    password_hash: str
    totp_secret: str
    totp_last_step: int
    mfa_confirmed_ms: int | None
    last_login_ms: int | None
    locked_ms: int | None
    disabled_ms: int | None
    created_ms: int

    @property
    def locked(self) -> bool:
        return self.locked_ms is not None

    @property
    def disabled(self) -> bool:
        return self.disabled_ms is not None


@dataclass(frozen=True, slots=True)
class NewUser:
    """A created account and its secrets, shown once."""

    user: User
    password: str
    totp_secret: str
    totp_uri: str


def _user(row: tuple) -> User:  # type: ignore[type-arg]
    return User(*row)


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise AccessError(422, "invalid_username", "2-64 characters: a-z, 0-9, '.', '_' or '-'", "username")
    return name


class Users:
    def __init__(
        self, db: AccessDatabase, passwords: Passwords, settings: Settings, clock: Clock, ledger: Recorder
    ) -> None:
        self.db = db
        self.passwords = passwords
        self.settings = settings
        self.clock = clock
        self.ledger = ledger

    # -- records ------------------------------------------------------------------------------------------------
    def get(self, username: str) -> User | None:
        with self.db.read() as connection:
            row = connection.execute(f"SELECT {_COLUMNS} FROM users WHERE username = ?", (username,)).fetchone()
        return None if row is None else _user(row)

    def get_by_id(self, user_id: int) -> User | None:
        with self.db.read() as connection:
            row = connection.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()
        return None if row is None else _user(row)

    def require(self, username: str) -> User:
        user = self.get(username.strip().lower())
        if user is None:
            raise AccessError(404, "not_found", f"user {username!r} does not exist", "username")
        return user

    def list(self, agency_id: str | None = None) -> list[User]:
        with self.db.read() as connection:
            if agency_id is None:
                rows = connection.execute(f"SELECT {_COLUMNS} FROM users ORDER BY username").fetchall()
            else:
                query = f"SELECT {_COLUMNS} FROM users WHERE agency_id = ? ORDER BY username"
                rows = connection.execute(query, (agency_id,)).fetchall()
        return [_user(row) for row in rows]

    # -- administration -------------------------------------------------------------------------------------------
    def create(self, agency_id: str, username: str, role: str, *, actor: str, password: str | None = None) -> NewUser:
        name = check_username(username)
        if role not in ROLES:
            raise AccessError(422, "invalid_role", f"role must be one of {', '.join(ROLES)}", "role")
        password = password if password is not None else self.passwords.generate()
        try:
            password_hash = self.passwords.hash(password)
        except ValueError as error:
            raise AccessError(422, "weak_password", str(error), "password") from None
        secret = new_secret()
        now = self.clock.now_ms()
        try:
            with self.db.write() as connection:
                if (
                    connection.execute("SELECT 1 FROM agency_policies WHERE agency_id = ?", (agency_id,)).fetchone()
                    is None
                ):
                    raise AccessError(404, "unknown_agency", f"agency {agency_id!r} does not exist", "agency")
                connection.execute(
                    "INSERT INTO users (username, agency_id, role, password_hash, totp_secret, created_ms, created_by) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (name, agency_id, role, password_hash, secret, now, actor),
                )
        except sqlite3.IntegrityError:
            raise AccessError(409, "conflict", f"user {name!r} exists already", "username") from None
        record(self.ledger, "user_created", user=actor, agency=agency_id, parameters={"username": name, "role": role})
        user = self.get(name)
        assert user is not None
        return NewUser(user, password, secret, provisioning_uri(secret, name, self.settings.totp_issuer))

    def _set(self, user: User, sql: str, values: tuple[object, ...]) -> User:
        with self.db.write() as connection:
            connection.execute(f"UPDATE users SET {sql} WHERE id = ?", (*values, user.id))
        updated = self.get_by_id(user.id)
        assert updated is not None
        return updated

    def unlock(self, username: str, *, actor: str) -> User:
        user = self.require(username)
        # The failures that caused the lockout are kept for the record but no longer count.
        updated = self._set(user, "locked_ms = NULL, failures_reset_ms = ?", (self.clock.now_ms(),))
        record(self.ledger, "unlock", user=actor, agency=user.agency_id, parameters={"username": user.username})
        return updated

    def disable(self, username: str, *, actor: str) -> User:
        user = self.require(username)
        now = self.clock.now_ms()
        with self.db.write() as connection:
            connection.execute("UPDATE users SET disabled_ms = coalesce(disabled_ms, ?) WHERE id = ?", (now, user.id))
            connection.execute(
                "UPDATE sessions SET ended_ms = ? WHERE user_id = ? AND ended_ms IS NULL", (now, user.id)
            )
        record(self.ledger, "user_disabled", user=actor, agency=user.agency_id, parameters={"username": user.username})
        return self.require(user.username)

    def set_role(self, username: str, role: str, *, actor: str) -> User:
        user = self.require(username)
        if role not in ROLES:
            raise AccessError(422, "invalid_role", f"role must be one of {', '.join(ROLES)}", "role")
        updated = self._set(user, "role = ?", (role,))
        record(
            self.ledger,
            "role_change",
            user=actor,
            agency=user.agency_id,
            parameters={"username": user.username, "from": user.role, "to": role},
        )
        return updated

    # -- login ------------------------------------------------------------------------------------------------------
    def _fail(self, username: str, user: User | None, reason: str, error: AccessError) -> AccessError:
        """Count a failed login, lock the account at the threshold, record both; return the error to raise."""
        now = self.clock.now_ms()
        window_start = now - self.settings.lockout_window_seconds * 1000
        locked_now = False
        with self.db.write() as connection:
            connection.execute(
                "INSERT INTO failed_logins (username, at_ms, reason) VALUES (?, ?, ?)", (username, now, reason)
            )
            if user is not None and not user.locked:
                reset = connection.execute("SELECT failures_reset_ms FROM users WHERE id = ?", (user.id,)).fetchone()
                since = max(window_start, (reset[0] or 0) + 1)
                failures = connection.execute(
                    "SELECT count(*) FROM failed_logins WHERE username = ? AND at_ms >= ?", (username, since)
                ).fetchone()[0]
                if failures >= self.settings.lockout_failures:
                    connection.execute("UPDATE users SET locked_ms = ? WHERE id = ?", (now, user.id))
                    locked_now = True
        agency = None if user is None else user.agency_id
        record(self.ledger, "login_failed", user=username, agency=agency, outcome="refused", reason=reason)
        if locked_now:
            detail = f"{self.settings.lockout_failures} failed logins within {self.settings.lockout_window_seconds} s"
            record(self.ledger, "lockout", user=username, agency=agency, outcome="refused", reason=detail)
        return error

    def login(self, username: str, password: str, code: str) -> User:
        """The user, if password and one-time code are right and the account is usable; else AccessError."""
        name = username.strip().lower()
        user = self.get(name)
        invalid = AccessError(401, "invalid_credentials", "the username or password is wrong")
        if user is None:
            self.passwords.verify(None, password)
            raise self._fail(name, None, "unknown user", invalid)
        if user.locked:
            record(self.ledger, "login_failed", user=name, agency=user.agency_id, outcome="refused", reason="locked")
            raise AccessError(403, "account_locked", "the account is locked; an administrator must unlock it")
        if not self.passwords.verify(user.password_hash, password):
            raise self._fail(name, user, "wrong password", invalid)
        if user.disabled:
            record(self.ledger, "login_failed", user=name, agency=user.agency_id, outcome="refused", reason="disabled")
            raise AccessError(403, "account_disabled", "the account is disabled")
        now = self.clock.now_ms()
        check = check_code(user.totp_secret, code, now, user.totp_last_step)
        if not check.ok:
            error = AccessError(
                401, "totp_replayed" if "used" in check.reason else "totp_invalid", check.reason, "totp"
            )
            raise self._fail(name, user, check.reason, error)
        with self.db.write() as connection:
            # Conditional on the step so two logins racing with one code cannot both succeed.
            cursor = connection.execute(
                "UPDATE users SET totp_last_step = ?, last_login_ms = ?, failures_reset_ms = ?, "
                "mfa_confirmed_ms = coalesce(mfa_confirmed_ms, ?) WHERE id = ? AND totp_last_step < ?",
                (check.step, now, now, now, user.id, check.step),
            )
            replayed = cursor.rowcount == 0
        if replayed:
            error = AccessError(401, "totp_replayed", "this one-time code was already used", "totp")
            raise self._fail(name, user, "replayed one-time code", error)
        if self.passwords.needs_rehash(user.password_hash):
            self._set(user, "password_hash = ?", (self.passwords.rehash(password),))
        if user.mfa_confirmed_ms is None:
            record(self.ledger, "mfa_enrolled", user=name, agency=user.agency_id, parameters={"method": "totp"})
        record(self.ledger, "login", user=name, agency=user.agency_id)
        return self.require(name)

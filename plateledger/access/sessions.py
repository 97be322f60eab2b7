"""Login sessions: opaque bearer tokens, stored hashed, ending after an idle period and an absolute limit."""

from __future__ import annotations

from plateledger.access.clock import Clock
from plateledger.access.db import AccessDatabase
from plateledger.access.principal import Principal
from plateledger.access.recorder import Recorder, record
from plateledger.access.tokens import digest, new_session_token
from plateledger.access.users import AccessError, User
from plateledger.config import Settings


class Sessions:
    def __init__(self, db: AccessDatabase, settings: Settings, clock: Clock, ledger: Recorder) -> None:
        self.db = db
        self.clock = clock
        self.ledger = ledger
        self.idle_ms = settings.session_idle_seconds * 1000
        self.absolute_ms = settings.session_absolute_seconds * 1000
        # last_seen is written at most this often, so a burst of requests is not a burst of fsyncs.
        self.touch_interval_ms = min(5_000, self.idle_ms // 10)

    def issue(self, user: User) -> str:
        """A new session for a user who has just authenticated; the token is returned once."""
        token = new_session_token()
        now = self.clock.now_ms()
        with self.db.write() as connection:
            connection.execute(
                "INSERT INTO sessions (token_hash, user_id, created_ms, last_seen_ms) VALUES (?, ?, ?, ?)",
                (digest(token), user.id, now, now),
            )
        return token

    def expires_ms(self, created_ms: int, last_seen_ms: int) -> int:
        return min(last_seen_ms + self.idle_ms, created_ms + self.absolute_ms)

    def resolve(self, token: str) -> Principal:
        """The user behind a session token, refreshing its idle timer; AccessError(401) when not valid."""
        token_hash = digest(token)
        now = self.clock.now_ms()
        with self.db.read() as connection:
            row = connection.execute(
                "SELECT s.created_ms, s.last_seen_ms, s.ended_ms, u.username, u.agency_id, u.role, u.disabled_ms, "
                "u.locked_ms FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
                (token_hash,),
            ).fetchone()
        if row is None:
            raise AccessError(401, "invalid_session", "the session token is not valid; log in again")
        created_ms, last_seen_ms, ended_ms, username, agency_id, role, disabled_ms, locked_ms = row
        if ended_ms is not None:
            raise AccessError(401, "session_ended", "the session was ended; log in again")
        if disabled_ms is not None or locked_ms is not None:
            raise AccessError(401, "session_ended", "the account is locked or disabled")
        if now >= self.expires_ms(created_ms, last_seen_ms):
            self._end(token_hash, now)
            idle = now - last_seen_ms >= self.idle_ms
            reason = "idle for too long" if idle else "past its maximum length"
            record(self.ledger, "logout", user=username, agency=agency_id, reason=f"session expired: {reason}")
            raise AccessError(401, "session_expired", f"the session expired ({reason}); log in again")
        if now - last_seen_ms >= self.touch_interval_ms:
            with self.db.write() as connection:
                connection.execute("UPDATE sessions SET last_seen_ms = ? WHERE token_hash = ?", (now, token_hash))
        return Principal(kind="user", name=username, agency_id=agency_id, role=role, session_hash=token_hash)

    def _end(self, token_hash: str, now: int) -> None:
        with self.db.write() as connection:
            connection.execute(
                "UPDATE sessions SET ended_ms = ? WHERE token_hash = ? AND ended_ms IS NULL", (now, token_hash)
            )

    def end(self, principal: Principal) -> None:
        """Log out: the session's token stops working at once."""
        if principal.session_hash is None:
            raise AccessError(400, "no_session", "this credential is not a login session")
        self._end(principal.session_hash, self.clock.now_ms())
        record(self.ledger, "logout", user=principal.name, agency=principal.agency_id)

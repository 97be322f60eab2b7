"""API keys: machine credentials for cameras, feeds and integrations. Scoped, rotatable, revocable.

A key is shown once, as `plk_<id>.<secret>`; only the SHA-256 of the secret is stored. The id part is not
secret: it names the key in the audit and finds its row.

Every ingest post presents its key, on the server's event loop. Reading the key's row each time put a SQLite
call (and the access database's lock) in front of every request: under load the loop waited on it for half of
its time. So a key's row, once read, is trusted for KEY_RECHECK_MS. Rotating or revoking through this object
takes effect at once; a change made by another process (another server on the same files) within that time.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

from plateledger.access.clock import Clock
from plateledger.access.db import AccessDatabase
from plateledger.access.principal import SCOPES, Principal
from plateledger.access.recorder import Recorder, record
from plateledger.access.tokens import api_key_token, digest, new_key_id, new_key_secret, split_api_key
from plateledger.access.users import AccessError

_COLUMNS = "id, agency_id, name, scopes, created_ms, created_by, rotated_ms, revoked_ms, last_used_ms"
DEFAULT_SCOPES = ("ingest",)
KEY_RECHECK_MS = 2_000


@dataclass(frozen=True, slots=True)
class _KnownKey:
    """What `resolve` needs of a key's row, and when it was read."""

    secret_hash: str
    revoked: bool
    principal: Principal
    read_ms: int


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    agency_id: str
    name: str
    scopes: tuple[str, ...]
    created_ms: int
    created_by: str
    rotated_ms: int | None
    revoked_ms: int | None
    last_used_ms: int | None

    @property
    def principal_name(self) -> str:
        return f"api_key:{self.id}"


def _key(row: tuple) -> ApiKey:  # type: ignore[type-arg]
    key_id, agency_id, name, scopes, *rest = row
    return ApiKey(key_id, agency_id, name, tuple(json.loads(scopes)), *rest)


def check_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(sorted(set(scopes))) or DEFAULT_SCOPES
    unknown = [scope for scope in chosen if scope not in SCOPES]
    if unknown:
        raise AccessError(422, "invalid_scope", f"unknown scope {unknown[0]!r}; known: {', '.join(SCOPES)}", "scopes")
    return chosen


class ApiKeys:
    def __init__(self, db: AccessDatabase, clock: Clock, ledger: Recorder) -> None:
        self.db = db
        self.clock = clock
        self.ledger = ledger
        self._known: dict[str, _KnownKey] = {}  # key id -> its row as last read (keys that exist only)

    def get(self, key_id: str) -> ApiKey:
        with self.db.read() as connection:
            row = connection.execute(f"SELECT {_COLUMNS} FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        if row is None:
            raise AccessError(404, "not_found", f"API key {key_id!r} does not exist", "key_id")
        return _key(row)

    def list(self, agency_id: str) -> list[ApiKey]:
        with self.db.read() as connection:
            rows = connection.execute(
                f"SELECT {_COLUMNS} FROM api_keys WHERE agency_id = ? ORDER BY created_ms, id", (agency_id,)
            ).fetchall()
        return [_key(row) for row in rows]

    def create(self, agency_id: str, name: str, scopes: Iterable[str] = (), *, actor: str) -> tuple[ApiKey, str]:
        """A new key and its token (shown once)."""
        chosen = check_scopes(scopes)
        if not name.strip() or len(name) > 100:
            raise AccessError(422, "invalid_name", "a key needs a name of 1-100 characters", "name")
        key_id, secret = new_key_id(), new_key_secret()
        now = self.clock.now_ms()
        with self.db.write() as connection:
            if connection.execute("SELECT 1 FROM agency_policies WHERE agency_id = ?", (agency_id,)).fetchone() is None:
                raise AccessError(404, "unknown_agency", f"agency {agency_id!r} does not exist", "agency")
            connection.execute(
                "INSERT INTO api_keys (id, agency_id, name, scopes, secret_hash, created_ms, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key_id, agency_id, name.strip(), json.dumps(list(chosen)), digest(secret), now, actor),
            )
        record(
            self.ledger,
            "api_key_created",
            user=actor,
            agency=agency_id,
            parameters={"key_id": key_id, "name": name.strip(), "scopes": list(chosen)},
        )
        return self.get(key_id), api_key_token(key_id, secret)

    def rotate(self, key_id: str, *, actor: str) -> tuple[ApiKey, str]:
        """A new secret for the key; the old one stops working at once."""
        key = self.get(key_id)
        if key.revoked_ms is not None:
            raise AccessError(409, "revoked", "a revoked key cannot be rotated", "key_id")
        secret = new_key_secret()
        with self.db.write() as connection:
            connection.execute(
                "UPDATE api_keys SET secret_hash = ?, rotated_ms = ? WHERE id = ?",
                (digest(secret), self.clock.now_ms(), key_id),
            )
        self._known.pop(key_id, None)
        record(self.ledger, "api_key_rotated", user=actor, agency=key.agency_id, parameters={"key_id": key_id})
        return self.get(key_id), api_key_token(key_id, secret)

    def revoke(self, key_id: str, *, actor: str) -> ApiKey:
        key = self.get(key_id)
        with self.db.write() as connection:
            connection.execute(
                "UPDATE api_keys SET revoked_ms = coalesce(revoked_ms, ?) WHERE id = ?", (self.clock.now_ms(), key_id)
            )
        self._known.pop(key_id, None)
        record(self.ledger, "api_key_revoked", user=actor, agency=key.agency_id, parameters={"key_id": key_id})
        return self.get(key_id)

    def resolve(self, token: str) -> Principal:
        """The principal behind an API key token; AccessError(401) when it is unknown, wrong or revoked."""
        parts = split_api_key(token)
        invalid = AccessError(401, "invalid_api_key", "the API key is not valid")
        if parts is None:
            raise invalid
        key_id, secret = parts
        known = self._known_key(key_id)
        if known is not None and not hmac.compare_digest(known.secret_hash, digest(secret)):
            self._known.pop(key_id, None)  # perhaps rotated through another process: look once more
            known = self._known_key(key_id)
        if known is None or not hmac.compare_digest(known.secret_hash, digest(secret)):
            raise invalid
        if known.revoked:
            raise AccessError(401, "api_key_revoked", "the API key was revoked")
        return known.principal

    def _known_key(self, key_id: str) -> _KnownKey | None:
        """The key's row, from memory when read less than KEY_RECHECK_MS ago; None when there is no such key."""
        now = self.clock.now_ms()
        known = self._known.get(key_id)
        if known is not None and 0 <= now - known.read_ms < KEY_RECHECK_MS:
            return known
        with self.db.read() as connection:
            row = connection.execute(
                "SELECT agency_id, scopes, secret_hash, revoked_ms FROM api_keys WHERE id = ?", (key_id,)
            ).fetchone()
        if row is None:
            self._known.pop(key_id, None)
            return None
        principal = Principal(
            kind="api_key", name=f"api_key:{key_id}", agency_id=row[0], scopes=frozenset(json.loads(row[1]))
        )
        known = self._known[key_id] = _KnownKey(row[2], row[3] is not None, principal, now)
        return known

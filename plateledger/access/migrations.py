"""Versioned migrations of the access database, tracked in PRAGMA user_version.

Append a new script to MIGRATIONS to change the schema; never edit one that has shipped. Each script runs in
its own transaction together with the user_version bump, so a crash leaves the database at a known version.
"""

from __future__ import annotations

import sqlite3

from plateledger.sqlitefile import migrate_file

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE agency_policies (
        agency_id TEXT PRIMARY KEY,
        policy TEXT NOT NULL,               -- JSON of plateledger.policy.agency_policy.AgencyPolicy
        updated_ms INTEGER NOT NULL,
        updated_by TEXT NOT NULL
    );
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        agency_id TEXT NOT NULL,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        totp_secret TEXT NOT NULL,
        totp_last_step INTEGER NOT NULL DEFAULT -1,   -- the last accepted time-step: a code is never reused
        mfa_confirmed_ms INTEGER,
        last_login_ms INTEGER,
        failures_reset_ms INTEGER,          -- failed logins before this (a login, an unlock) no longer count
        locked_ms INTEGER,
        disabled_ms INTEGER,
        created_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE INDEX users_agency ON users (agency_id);
    CREATE TABLE failed_logins (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE INDEX failed_logins_user ON failed_logins (username, at_ms);
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,        -- SHA-256 of the bearer token; the token itself is never stored
        user_id INTEGER NOT NULL REFERENCES users (id),
        created_ms INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL,
        ended_ms INTEGER
    );
    CREATE INDEX sessions_user ON sessions (user_id);
    CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        agency_id TEXT NOT NULL,
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,               -- JSON list
        secret_hash TEXT NOT NULL,          -- SHA-256 of the secret part
        created_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        rotated_ms INTEGER,
        revoked_ms INTEGER,
        last_used_ms INTEGER
    );
    CREATE INDEX api_keys_agency ON api_keys (agency_id);
    CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        agency_id TEXT NOT NULL,
        requester TEXT NOT NULL,
        request TEXT NOT NULL,              -- canonical JSON of the search it approves
        request_hash TEXT NOT NULL,
        kind TEXT NOT NULL,
        purpose TEXT,
        case_number TEXT,
        status TEXT NOT NULL CHECK (status IN ('pending', 'granted', 'denied')),
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        decided_by TEXT,
        decided_ms INTEGER,
        reasons TEXT,                       -- why the search needs approval
        note TEXT                           -- the supervisor's note on the decision
    );
    CREATE INDEX approvals_agency ON approvals (agency_id, created_ms);
    """,
)


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the database to the latest version; return that version."""
    migrate_file(connection, MIGRATIONS, "access database")
    return len(MIGRATIONS)

"""Versioned migrations of the hot-list database (DIR/hotlists.db), tracked in PRAGMA user_version.

One file holds the lists, their entries, the alerts raised on them, the alerts' history and deliveries, and
who is on duty. Append a script to MIGRATIONS to change the schema; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3

from plateledger.sqlitefile import migrate_file

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE lists (
        id TEXT PRIMARY KEY,
        agency_id TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('custom', 'feed')),
        description TEXT NOT NULL DEFAULT '',
        feed_format TEXT,                   -- ncic, genetec, mapped (feeds only)
        feed_mapping TEXT,                  -- JSON column mapping (format 'mapped')
        feed_source TEXT,                   -- file path or http(s) URL fetched on schedule
        refresh_minutes INTEGER,            -- schedule; NULL: on demand only
        freshness_hours REAL NOT NULL,      -- alerts from a feed older than this are STALE
        excluded_categories TEXT NOT NULL DEFAULT '[]',   -- JSON list; public (transparency)
        last_refreshed_ms INTEGER,
        last_import TEXT,                   -- JSON summary of the last import
        targets TEXT NOT NULL DEFAULT '[]', -- JSON delivery targets for every alert of the list
        created_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE INDEX lists_agency ON lists (agency_id);
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        list_id TEXT NOT NULL REFERENCES lists (id),
        agency_id TEXT NOT NULL,
        plate TEXT NOT NULL,
        skeleton TEXT NOT NULL,
        region TEXT,                        -- ISO 3166-2; NULL: any region (said explicitly at entry)
        category TEXT NOT NULL,
        reason TEXT NOT NULL,
        case_number TEXT NOT NULL,
        owner TEXT NOT NULL,
        vehicle TEXT NOT NULL DEFAULT '{}', -- JSON: make, model, colour, year, vin
        attributes TEXT NOT NULL DEFAULT '{}',
        effective_ms INTEGER NOT NULL,
        expires_ms INTEGER,                 -- NULL only for feed entries: the feed's own refresh replaces them
        targets TEXT NOT NULL DEFAULT '[]',
        created_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        renewed_ms INTEGER,
        renewed_by TEXT,
        removed_ms INTEGER,
        removed_by TEXT
    );
    CREATE INDEX entries_list ON entries (list_id, removed_ms);
    CREATE INDEX entries_plate ON entries (skeleton);
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        agency_id TEXT NOT NULL,
        list_id TEXT NOT NULL,
        entry_id INTEGER NOT NULL,
        camera_id TEXT NOT NULL,
        read_id INTEGER NOT NULL,
        last_read_id INTEGER NOT NULL,
        read TEXT NOT NULL,                 -- JSON: plate, plate_raw, region, region_assumed, confidence, observed_ms
        entry TEXT NOT NULL,                -- JSON snapshot of the entry as matched
        match_type TEXT NOT NULL CHECK (match_type IN ('exact', 'region_mismatch', 'near')),
        stale INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('new', 'acknowledged', 'verified', 'rejected')),
        rejection TEXT,
        count INTEGER NOT NULL DEFAULT 1,
        first_ms INTEGER NOT NULL,          -- observation time of the first read
        last_ms INTEGER NOT NULL,           -- observation time of the latest collapsed read
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
    );
    CREATE INDEX alerts_agency ON alerts (agency_id, id);
    CREATE INDEX alerts_collapse ON alerts (entry_id, camera_id, last_ms);
    CREATE TABLE alert_events (
        id INTEGER PRIMARY KEY,
        alert_id INTEGER NOT NULL REFERENCES alerts (id),
        at_ms INTEGER NOT NULL,
        user TEXT NOT NULL,
        from_status TEXT NOT NULL,
        to_status TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX alert_events_alert ON alert_events (alert_id);
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        alert_id INTEGER NOT NULL,
        agency_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        target TEXT NOT NULL,               -- the target with its secrets masked
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'retrying', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        next_attempt_ms INTEGER,
        delivered_ms INTEGER
    );
    CREATE INDEX deliveries_agency ON deliveries (agency_id, status, id);
    CREATE TABLE duty (
        username TEXT PRIMARY KEY,
        agency_id TEXT NOT NULL,
        on_duty INTEGER NOT NULL,
        changed_ms INTEGER NOT NULL
    );
    """,
    # 2: a count of the changes the match index is built from (entries, feed imports, exclusions), bumped in
    # the same transaction as each: a process sees that another one (the command line beside a running
    # server) changed them, and rebuilds its index
    """
    CREATE TABLE index_generation (
        only INTEGER PRIMARY KEY CHECK (only = 1),
        value INTEGER NOT NULL
    );
    INSERT INTO index_generation (only, value) VALUES (1, 0);
    """,
    # 3: what each process published to its live alert streams, for the other processes on the same data
    # directory to publish to theirs (kept for a few minutes)
    """
    CREATE TABLE alert_feed (
        id INTEGER PRIMARY KEY,
        alert_id INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('alert', 'alert_repeat', 'alert_update')),
        origin TEXT NOT NULL,               -- the AlertStore (one per process) that published it itself
        at_ms INTEGER NOT NULL
    );
    """,
)


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the database to the latest version; return that version."""
    migrate_file(connection, MIGRATIONS, "hot-list database")
    return len(MIGRATIONS)

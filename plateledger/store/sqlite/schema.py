"""The SQLite schema as a list of migrations; `PRAGMA user_version` records how many have run.

A file from an older version upgrades in place when opened; a file from a newer version of plateledger is
refused, since this code cannot know what the newer schema means.
"""

import sqlite3
from pathlib import Path

from plateledger.sqlitefile import migrate_file
from plateledger.store.contract import SchemaTooNew

# Migration N (1-based) brings a file from version N-1 to N. Never edit a released step: add a new one.
MIGRATIONS: tuple[str, ...] = (
    # 1: registry, plate dictionary, passes with their packed frames.
    """
    CREATE TABLE agencies (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('local', 'state', 'federal', 'private')),
        jurisdiction TEXT NOT NULL
    );
    CREATE TABLE cameras (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        agency INTEGER NOT NULL REFERENCES agencies(id),
        kind TEXT NOT NULL CHECK (kind IN ('fixed', 'mobile')),
        description TEXT NOT NULL DEFAULT '',
        created_ms INTEGER NOT NULL DEFAULT 0,
        site INTEGER
    );
    -- A camera's position over time: moving a fixed camera opens a new site, so old reads keep theirs.
    CREATE TABLE sites (
        id INTEGER PRIMARY KEY,
        camera INTEGER NOT NULL REFERENCES cameras(id),
        lat_e6 INTEGER,
        lon_e6 INTEGER,
        heading_x10 INTEGER,
        since_ms INTEGER NOT NULL
    );
    CREATE TABLE regions (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);
    -- Distinct plates. (skeleton, plate) serves both plate -> id and near search by skeleton.
    CREATE TABLE plates (id INTEGER PRIMARY KEY, plate TEXT NOT NULL, skeleton TEXT NOT NULL);
    CREATE UNIQUE INDEX plates_by_skeleton ON plates (skeleton, plate);
    CREATE TABLE passes (
        id INTEGER PRIMARY KEY,
        plate INTEGER NOT NULL,
        region INTEGER NOT NULL,
        site INTEGER NOT NULL,
        first_ms INTEGER NOT NULL,
        cell INTEGER NOT NULL,
        lat_e6 INTEGER,
        lon_e6 INTEGER,
        best INTEGER NOT NULL,
        frames BLOB NOT NULL
    );
    CREATE INDEX passes_by_plate ON passes (plate, first_ms);
    CREATE INDEX passes_by_cell ON passes (cell, first_ms);
    -- Other plate readings inside a pass (a frame read 8 as B), so exact search finds every raw read.
    CREATE TABLE pass_plates (
        plate INTEGER NOT NULL,
        first_ms INTEGER NOT NULL,
        pass INTEGER NOT NULL,
        PRIMARY KEY (plate, first_ms, pass)
    ) WITHOUT ROWID;
    -- The camera software's read ids, scoped by agency: they make ingest idempotent.
    CREATE TABLE read_sources (
        agency INTEGER NOT NULL,
        source_id TEXT NOT NULL,
        read_id INTEGER NOT NULL,
        PRIMARY KEY (agency, source_id)
    ) WITHOUT ROWID;
    CREATE TABLE read_candidates (read_id INTEGER PRIMARY KEY, candidates TEXT NOT NULL);
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO counters VALUES ('reads', 0);
    """,
    # 2: trigram index of distinct plates for wildcard search.
    """
    CREATE VIRTUAL TABLE plate_trigrams USING fts5(
        plate, content='plates', content_rowid='id', tokenize='trigram', detail='none'
    );
    INSERT INTO plate_trigrams (plate_trigrams) VALUES ('rebuild');
    """,
    # 3: the area index covers what area search filters on (site, own position), so the walk over a cell's
    # passes of the day reads index pages only, and never a pass row it then throws away.
    """
    DROP INDEX passes_by_cell;
    CREATE INDEX passes_by_cell ON passes (cell, first_ms, site, lat_e6, lon_e6);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(path: str) -> int:
    """The schema version of a file, read without changing it (0 for a new file)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(connection.execute("PRAGMA user_version").fetchone()[0])
    finally:
        connection.close()


def check_not_newer(path: str) -> None:
    if Path(path).exists() and (found := schema_version(path)) > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"this database has schema version {found}, but this plateledger knows versions up to "
            f"{SCHEMA_VERSION}: upgrade plateledger to open it"
        )


def migrate(connection: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the file up to `target`, each step in its own transaction. Returns the version found."""
    return migrate_file(connection, MIGRATIONS, "database", target)

"""The PostgreSQL schema as a list of migrations; the `schema_version` table records how many have run.

A schema from an older version upgrades in place when opened; one from a newer version of plateledger is
refused before anything is changed. Each step runs in one transaction with its version bump, under an
advisory lock so that two processes opening the same schema do not both run it.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from plateledger.store.contract import SchemaTooNew, StoreError
from plateledger.store.postgres.connection import TRIGRAM_EXTENSION, extension_schema

# Migration N (1-based) brings a schema from version N-1 to N. Never edit a released step: add a new one.
# Ids of the registry and dictionary tables are allocated as max(id) + 1 under a table lock, like SQLite's.
MIGRATIONS: tuple[str, ...] = (
    # 1: registry, plate dictionary, passes with their packed frames.
    """
    CREATE TABLE agencies (
        id integer PRIMARY KEY,
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('local', 'state', 'federal', 'private')),
        jurisdiction text NOT NULL
    );
    CREATE TABLE cameras (
        id integer PRIMARY KEY,
        code text NOT NULL UNIQUE,
        agency integer NOT NULL REFERENCES agencies(id),
        kind text NOT NULL CHECK (kind IN ('fixed', 'mobile')),
        description text NOT NULL DEFAULT '',
        created_ms bigint NOT NULL DEFAULT 0,
        site integer
    );
    CREATE TABLE sites (
        id integer PRIMARY KEY,
        camera integer NOT NULL REFERENCES cameras(id),
        lat_e6 integer,
        lon_e6 integer,
        heading_x10 integer,
        since_ms bigint NOT NULL
    );
    CREATE TABLE regions (id integer PRIMARY KEY, code text NOT NULL UNIQUE);
    CREATE TABLE plates (id integer PRIMARY KEY, plate text NOT NULL, skeleton text NOT NULL);
    CREATE UNIQUE INDEX plates_by_skeleton ON plates (skeleton, plate);
    CREATE TABLE passes (
        id bigint PRIMARY KEY,
        plate integer NOT NULL,
        region integer NOT NULL,
        site integer NOT NULL,
        first_ms bigint NOT NULL,
        cell integer NOT NULL,
        lat_e6 integer,
        lon_e6 integer,
        best integer NOT NULL,
        frames bytea NOT NULL
    );
    CREATE INDEX passes_by_plate ON passes (plate, first_ms);
    CREATE INDEX passes_by_cell ON passes (cell, first_ms);
    CREATE TABLE pass_plates (
        plate integer NOT NULL,
        first_ms bigint NOT NULL,
        pass bigint NOT NULL,
        PRIMARY KEY (plate, first_ms, pass)
    );
    CREATE TABLE read_sources (
        agency integer NOT NULL,
        source_id text NOT NULL,
        read_id bigint NOT NULL,
        PRIMARY KEY (agency, source_id)
    );
    CREATE TABLE read_candidates (read_id bigint PRIMARY KEY, candidates text NOT NULL);
    CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);
    INSERT INTO counters VALUES ('reads', 0);
    """,
    # 2: trigram index of distinct plates for wildcard search (pg_trgm, installed database-wide).
    "CREATE INDEX plates_by_trigram ON plates USING gin (plate {trgm}.gin_trgm_ops);",
    # 3: the area index carries what area search filters on (site, own position): index-only steps over the
    # passes of a cell that lie outside the area.
    """
    DROP INDEX passes_by_cell;
    CREATE INDEX passes_by_cell ON passes (cell, first_ms) INCLUDE (site, lat_e6, lon_e6);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
_NEEDS_TRIGRAMS = 2  # the first step that needs pg_trgm


def schema_version(connection: psycopg.Connection) -> int:
    """The version of the schema on the connection's search path, read without changing it (0 when new)."""
    exists = connection.execute("SELECT to_regclass('schema_version')").fetchone()
    if exists is None or exists[0] is None:
        return 0
    row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    return 0 if row is None or row[0] is None else int(row[0])


def check_not_newer(connection: psycopg.Connection) -> int:
    found = schema_version(connection)
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"this database schema has version {found}, but this plateledger knows versions up to "
            f"{SCHEMA_VERSION}: upgrade plateledger to open it"
        )
    return found


def ensure_trigram_extension(connection: psycopg.Connection) -> str:
    """Install pg_trgm in the database if it is not there yet; returns the schema it lives in."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(hashtext('plateledger:pg_trgm'))")
        found = extension_schema(connection)
        if found is not None:
            return found
        available = connection.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = %s", (TRIGRAM_EXTENSION,)
        ).fetchone()
        if available is None:
            raise StoreError(
                "the PostgreSQL server lacks the pg_trgm extension, which wildcard search needs: install the "
                "server's contrib modules (Debian: postgresql-contrib, shipped with the postgresql package)"
            )
        try:
            with connection.transaction():
                connection.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
        except psycopg.errors.InsufficientPrivilege as error:
            raise StoreError(
                f"cannot install pg_trgm ({error}): have a database owner run CREATE EXTENSION pg_trgm once"
            ) from None
        found = extension_schema(connection)
        assert found is not None
        return found


def migrate(connection: psycopg.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema up to `target`, each step in its own transaction. Returns the version found."""
    found = check_not_newer(connection)
    trigram_schema = ensure_trigram_extension(connection) if found < target and target >= _NEEDS_TRIGRAMS else ""
    for version in range(found + 1, target + 1):
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(hashtext('plateledger:migrate:' || current_schema()))")
            connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
            current = schema_version(connection)
            if current >= version:
                continue  # another process ran this step meanwhile
            step = MIGRATIONS[version - 1]
            if "{trgm}" in step:
                step = step.replace("{trgm}", sql.Identifier(trigram_schema).as_string(connection))
            connection.execute(step)  # type: ignore[arg-type]  # our own constant text
            connection.execute("DELETE FROM schema_version")
            connection.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
    return found

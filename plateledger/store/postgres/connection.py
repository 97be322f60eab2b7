"""Opening PostgreSQL connections: autocommit (transactions are explicit) and the store's search path."""

from __future__ import annotations

import psycopg
from psycopg import sql

TRIGRAM_EXTENSION = "pg_trgm"


def connect(dsn: str, search_path: list[str] | None = None) -> psycopg.Connection:
    """A connection in autocommit mode: an idle reader holds no snapshot; writers open `transaction()` blocks.

    Commits are durable with PostgreSQL's default synchronous_commit=on; it is set explicitly so a server
    configured otherwise does not weaken the store's promise.
    """
    connection = psycopg.connect(dsn, autocommit=True)
    try:
        connection.execute("SET synchronous_commit = on")
        if search_path:
            names = sql.SQL(", ").join(sql.Identifier(name) for name in search_path)
            connection.execute(sql.SQL("SET search_path TO {}").format(names))
    except BaseException:
        connection.close()
        raise
    return connection


def extension_schema(connection: psycopg.Connection) -> str | None:
    """The schema pg_trgm is installed in, or None when it is not installed in this database."""
    row = connection.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = %s",
        (TRIGRAM_EXTENSION,),
    ).fetchone()
    return None if row is None else str(row[0])

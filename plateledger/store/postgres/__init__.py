"""The PostgreSQL backend: the same layout as the SQLite one, in a schema of a PostgreSQL database."""

from plateledger.store.postgres.store import PostgresReadStore

__all__ = ["PostgresReadStore"]

"""Scratch schemas for tests: each store in a schema of its own, named uniquely per test session, dropped after.

Parallel test sessions on one server never collide (the names carry the process id and a random part), and
a session that ends drops whatever it left behind. Few stores stay open at once: each holds two connections,
and a property test opening a store per example would otherwise exhaust the server's max_connections.
"""

from __future__ import annotations

import atexit
import itertools
import os
import uuid

import psycopg
from psycopg import sql

from plateledger.store.postgres.store import PostgresReadStore

DEFAULT_TEST_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=5"
MAX_OPEN_STORES = 8


def test_dsn() -> str:
    return os.environ.get("PLATELEDGER_TEST_POSTGRES_DSN", DEFAULT_TEST_DSN)


class ScratchStore(PostgresReadStore):
    """A store that drops its schema when closed."""

    def __init__(self, dsn: str, *, schema: str, owner: ScratchSchemas) -> None:
        self._owner = owner
        super().__init__(dsn, schema=schema)

    def close(self) -> None:
        super().close()
        self._owner.drop(self.schema or "")


class ScratchSchemas:
    def __init__(self, dsn: str | None = None) -> None:
        self.dsn = dsn or test_dsn()
        self.prefix = f"pl_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self._numbers = itertools.count()
        self._open: list[ScratchStore] = []
        self._unreachable: str | None = None
        self._checked = False
        atexit.register(self.drop_all)

    def unreachable(self) -> str | None:
        """Why the server cannot be used for tests, or None when it can."""
        if not self._checked:
            self._checked = True
            try:
                psycopg.connect(self.dsn, autocommit=True).close()
            except psycopg.Error as error:
                self._unreachable = f"PostgreSQL is unreachable at {self.dsn!r}: {error}".strip()
        return self._unreachable

    def new_name(self) -> str:
        return f"{self.prefix}_{next(self._numbers)}"

    def open_store(self) -> ScratchStore:
        while len(self._open) >= MAX_OPEN_STORES:
            self._open.pop(0).close()
        store = ScratchStore(self.dsn, schema=self.new_name(), owner=self)
        self._open.append(store)
        return store

    def drop(self, schema: str) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))

    def drop_all(self) -> None:
        if self._checked and self._unreachable is None:
            for store in self._open:
                store.close()
            self._open.clear()
            with psycopg.connect(self.dsn, autocommit=True) as connection:
                names = connection.execute(
                    "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)", (self.prefix,)
                ).fetchall()
                for (name,) in names:
                    connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))

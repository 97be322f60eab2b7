"""The SQLite plate dictionary: plate text <-> integer id, cached in memory with a bound."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from plateledger.plates.skeleton import skeleton
from plateledger.store.sqlite.dictionary import PlateDictionary
from plateledger.store.sqlite.schema import migrate


def with_skeletons(*plates: str) -> dict[str, str]:
    return {plate: skeleton(plate) for plate in plates}


@pytest.fixture
def connection() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    migrate(connection)
    yield connection
    connection.close()


def test_ids_are_stable_and_shared_between_caches(connection: sqlite3.Connection) -> None:
    plates = PlateDictionary()
    first = dict(plates.ids_for(connection, with_skeletons("7ABC123", "5SOW350")))
    again = dict(plates.ids_for(connection, with_skeletons("5SOW350", "5S0W350")))
    assert again["5SOW350"] == first["5SOW350"]
    assert len({first["7ABC123"], first["5SOW350"], again["5S0W350"]}) == 3
    fresh = PlateDictionary()  # another process, or after a restart: same ids from the database
    assert fresh.id_of(connection, "5S0W350") == again["5S0W350"]
    assert fresh.id_of(connection, "9NEVER9") is None
    assert fresh.texts(connection, [first["7ABC123"], again["5S0W350"]]) == {
        first["7ABC123"]: "7ABC123",
        again["5S0W350"]: "5S0W350",
    }
    assert connection.execute("SELECT count(*) FROM plates").fetchone()[0] == 3


def test_a_full_cache_still_answers_for_every_plate_asked(connection: sqlite3.Connection) -> None:
    plates = PlateDictionary(limit=3)
    first = dict(plates.ids_for(connection, with_skeletons("7ABC123", "8XYZ999")))
    ids = plates.ids_for(connection, with_skeletons("7ABC123", "5SOW350", "9DEF456"))
    assert ids["7ABC123"] == first["7ABC123"]
    assert {"5SOW350", "9DEF456"} <= set(ids)
    assert connection.execute("SELECT count(*) FROM plates").fetchone()[0] == 4

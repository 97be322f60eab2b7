"""Agencies, cameras and camera sites on PostgreSQL: the SQLite registry's cache, with PostgreSQL's SQL.

Loading and the in-memory lookups are the backend-neutral part of `store.sqlite.registry.Registry` (its SQL
there has no parameters, so it runs unchanged); the writes are redone here. Ids are max(id) + 1: the store
locks the registry tables for the write transaction (see PostgresReadStore._write).
"""

from __future__ import annotations

from typing import Any

import psycopg

from plateledger.store.contract import Agency, Camera, NotFound, StoreError
from plateledger.store.sqlite.registry import Registry, heading_x10, to_e6

REGISTRY_TABLES = "agencies, cameras, sites"


def next_id(connection: psycopg.Connection, table: str) -> int:
    row = connection.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()  # type: ignore[arg-type]
    assert row is not None
    return int(row[0])


class PostgresRegistry(Registry):
    placeholder = "%s"

    def add_agency(self, connection: Any, agency: Agency) -> None:
        try:
            with connection.transaction():  # a savepoint: the error leaves the outer transaction usable
                connection.execute(
                    "INSERT INTO agencies (id, code, name, kind, jurisdiction) VALUES (%s, %s, %s, %s, %s)",
                    (next_id(connection, "agencies"), agency.id, agency.name, agency.kind, agency.jurisdiction),
                )
        except psycopg.IntegrityError as error:
            raise StoreError(f"agency {agency.id!r} exists already or is invalid: {error}") from None
        self.load(connection)

    def add_camera(self, connection: Any, camera: Camera) -> None:
        agency = self.agency_ids.get(camera.agency_id)
        if agency is None:
            self.load(connection)  # another process may have registered it
            agency = self.agency_ids.get(camera.agency_id)
        if agency is None:
            raise NotFound(f"agency {camera.agency_id!r} does not exist")
        if camera.kind == "fixed" and (camera.lat is None or camera.lon is None):
            raise StoreError("a fixed camera needs its position (lat, lon)")
        if camera.kind == "mobile" and camera.lat is not None:
            raise StoreError("a mobile camera has no fixed position: its reads carry GPS")
        camera_id = next_id(connection, "cameras")
        try:
            with connection.transaction():
                connection.execute(
                    "INSERT INTO cameras (id, code, agency, kind, description, created_ms) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    (camera_id, camera.id, agency, camera.kind, camera.description, camera.created_ms),
                )
        except psycopg.IntegrityError:
            raise StoreError(f"camera {camera.id!r} exists already") from None
        self._open_site(connection, camera_id, camera.lat, camera.lon, camera.heading, camera.created_ms)
        self.load(connection)

    @staticmethod
    def _open_site(
        connection: Any,
        camera_id: int | None,
        lat: float | None,
        lon: float | None,
        heading: float | None,
        since_ms: int,
    ) -> None:
        site = next_id(connection, "sites")
        connection.execute(
            "INSERT INTO sites (id, camera, lat_e6, lon_e6, heading_x10, since_ms) VALUES (%s, %s, %s, %s, %s, %s)",
            (
                site,
                camera_id,
                None if lat is None else to_e6(lat),
                None if lon is None else to_e6(lon),
                heading_x10(heading),
                since_ms,
            ),
        )
        connection.execute("UPDATE cameras SET site = %s WHERE id = %s", (site, camera_id))

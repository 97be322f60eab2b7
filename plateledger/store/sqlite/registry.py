"""Agencies, cameras and camera sites, cached in memory: every read names its camera."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from plateledger.store.contract import Agency, Area, Camera, NotFound, StoreError
from plateledger.store.geo import cell_of, contains, to_e6


@dataclass(frozen=True, slots=True)
class CameraRow:
    id: int
    code: str
    agency: int
    agency_code: str
    kind: str
    site: int
    created_ms: int


@dataclass(frozen=True, slots=True)
class SiteRow:
    id: int
    camera_code: str
    agency_code: str
    agency: int
    since_ms: int
    lat_e6: int | None
    lon_e6: int | None
    heading_x10: int | None
    cell: int


def heading_x10(value: float | None) -> int | None:
    return None if value is None else round(value * 10) % 3600


class Registry:
    placeholder = "?"  # of the SQL parameters in the reads shared by both backends (PostgreSQL: %s)

    def __init__(self) -> None:
        self.cameras: dict[str, CameraRow] = {}
        self.sites: dict[int, SiteRow] = {}
        self.agency_ids: dict[str, int] = {}
        self.agency_codes: dict[int, str] = {}
        self.history: dict[int, list[SiteRow]] = {}  # camera id -> its sites, newest first

    def load(self, connection: sqlite3.Connection) -> None:
        """Read the whole registry again. Other threads read these maps meanwhile (ingest's writer while a
        request lists the cameras), so each is built aside and published whole, the sites before the cameras:
        a camera that can be seen always has its site."""
        agency_ids = dict(connection.execute("SELECT code, id FROM agencies").fetchall())
        agency_codes = {value: key for key, value in agency_ids.items()}
        cameras = {
            code: CameraRow(camera_id, code, agency, agency_codes[agency], kind, site, created)
            for camera_id, code, agency, kind, site, created in connection.execute(
                "SELECT id, code, agency, kind, site, created_ms FROM cameras"
            )
        }
        by_id = {camera.id: camera for camera in cameras.values()}
        sites: dict[int, SiteRow] = {}
        history: dict[int, list[SiteRow]] = {}
        for site_id, camera_id, lat_e6, lon_e6, heading, since_ms in connection.execute(
            "SELECT id, camera, lat_e6, lon_e6, heading_x10, since_ms FROM sites ORDER BY since_ms DESC, id DESC"
        ):
            camera = by_id.get(camera_id)
            if camera is None:  # registered through another connection after the cameras were read: next load
                continue
            cell = cell_of(lat_e6 / 1e6, lon_e6 / 1e6) if lat_e6 is not None else -1
            site = SiteRow(
                site_id, camera.code, camera.agency_code, camera.agency, since_ms, lat_e6, lon_e6, heading, cell
            )
            sites[site_id] = site
            history.setdefault(camera_id, []).append(site)
        self.agency_ids, self.agency_codes = agency_ids, agency_codes
        self.sites, self.history = sites, history
        self.cameras = cameras

    def camera(self, connection: sqlite3.Connection, code: str) -> CameraRow | None:
        found = self.cameras.get(code)
        if found is None:
            self.load(connection)  # another process may have registered it
            found = self.cameras.get(code)
        return found

    def stale(self, connection: sqlite3.Connection) -> bool:
        """Whether another process registered or moved a camera since the last load (sites are never changed
        or deleted, only added: a move opens a new one)."""
        newest = connection.execute("SELECT max(id) FROM sites").fetchone()[0]
        return newest is not None and newest not in self.sites

    def site_at(self, camera: CameraRow, observed_ms: int) -> SiteRow:
        """Where the camera stood at a time: a read buffered before a move keeps the old position."""
        current = self.sites[camera.site]
        if observed_ms >= current.since_ms:
            return current
        for site in self.history[camera.id]:
            if site.since_ms <= observed_ms:
                return site
        return self.history[camera.id][-1]

    def sites_inside(self, connection: sqlite3.Connection, area: Area) -> list[int]:
        """Ids of the fixed camera sites (current and former) whose position lies inside the area."""
        if self.stale(connection):
            self.load(connection)  # a camera registered or moved by another process counts too
        return [
            site.id
            for site in self.sites.values()
            if site.lat_e6 is not None and contains(area, site.lat_e6 / 1e6, site.lon_e6 / 1e6)  # type: ignore[operator]
        ]

    def site(self, connection: sqlite3.Connection, site_id: int) -> SiteRow:
        found = self.sites.get(site_id)
        if found is None:
            self.load(connection)
            found = self.sites[site_id]
        return found

    # -- writes (the caller holds the write lock and commits) --------------------------------------------------
    def add_agency(self, connection: sqlite3.Connection, agency: Agency) -> None:
        try:
            connection.execute(
                "INSERT INTO agencies (code, name, kind, jurisdiction) VALUES (?, ?, ?, ?)",
                (agency.id, agency.name, agency.kind, agency.jurisdiction),
            )
        except sqlite3.IntegrityError as error:
            raise StoreError(f"agency {agency.id!r} exists already or is invalid: {error}") from None
        self.load(connection)

    def add_camera(self, connection: sqlite3.Connection, camera: Camera) -> None:
        agency = self.agency_ids.get(camera.agency_id)
        if agency is None:
            self.load(connection)  # another process may have added the agency
            agency = self.agency_ids.get(camera.agency_id)
        if agency is None:
            raise NotFound(f"agency {camera.agency_id!r} does not exist")
        if camera.kind == "fixed" and (camera.lat is None or camera.lon is None):
            raise StoreError("a fixed camera needs its position (lat, lon)")
        if camera.kind == "mobile" and camera.lat is not None:
            raise StoreError("a mobile camera has no fixed position: its reads carry GPS")
        try:
            camera_id = connection.execute(
                "INSERT INTO cameras (code, agency, kind, description, created_ms) VALUES (?, ?, ?, ?, ?)",
                (camera.id, agency, camera.kind, camera.description, camera.created_ms),
            ).lastrowid
        except sqlite3.IntegrityError:
            raise StoreError(f"camera {camera.id!r} exists already") from None
        self._open_site(connection, camera_id, camera.lat, camera.lon, camera.heading, camera.created_ms)
        self.load(connection)

    def move_camera(
        self,
        connection: sqlite3.Connection,
        code: str,
        lat: float,
        lon: float,
        heading: float | None,
        since_ms: int,
    ) -> None:
        camera = self.camera(connection, code)
        if camera is None:
            raise NotFound(f"camera {code!r} does not exist")
        if camera.kind != "fixed":
            raise StoreError("only a fixed camera has a position to move")
        self._open_site(connection, camera.id, lat, lon, heading, since_ms)
        self.load(connection)

    @staticmethod
    def _open_site(
        connection: sqlite3.Connection,
        camera_id: int | None,
        lat: float | None,
        lon: float | None,
        heading: float | None,
        since_ms: int,
    ) -> None:
        site = connection.execute(
            "INSERT INTO sites (camera, lat_e6, lon_e6, heading_x10, since_ms) VALUES (?, ?, ?, ?, ?)",
            (
                camera_id,
                None if lat is None else to_e6(lat),
                None if lon is None else to_e6(lon),
                heading_x10(heading),
                since_ms,
            ),
        ).lastrowid
        connection.execute("UPDATE cameras SET site = ? WHERE id = ?", (site, camera_id))

    def agencies(self, connection: sqlite3.Connection) -> list[Agency]:
        return [
            Agency(code, name, kind, jurisdiction)
            for code, name, kind, jurisdiction in connection.execute(
                "SELECT code, name, kind, jurisdiction FROM agencies ORDER BY code"
            )
        ]

    def camera_record(self, connection: sqlite3.Connection, code: str) -> Camera:
        row = self.camera(connection, code)
        if row is None:
            raise NotFound(f"camera {code!r} does not exist")
        description = connection.execute(
            f"SELECT description FROM cameras WHERE id = {self.placeholder}", (row.id,)
        ).fetchone()[0]
        site = self.site(connection, row.site)
        return Camera(
            id=row.code,
            agency_id=row.agency_code,
            kind=row.kind,  # type: ignore[arg-type]
            description=description,
            lat=None if site.lat_e6 is None else site.lat_e6 / 1e6,
            lon=None if site.lon_e6 is None else site.lon_e6 / 1e6,
            heading=None if site.heading_x10 is None else site.heading_x10 / 10,
            created_ms=row.created_ms,
        )

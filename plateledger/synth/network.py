"""The synthetic camera network: metros laid out as street grids, their agencies, fixed cameras and patrol cars.

Each metro is a square grid of streets around its centre (spacing 170-240 m, the city's real block size), every
fourth street an arterial. Fixed cameras stand at intersections, mostly on arterials, each watching one
direction of travel ("Mission St & 16th St, northbound"); a private agency's cameras cluster around its mall.
Patrol cars are mobile cameras with a beat (a grid node they cruise around, see routes.py).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from plateledger.store.contract import Agency, AgencyKind, Camera
from plateledger.synth.places import METRO_SPECS, MetroSpec

METRES_PER_DEGREE = 111_320.0
ARTERIAL_EVERY = 4
DIRECTIONS = ("northbound", "eastbound", "southbound", "westbound")  # index * 90 = heading in degrees
_ROLE_KIND: dict[str, AgencyKind] = {
    "city": "local",
    "county": "local",
    "state": "state",
    "private": "private",
    "federal": "federal",
}
# Share of the non-private fixed cameras, and of the patrol cars, each role runs.
_FIXED_ROLE_WEIGHTS = {"city": 0.60, "county": 0.16, "state": 0.15, "federal": 0.09}
_PATROL_ROLE_WEIGHTS = {"city": 0.60, "county": 0.25, "state": 0.15}
PRIVATE_SHARE = 0.10  # of a metro's fixed cameras, around the private agency's mall


@dataclass(frozen=True)
class Metro:
    """A metro area: a street grid of nx by ny intersections centred on (lat, lon)."""

    name: str
    region: str  # ISO 3166-2, e.g. "US-CA"
    lat: float
    lon: float
    spacing_m: float
    tz_offset_h: int = 0
    nx: int = 12
    ny: int = 12
    ns_streets: tuple[str, ...] = ()  # street x runs north-south
    ew_streets: tuple[str, ...] = ()  # street y runs east-west

    def node(self, x: float, y: float) -> tuple[float, float]:
        """(lat, lon) of grid point (x, y); x grows eastwards, y northwards."""
        north = (y - (self.ny - 1) / 2) * self.spacing_m
        east = (x - (self.nx - 1) / 2) * self.spacing_m
        lat = self.lat + north / METRES_PER_DEGREE
        lon = self.lon + east / (METRES_PER_DEGREE * math.cos(math.radians(self.lat)))
        return lat, lon

    def bounds(self) -> tuple[float, float, float, float]:
        """(south, west, north, east) of the grid, one block of margin around it."""
        south, west = self.node(-1, -1)
        north, east = self.node(self.nx, self.ny)
        return south, west, north, east

    def is_arterial(self, index: int) -> bool:
        return index % ARTERIAL_EVERY == ARTERIAL_EVERY // 2


@dataclass(frozen=True)
class Network:
    """Agencies, cameras and metros. `placement` maps a camera id to (metro index, x, y, direction):
    the intersection and the direction of travel (0 N, 1 E, 2 S, 3 W) a fixed camera watches; for a patrol
    car the grid node of its beat and direction -1."""

    agencies: list[Agency]
    cameras: list[Camera]
    metros: list[Metro]
    placement: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    def metro_of(self, camera_id: str) -> Metro:
        return self.metros[self.placement[camera_id][0]]


def _street_names(arterials: tuple[str, ...], locals_: tuple[str, ...], count: int, suffix: str) -> list[str]:
    """Names for `count` parallel streets: arterial slots take arterial names, the rest local names."""
    art, loc = list(arterials), list(locals_)
    names: list[str] = []
    spare = 100
    for index in range(count):
        pool = art if index % ARTERIAL_EVERY == ARTERIAL_EVERY // 2 else loc
        if pool:
            names.append(pool.pop(0))
        elif art or loc:
            names.append((art or loc).pop(0))
        else:
            spare += 1
            names.append(f"{spare}th {suffix}")
    return names


def grid_size(fixed_cameras: int) -> int:
    """Intersections per side: about five watched directions to a camera, 12 to 64 streets."""
    return max(12, min(64, round(2.2 * math.sqrt(max(fixed_cameras, 1)))))


def _metro(spec: MetroSpec, fixed_cameras: int) -> Metro:
    size = grid_size(fixed_cameras)
    return Metro(
        name=spec.name,
        region=spec.region,
        lat=spec.lat,
        lon=spec.lon,
        spacing_m=spec.spacing_m,
        tz_offset_h=spec.tz_offset_h,
        nx=size,
        ny=size,
        ns_streets=tuple(_street_names(spec.ns_arterials, spec.ns_locals, size, "Ave")),
        ew_streets=tuple(_street_names(spec.ew_arterials, spec.ew_locals, size, "St")),
    )


def _slot_weight(metro: Metro, x: int, y: int, direction: int) -> float:
    """How likely an agency puts a camera watching `direction` at (x, y): arterial crossings first."""
    along_ns = direction in (0, 2)
    along_arterial = metro.is_arterial(x) if along_ns else metro.is_arterial(y)
    cross_arterial = metro.is_arterial(y) if along_ns else metro.is_arterial(x)
    if along_arterial and cross_arterial:
        return 6.0
    if along_arterial:
        return 2.0
    if cross_arterial:
        return 0.3
    return 0.05


def _weighted_sample(rng: random.Random, items: list[tuple[int, int, int]], weights: list[float], k: int) -> list:
    """k items without replacement, by weight (Efraimidis-Spirakis keys)."""
    keyed = sorted(((rng.random() ** (1.0 / w), item) for item, w in zip(items, weights, strict=True)), reverse=True)
    return [item for _, item in keyed[:k]]


def _description(metro: Metro, x: int, y: int, direction: int) -> str:
    along, cross = (metro.ns_streets[x], metro.ew_streets[y])
    if direction in (1, 3):
        along, cross = cross, along
    return f"{along} & {cross}, {DIRECTIONS[direction]}"


def _choose(rng: random.Random, weights: dict[str, float], available: dict[str, str]) -> str:
    roles = [role for role in weights if role in available]
    return available[rng.choices(roles, weights=[weights[r] for r in roles])[0]]


def build_network(
    seed: int = 7, *, metros: int = 3, fixed_cameras_per_metro: int = 120, patrol_cars_per_metro: int = 15
) -> Network:
    """A deterministic network of `metros` metros (from the catalogue, in order) with their agencies."""
    if not 1 <= metros <= len(METRO_SPECS):
        raise ValueError(f"metros must be 1..{len(METRO_SPECS)}")
    if fixed_cameras_per_metro < 0 or patrol_cars_per_metro < 0:
        raise ValueError("camera counts cannot be negative")
    rng = random.Random(f"plateledger-network:{seed}")
    agencies: list[Agency] = []
    cameras: list[Camera] = []
    metro_list: list[Metro] = []
    placement: dict[str, tuple[int, int, int, int]] = {}
    for index, spec in enumerate(METRO_SPECS[:metros]):
        metro = _metro(spec, fixed_cameras_per_metro)
        metro_list.append(metro)
        by_role = {a.role: a.id for a in spec.agencies}
        for a in spec.agencies:
            agencies.append(Agency(a.id, a.name, _ROLE_KIND[a.role], spec.region))
        slots = [(x, y, d) for x in range(metro.nx) for y in range(metro.ny) for d in range(4)]
        count = min(fixed_cameras_per_metro, len(slots))
        private = round(count * PRIVATE_SHARE) if "private" in by_role else 0
        mall_x, mall_y = rng.randrange(2, metro.nx - 2), rng.randrange(2, metro.ny - 2)
        near_mall = [s for s in slots if abs(s[0] - mall_x) <= 2 and abs(s[1] - mall_y) <= 2]
        private_slots = rng.sample(near_mall, min(private, len(near_mall)))
        taken = set(private_slots)
        rest = [s for s in slots if s not in taken]
        public_slots = _weighted_sample(rng, rest, [_slot_weight(metro, *s) for s in rest], count - len(taken))
        numbers: dict[str, int] = {}
        chosen = [(s, by_role["private"]) for s in private_slots]
        chosen += [(s, _choose(rng, _FIXED_ROLE_WEIGHTS, by_role)) for s in public_slots]
        for (x, y, d), agency_id in sorted(chosen, key=lambda c: (c[1], c[0])):
            numbers[agency_id] = numbers.get(agency_id, 0) + 1
            camera_id = f"{agency_id}-cam{numbers[agency_id]:03d}"
            lat, lon = metro.node(x, y)
            description = _description(metro, x, y, d)
            cameras.append(Camera(camera_id, agency_id, "fixed", description, round(lat, 6), round(lon, 6), d * 90.0))
            placement[camera_id] = (index, x, y, d)
        for _ in range(patrol_cars_per_metro):
            agency_id = _choose(rng, _PATROL_ROLE_WEIGHTS, by_role)
            numbers[agency_id + "/car"] = car = numbers.get(agency_id + "/car", 0) + 1
            camera_id = f"{agency_id}-car{car:02d}"
            name = next(a.name for a in spec.agencies if a.id == agency_id)
            cameras.append(Camera(camera_id, agency_id, "mobile", f"{name} patrol car {car}, vehicle-mounted"))
            placement[camera_id] = (index, rng.randrange(metro.nx), rng.randrange(metro.ny), -1)
    return Network(agencies=agencies, cameras=cameras, metros=metro_list, placement=placement)

"""Geometry for area search: grid cells, bounding boxes, distances and point-in-polygon tests.

The spatial key is a grid cell of 0.01 degree of latitude by 0.01 degree of longitude (about 1.1 km by 0.85 km
at 40 degrees north). A pass is indexed by (cell, time), so an area query over a day is a handful of index
range scans, one per cell under the area's bounding box.
"""

import math

from plateledger.store.contract import Area, Circle

CELLS_PER_DEGREE = 100
EARTH_RADIUS_M = 6_371_008.8
MAX_CELLS = 4096  # an area needing more cells than this is refused: it is not a local area search


def to_e6(value: float) -> int:
    """Degrees as integer micro-degrees (about 0.1 m), the stored form of coordinates."""
    return round(value * 1_000_000)


def cell_of(lat: float, lon: float) -> int:
    """The grid cell holding a point, as one integer (row << 16 | column)."""
    row = int((lat + 90.0) * CELLS_PER_DEGREE)
    column = int((lon + 180.0) * CELLS_PER_DEGREE)
    return (row << 16) | column


def bounding_box(area: Area) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) of an area."""
    if isinstance(area, Circle):
        dlat = math.degrees(area.radius_m / EARTH_RADIUS_M)
        cos_lat = max(math.cos(math.radians(area.lat)), 1e-6)
        dlon = math.degrees(area.radius_m / (EARTH_RADIUS_M * cos_lat))
        return area.lat - dlat, area.lon - dlon, area.lat + dlat, area.lon + dlon
    lats = [lat for lat, _ in area.points]
    lons = [lon for _, lon in area.points]
    return min(lats), min(lons), max(lats), max(lons)


def cells_covering(area: Area) -> list[int]:
    """Every grid cell that the area's bounding box touches."""
    min_lat, min_lon, max_lat, max_lon = bounding_box(area)
    row_low, row_high = int((min_lat + 90.0) * CELLS_PER_DEGREE), int((max_lat + 90.0) * CELLS_PER_DEGREE)
    col_low, col_high = int((min_lon + 180.0) * CELLS_PER_DEGREE), int((max_lon + 180.0) * CELLS_PER_DEGREE)
    count = (row_high - row_low + 1) * (col_high - col_low + 1)
    if count > MAX_CELLS:
        raise ValueError(f"area spans {count} grid cells (about 1 km each); at most {MAX_CELLS} are allowed")
    return [(row << 16) | col for row in range(row_low, row_high + 1) for col in range(col_low, col_high + 1)]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _inside_polygon(lat: float, lon: float, points: tuple[tuple[float, float], ...]) -> bool:
    # Ray casting on the (lon, lat) plane: fine for the city-sized polygons area search allows.
    inside = False
    previous_lat, previous_lon = points[-1]
    for vertex_lat, vertex_lon in points:
        if (vertex_lat > lat) != (previous_lat > lat):
            crossing = vertex_lon + (lat - vertex_lat) * (previous_lon - vertex_lon) / (previous_lat - vertex_lat)
            if lon < crossing:
                inside = not inside
        previous_lat, previous_lon = vertex_lat, vertex_lon
    return inside


def contains(area: Area, lat: float, lon: float) -> bool:
    if isinstance(area, Circle):
        return distance_m(area.lat, area.lon, lat, lon) <= area.radius_m
    return _inside_polygon(lat, lon, area.points)


def validate_area(area: Area) -> None:
    """Raise ValueError naming what is wrong with an area."""
    if isinstance(area, Circle):
        if not -90 <= area.lat <= 90 or not -180 <= area.lon <= 180:
            raise ValueError("circle centre is outside the globe")
        if not 0 < area.radius_m <= 50_000:
            raise ValueError("radius_m must be above 0 and at most 50,000")
        return
    if len(area.points) < 3:
        raise ValueError("a polygon needs at least 3 points")
    for lat, lon in area.points:
        if not -90 <= lat <= 90 or not -180 <= lon <= 180:
            raise ValueError(f"polygon point ({lat}, {lon}) is outside the globe")


def area_km2(area: Area) -> float:
    if isinstance(area, Circle):
        return math.pi * (area.radius_m / 1000) ** 2
    # Shoelace on a local equirectangular projection.
    lat0 = sum(lat for lat, _ in area.points) / len(area.points)
    kx = 111.32 * math.cos(math.radians(lat0))
    xy = [(lon * kx, lat * 110.57) for lat, lon in area.points]
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(xy, xy[1:] + xy[:1], strict=True))) / 2

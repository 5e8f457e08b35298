"""Is a polygonal area acceptable: valid topology (or repaired on request), and not too large.

Topology is judged by GEOS, the library PostGIS uses, so a rejection reads exactly as
`ST_IsValidReason` would put it ("Self-intersection[-89.65 39.78]"). Area is geodesic, in
square metres, never in square degrees (a degree of longitude shrinks towards the poles).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from geo.geojson import parse_polygonal
from geo.problems import GeometryProblem

# WGS 84. Areas are computed on the authalic sphere (the sphere of the ellipsoid's surface
# area) after mapping latitudes to authalic latitudes, which preserves area: for city-sized
# areas the result is within 0.01% of PostGIS's ellipsoidal ST_Area(geography).
WGS84_A = 6_378_137.0
WGS84_F = 1 / 298.257223563
_E2 = WGS84_F * (2 - WGS84_F)
_E = math.sqrt(_E2)


def _q(sin_lat):
    return (1 - _E2) * (sin_lat / (1 - _E2 * sin_lat ** 2)
                        - np.log((1 - _E * sin_lat) / (1 + _E * sin_lat)) / (2 * _E))


_Q_POLE = float(_q(np.float64(1.0)))
AUTHALIC_RADIUS_M = WGS84_A * math.sqrt(_Q_POLE / 2)


# GEOS validity reasons (the text before "[x y]") and the stable codes clients receive.
TOPOLOGY_PROBLEMS: dict[str, str] = {
    "Self-intersection": "self_intersection",
    "Ring Self-intersection": "ring_self_intersection",
    "Hole lies outside shell": "hole_outside_shell",
    "Holes are nested": "nested_holes",
    "Interior is disconnected": "interior_disconnected",
    "Nested shells": "nested_shells",
    "Duplicate Rings": "duplicate_rings",
    "Too few distinct points in geometry component": "too_few_points",
    "Too few points in geometry component": "too_few_points",
    "Invalid Coordinate": "invalid_coordinate",
    "Ring is not closed": "ring_not_closed",
    "Repeated Point": "repeated_point",
}
_REASON = re.compile(r"^(?P<text>[^\[]+?)\s*(?:\[(?P<x>\S+)\s+(?P<y>\S+)\])?$")


@dataclass(frozen=True)
class GeometryLimits:
    """How big an area may be: vertices as counted by ST_NPoints (rings' closing positions too)."""

    max_vertices: int
    max_area_m2: float


def polygon_from_geojson(obj, limits: GeometryLimits, *, repair: bool = False,
                         field: str = "geometry") -> MultiPolygon:
    """A valid MultiPolygon (SRID 4326 coordinates) from client GeoJSON, or a GeometryProblem.

    With `repair`, an invalid geometry is made valid (GEOS make_valid, "structure" method:
    the area the rings enclose, without slivers of lines or points) instead of rejected.
    """
    try:
        geometry = parse_polygonal(obj, max_vertices=limits.max_vertices)
        geometry = _valid(geometry, repair)
        _check_vertices(geometry, limits.max_vertices)
        _check_area(geometry, limits.max_area_m2)
    except GeometryProblem as problem:
        if field != "geometry":
            raise problem.for_field(field) from None
        raise
    except (shapely.errors.ShapelyError, ValueError) as exc:
        # Whatever GEOS cannot read is still the client's geometry, so a 422 and not a 500.
        raise GeometryProblem("unreadable_geometry", f"The geometry cannot be read: {exc}",
                              field=field) from exc
    return geometry


def geodesic_area_m2(geometry) -> float:
    """Area in m² of lon/lat polygons on the WGS 84 ellipsoid (holes subtracted)."""
    polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    total = 0.0
    for polygon in polygons:
        total += abs(_ring_area(polygon.exterior.coords))
        total -= sum(abs(_ring_area(ring.coords)) for ring in polygon.interiors)
    return total


def _ring_area(coords) -> float:
    """Signed area of a closed lon/lat ring (Chamberlain & Duquette, JPL 2007, on authalic latitudes)."""
    xy = np.radians(np.asarray(coords, dtype=float)[:-1])
    if len(xy) < 3:
        return 0.0
    lng = xy[:, 0]
    sin_authalic_lat = _q(np.sin(xy[:, 1])) / _Q_POLE
    # sum over i of (lng[i+1] - lng[i-1]) * sin(authalic lat[i])
    return float(np.sum((np.roll(lng, -1) - np.roll(lng, 1)) * sin_authalic_lat)) * AUTHALIC_RADIUS_M ** 2 / 2


def _valid(geometry: MultiPolygon, repair: bool) -> MultiPolygon:
    reason = shapely.is_valid_reason(geometry)
    if reason == "Valid Geometry":
        return geometry
    if not repair:
        raise _topology_problem(reason)
    repaired = _polygonal_part(shapely.make_valid(geometry, method="structure", keep_collapsed=False))
    if repaired.is_empty or not repaired.is_valid:
        raise GeometryProblem(
            "repair_failed", f"{reason}, and repairing it leaves no area: redraw the shape.")
    return repaired


def _topology_problem(reason: str) -> GeometryProblem:
    match = _REASON.match(reason)
    text = match["text"] if match else reason
    location = None
    if match and match["x"] is not None:
        try:
            location = (float(match["x"]), float(match["y"]))
        except ValueError:
            location = None
    code = TOPOLOGY_PROBLEMS.get(text, "invalid_topology")
    hint = ' (or send "repair": true to have it made valid)'
    return GeometryProblem(code, reason + hint, location=location, reason=reason)


def _polygonal_part(geometry) -> MultiPolygon:
    """Only the areas of a make_valid result, as a MultiPolygon (lines and points dropped)."""
    polygons: list[Polygon] = []
    for part in shapely.get_parts(geometry):
        if isinstance(part, Polygon):
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(part.geoms)
        elif part.geom_type == "GeometryCollection":
            polygons.extend(_polygonal_part(part).geoms)
    return MultiPolygon([p for p in polygons if not p.is_empty])


def _check_vertices(geometry: MultiPolygon, max_vertices: int) -> None:
    # Checked again after validity: a repair can add vertices where edges crossed.
    count = shapely.get_num_coordinates(geometry)
    if count > max_vertices:
        raise GeometryProblem(
            "too_many_vertices",
            f"The geometry has {count} vertices; simplify it to at most {max_vertices}.")


def _check_area(geometry: MultiPolygon, max_area_m2: float) -> None:
    area = geodesic_area_m2(geometry)
    if area > max_area_m2:
        raise GeometryProblem(
            "area_too_large",
            f"The area is {_km2(area)} km²; at most {_km2(max_area_m2)} km² is allowed.")
    if not math.isfinite(area) or area <= 0:
        raise GeometryProblem("empty_geometry", "The geometry encloses no area.")


def _km2(area_m2: float) -> str:
    return f"{area_m2 / 1e6:,.2f}".rstrip("0").rstrip(".")

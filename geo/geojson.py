"""GeoJSON (RFC 7946) in and out for polygonal areas.

`parse_polygonal` accepts a Polygon, a MultiPolygon, a Feature holding one, or a
FeatureCollection of exactly one such Feature, checks its structure position by position
(numbers, finite, in range, rings closed and long enough, not too many vertices) and
returns a Shapely MultiPolygon. Topology (self-intersection and friends) and area are
judged afterwards, in `geo.validation`, on the built geometry.
"""

from __future__ import annotations

import math
from numbers import Real

from shapely.geometry import MultiPolygon, Polygon, mapping

from geo.problems import GeometryProblem

POLYGONAL_TYPES = ("Polygon", "MultiPolygon")
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                  "MultiPolygon", "GeometryCollection")
# RFC 7946 dropped `crs`; older clients still send it, and only WGS 84 lon/lat means what we store.
WGS84_CRS_NAMES = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84",
                   "urn:ogc:def:crs:EPSG::4326", "EPSG:4326")
MIN_RING_POSITIONS = 4


def parse_polygonal(obj, *, max_vertices: int) -> MultiPolygon:
    """The MultiPolygon a GeoJSON object describes, or GeometryProblem naming what is wrong."""
    geometry = _polygonal_geometry(obj)
    coordinates = geometry.get("coordinates")
    counter = _VertexCounter(max_vertices)
    if geometry["type"] == "Polygon":
        polygons = [_polygon(coordinates, "coordinates", counter)]
    else:
        polygons = [_polygon(rings, f"coordinates[{i}]", counter)
                    for i, rings in enumerate(_array(coordinates, "coordinates"))]
    if not polygons:
        raise GeometryProblem("empty_geometry", "The MultiPolygon has no polygons.", path="coordinates")
    return MultiPolygon(polygons)


def to_geojson(geometry) -> dict:
    """A Shapely geometry as a GeoJSON geometry object."""
    return mapping(geometry)


def _polygonal_geometry(obj) -> dict:
    """Unwrap a FeatureCollection of one Feature, or a Feature, down to its geometry object."""
    obj = _object(obj, None)
    if obj.get("type") == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list) or len(features) != 1:
            held = f"this one holds {len(features)}" if isinstance(features, list) else "it has no features array"
            raise GeometryProblem(
                "feature_count", f"A FeatureCollection must hold exactly one Feature; {held}.", path="features")
        obj = _object(features[0], "features[0]")
        if obj.get("type") != "Feature":
            raise GeometryProblem("not_geojson", "features[0] must be a Feature.", path="features[0]")
    if obj.get("type") == "Feature":
        if obj.get("geometry") is None:
            raise GeometryProblem("empty_geometry", "The Feature has no geometry.", path="geometry")
        obj = _object(obj["geometry"], "geometry")
    kind = obj.get("type")
    if kind in POLYGONAL_TYPES:
        return obj
    if kind in GEOMETRY_TYPES:
        raise GeometryProblem(
            "unsupported_type",
            f"A {kind} has no area; send a Polygon or MultiPolygon (or a Feature holding one).",
            path="type")
    raise GeometryProblem("not_geojson", f"{kind!r} is not a GeoJSON geometry type.", path="type")


def _object(obj, path: str | None) -> dict:
    if not isinstance(obj, dict):
        raise GeometryProblem("not_geojson", f"{path or 'The geometry'} must be a GeoJSON object.", path=path)
    _check_crs(obj)
    return obj


def _check_crs(obj: dict) -> None:
    crs = obj.get("crs")
    if crs is None:
        return
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if name not in WGS84_CRS_NAMES:
        raise GeometryProblem(
            "unsupported_crs", f"Coordinates must be WGS 84 longitude/latitude (EPSG:4326), not {name!r}.",
            path="crs")


class _VertexCounter:
    """Counts positions as they are read, so a huge payload stops at the limit, not after it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def add(self, positions: int) -> None:
        self.count += positions
        if self.count > self.limit:
            raise GeometryProblem(
                "too_many_vertices",
                f"The geometry has more than {self.limit} vertices; simplify it to at most {self.limit}.",
                path="coordinates")


def _polygon(rings, path: str, counter: _VertexCounter) -> Polygon:
    rings = _array(rings, path)
    if not rings:
        raise GeometryProblem("empty_geometry", "A polygon needs an outer ring.", path=path)
    parsed = [_ring(ring, f"{path}[{i}]", counter) for i, ring in enumerate(rings)]
    return Polygon(parsed[0], parsed[1:])


def _ring(ring, path: str, counter: _VertexCounter) -> list[tuple[float, float]]:
    ring = _array(ring, path)
    counter.add(len(ring))
    positions = [_position(position, f"{path}[{i}]") for i, position in enumerate(ring)]
    if len(positions) < MIN_RING_POSITIONS:
        raise GeometryProblem(
            "ring_too_short",
            f"{path} has {len(positions)} positions; a closed ring needs at least {MIN_RING_POSITIONS} "
            "(three corners and the first repeated at the end).",
            path=path)
    if positions[0] != positions[-1]:
        raise GeometryProblem(
            "ring_not_closed",
            f"{path} is not closed: it starts at {list(positions[0])} and ends at {list(positions[-1])}.",
            location=positions[-1], path=path)
    return positions


def _position(position, path: str) -> tuple[float, float]:
    """[lng, lat] or [lng, lat, altitude]; altitude is dropped (areas are flat)."""
    if (not isinstance(position, list) or len(position) not in (2, 3)
            or not all(isinstance(n, Real) and not isinstance(n, bool) for n in position)):
        raise GeometryProblem(
            "malformed_coordinates", f"{path} must be a position [longitude, latitude].", path=path)
    try:
        lng, lat = float(position[0]), float(position[1])
    except OverflowError:  # a JSON integer hundreds of digits long
        lng = lat = math.inf
    if not (math.isfinite(lng) and math.isfinite(lat)):
        raise GeometryProblem(
            "non_finite_coordinate", f"{path} holds a number that is not finite (NaN or Infinity).",
            path=path)
    if not -180.0 <= lng <= 180.0:
        raise GeometryProblem(
            "coordinate_out_of_range", f"{path}: longitude {lng} is outside -180..180.", path=path)
    if not -90.0 <= lat <= 90.0:
        raise GeometryProblem(
            "coordinate_out_of_range",
            f"{path}: latitude {lat} is outside -90..90 (is the position [latitude, longitude]?).",
            path=path)
    return lng, lat


def _array(value, path: str) -> list:
    if not isinstance(value, list):
        raise GeometryProblem("malformed_coordinates", f"{path} must be an array.", path=path)
    return value

"""Spatial SQL expressions shared by the lookups: points, and distances in metres."""

from __future__ import annotations

import math

from geoalchemy2 import Geography, Geometry
from sqlalchemy import cast, func

# The shortest a degree gets on WGS 84: of latitude at the equator, and of longitude at
# the equator (it shrinks with cos(latitude) from there).
METRES_PER_DEGREE_LAT_MIN = 110_574.0
METRES_PER_DEGREE_LNG_EQUATOR = 111_320.0
POLAR_CAP_LAT = 89.0


def point(lng, lat):
    """An SRID 4326 point expression from longitude and latitude (values or bind parameters)."""
    return func.ST_SetSRID(func.ST_MakePoint(lng, lat), 4326)


def degrees_covering(radius_m: float, lat: float) -> float:
    """A distance in degrees at least `radius_m` metres in every direction around latitude `lat`."""
    lat_span = radius_m / METRES_PER_DEGREE_LAT_MIN
    widest_lat = min(abs(lat) + lat_span, POLAR_CAP_LAT)
    lng_span = radius_m / (METRES_PER_DEGREE_LNG_EQUATOR * math.cos(math.radians(widest_lat)))
    return max(lat_span, lng_span)


def within_metres(geom_column, lng: float, lat: float, radius_m: float):
    """True where `geom_column` (SRID 4326) comes within `radius_m` metres of (lng, lat).

    The geometry-degree test first lets the column's GiST index narrow the rows; the
    geography test then measures on the ellipsoid.
    """
    here = point(lng, lat)
    return func.ST_DWithin(geom_column, here, degrees_covering(radius_m, lat)) & func.ST_DWithin(
        cast(geom_column, Geography), cast(here, Geography), radius_m)


def metres_from(geom_column, lng: float, lat: float):
    """Geodesic distance in metres from `geom_column` to (lng, lat), 0 inside it."""
    return func.ST_Distance(cast(geom_column, Geography), cast(point(lng, lat), Geography))


# Segments per quarter circle of a buffered point: 64 vertices, so the edges' midpoints lie within
# 0.12 % of the radius (r·cos(π/64)) and the area within 0.17 % of πr²; the projection's scale adds
# a few hundredths (at Springfield the corners are 0.024 % inside the radius, the area 0.21 % short).
CIRCLE_QUARTER_SEGMENTS = 16


def circle_around(lng: float, lat: float, radius_m: float):
    """A polygon (SRID 4326) of every place within `radius_m` metres of (lng, lat).

    PostGIS buffers a geography in metres by projecting it into a planar system chosen for the
    point (its UTM zone, or an equal-area polar one), buffering there and projecting back, so the
    circle is round on the ground, not an ellipse stretched by degrees of longitude.
    """
    return cast(func.ST_Buffer(cast(point(lng, lat), Geography), radius_m,
                               f"quad_segs={CIRCLE_QUARTER_SEGMENTS}"), Geometry)

"""Map points: a request's place as PostgreSQL's own `point`, for counts that never read the table.

PostGIS's GiST index keeps boxes, not the points themselves, so every match of a map read is
checked in the table: at a million requests a zoomed-in map's few thousand matches cost as
many table pages (80 ms, most of it the exact `total`). PostgreSQL's GiST index on a `point`
keeps the point and can answer an index-only scan, with the list's columns INCLUDEd: the same
box or circle counted in about a millisecond. `service_requests.map_point` is a stored
generated column (migration 0027_map_point) derived from `location`, so it is never written by
hand and never disagrees with it.
"""

from __future__ import annotations

from geoalchemy2 import Geography, Geometry
from sqlalchemy import cast, func
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.types import UserDefinedType

from geo.spatial import degrees_covering, point

# How the column is derived from the PostGIS geometry (the model's Computed and the migration).
FROM_LOCATION = "point(ST_X(location), ST_Y(location))"


class PlanePoint(UserDefinedType):
    """PostgreSQL's `point`: (x, y) as (longitude, latitude) in degrees. Only ever compared in SQL."""

    cache_ok = True

    def get_col_spec(self, **kw) -> str:
        return "POINT"


ischema_names["point"] = PlanePoint  # so the migrations' comparison reflects the column as this type


def plane_box(min_lng: float, min_lat: float, max_lng: float, max_lat: float):
    return func.box(func.point(min_lng, min_lat), func.point(max_lng, max_lat))


def in_box(column, min_lng: float, min_lat: float, max_lng: float, max_lat: float):
    """The points inside the box, its edges included (as ST_Intersects with an envelope is for a point)."""
    return column.op("<@")(plane_box(min_lng, min_lat, max_lng, max_lat))


def within_metres(column, lng: float, lat: float, radius_m: float):
    """The points within `radius_m` metres of (lng, lat) on the ellipsoid, read from the point alone.

    The box around the circle lets the index narrow the rows; the distance is measured on a
    geography made from the indexed point, so an index-only scan can answer it.
    """
    span = degrees_covering(radius_m, lat)
    as_geography = cast(func.ST_SetSRID(cast(column, Geometry), 4326), Geography)
    return in_box(column, lng - span, lat - span, lng + span, lat + span) & func.ST_DWithin(
        as_geography, cast(point(lng, lat), Geography), radius_m)

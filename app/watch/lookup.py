"""Who watches a place: the watch-area side of the notification matrix.

One set-based statement from a point to the distinct subscribers: the GiST index on
`watch_area_parts` finds the small subdivided pieces whose box holds the point, the exact
ST_Intersects runs on those pieces only (a point on an area's edge counts as inside), the
area's category filter is applied on the piece (copied there by the trigger), and the
owners of the matching areas are united (UNION: distinct) with their followers.

- `watch_area_subscribers(request_id)`: a SELECT of `user_id` for the request's point and
  category (and those of the duplicates merged into it), for the fan-out to embed in its own
  recipient query.
- `watch_area_subscribers_at(lng, lat, category_id)`: the same for any point;
  `subscriber_ids_at(...)` runs it and returns the ids (the benchmark's application path).
  A `category_id` of None matches only areas that watch every category.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Float, Integer, any_, bindparam, func, or_, select, union

from app.extensions import db
from app.requests.models import ServiceRequest
from app.watch.models import WatchAreaFollower, WatchAreaPart
from geo.spatial import point


def _subscribers(place, category_id, *conditions):
    """Owners and followers of every area whose pieces hold `place` and admit `category_id`."""
    watching = (
        select(WatchAreaPart.watch_area_id, WatchAreaPart.owner_id)
        .where(
            func.ST_Intersects(WatchAreaPart.geom, place),
            or_(func.cardinality(WatchAreaPart.category_ids) == 0,
                category_id == any_(WatchAreaPart.category_ids)),
            *conditions,
        )
        .cte("watching_parts")
    )
    owners = select(watching.c.owner_id.label("user_id"))
    followers = select(WatchAreaFollower.user_id.label("user_id")).where(
        WatchAreaFollower.watch_area_id.in_(select(watching.c.watch_area_id)))
    return union(owners, followers)


def watch_area_subscribers(request_id):
    """SELECT user_id of every owner and follower of a watch area containing the request, or
    containing a duplicate merged into it: a merge moves a duplicate's watchers as watchers (they
    hear of the survivor through their area, and stop when they leave it), never as followers."""
    return _subscribers(ServiceRequest.location, ServiceRequest.category_id,
                        or_(ServiceRequest.id == request_id, ServiceRequest.merged_into_id == request_id))


# Built once; the point lookup is on the hot path of every event with a place, so it is
# compiled once per dialect and sent as text on the session's own connection (same
# transaction), which spares SQLAlchemy's per-execution compile-cache and ORM work.
_AT_POINT = _subscribers(
    point(bindparam("lng", type_=Float), bindparam("lat", type_=Float)),
    bindparam("category_id", type_=Integer),
)
_AT_POINT_ARGS = ("lng", "lat", "category_id")


def watch_area_subscribers_at(lng: float, lat: float, category_id: int | None):
    """SELECT user_id of every owner and follower of a watch area containing (lng, lat)."""
    return _AT_POINT.params(lng=lng, lat=lat, category_id=category_id)


@lru_cache(maxsize=8)
def at_point_sql(dialect) -> tuple[str, dict]:
    """The point lookup compiled for `dialect`: SQL text and its constant parameters."""
    compiled = _AT_POINT.compile(dialect=dialect)
    return str(compiled), {k: v for k, v in compiled.params.items() if k not in _AT_POINT_ARGS}


def subscriber_ids_at(lng: float, lat: float, category_id: int | None) -> list[int]:
    """The distinct user ids watching (lng, lat) for an event of `category_id`."""
    connection = db.session.connection()
    sql, constants = at_point_sql(connection.dialect)
    rows = connection.exec_driver_sql(sql, {**constants, "lng": lng, "lat": lat, "category_id": category_id})
    return [row[0] for row in rows]

"""Who watches the place a request is at: the watch-area side of the notification matrix.

`watch_area_subscribers(request_id)` is a SELECT of distinct user ids (owners and followers
of every watch area containing the request's point whose category filter admits it), for
the fan-out to embed in its set-based recipient query.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select, union

from app.requests.models import ServiceRequest
from app.watch.models import WatchArea, WatchAreaFollower


def _matching_areas(request_id):
    return (
        select(WatchArea.id, WatchArea.owner_id)
        .join(ServiceRequest, func.ST_Intersects(WatchArea.geom, ServiceRequest.location))
        .where(
            ServiceRequest.id == request_id,
            or_(func.cardinality(WatchArea.category_ids) == 0,
                ServiceRequest.category_id == func.any(WatchArea.category_ids)),
        )
        .cte("matching_watch_areas")
    )


def watch_area_subscribers(request_id):
    """SELECT user_id of every owner and follower of a watch area containing the request."""
    areas = _matching_areas(request_id)
    owners = select(areas.c.owner_id.label("user_id"))
    followers = select(WatchAreaFollower.user_id.label("user_id")).join(
        areas, areas.c.id == WatchAreaFollower.watch_area_id)
    return union(owners, followers)

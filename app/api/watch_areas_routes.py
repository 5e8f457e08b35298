"""/api/v1/watch-areas: draw, list, change and delete your areas; follow public ones."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.auth import current_user, require_user
from app.pagination import page_schema, paginate
from app.watch import service as watch
from app.watch.schemas import (
    WatchAreaCreateSchema,
    WatchAreaListArgs,
    WatchAreaSchema,
    WatchAreaUpdateSchema,
)

URL_PREFIX = "/watch-areas"
blp = Blueprint("watch_areas", __name__, description="Watch areas: alerts about everything inside a drawn area")


@blp.get("")
@blp.arguments(WatchAreaListArgs, location="query")
@blp.response(200, page_schema(WatchAreaSchema))
def list_watch_areas(args):
    """Your watch areas; `following=true`: those you follow; `public=true`: everyone's public ones."""
    page, per_page = args.pop("page"), args.pop("per_page")
    return paginate(watch.watch_areas_query(current_user(), **args), page, per_page)


@blp.post("")
@blp.arguments(WatchAreaCreateSchema)
@blp.response(201, WatchAreaSchema)
def create_watch_area(body):
    """Draw a watch area (a GeoJSON polygon), or choose one by place: `{"address", "radius_m"}` or
    `{"lat", "lng", "radius_m"}` (every place within that many metres). Invalid geometry is a 422 naming
    the problem; an address no service area knows is a 422 `unknown_address`."""
    return watch.create_watch_area(require_user(), **body)


@blp.get("/<int:area_id>")
@blp.response(200, WatchAreaSchema)
def get_watch_area(area_id):
    """One of your areas, or anyone's public one."""
    return watch.visible_watch_area(current_user(), area_id)


@blp.patch("/<int:area_id>")
@blp.arguments(WatchAreaUpdateSchema)
@blp.response(200, WatchAreaSchema)
def update_watch_area(body, area_id):
    """Change your area's name, geometry (or place and radius_m), visibility or category filter."""
    return watch.update_watch_area(require_user(), area_id, **body)


@blp.delete("/<int:area_id>")
@blp.response(204)
def delete_watch_area(area_id):
    """Delete your area."""
    watch.delete_watch_area(require_user(), area_id)


@blp.post("/<int:area_id>/follow")
@blp.response(204)
def follow_watch_area(area_id):
    """Follow someone else's public area: its alerts reach you too."""
    watch.follow_watch_area(require_user(), area_id)


@blp.delete("/<int:area_id>/follow")
@blp.response(204)
def unfollow_watch_area(area_id):
    """Stop following an area."""
    watch.unfollow_watch_area(require_user(), area_id)

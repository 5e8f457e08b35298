"""Watch-area rules: drawing, changing and deleting your own areas, following public ones.

Who may see an area: its owner always, anyone when it is public; anyone else is told it
does not exist (404), so a private area's existence is not revealed. Only the owner
changes or deletes an area. Only public areas can be followed, and not by their owner
(whose alerts already come from owning it); an area made private loses its followers.
Each function owns its transaction and records its event in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from app.accounts.models import User
from app.addresses import service as addresses
from app.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from app.events.service import record_event
from app.extensions import db
from app.requests.models import RequestCategory
from app.transactions import unit_of_work
from app.watch import around
from app.watch.models import WatchArea, WatchAreaFollower
from geo.spatial import metres_from, within_metres
from geo.validation import GeometryLimits, geodesic_area_m2, polygon_from_geojson

MAX_ID = 2**31 - 1  # watch_areas.id is a PostgreSQL integer
NEAR_ADDRESS_M = 300  # how far from an area's centre an address still names where it is


def geometry_limits() -> GeometryLimits:
    """The configured limits on a drawn area (WATCH_AREA_MAX_VERTICES, WATCH_AREA_MAX_AREA_M2)."""
    config = current_app.config
    return GeometryLimits(max_vertices=config["WATCH_AREA_MAX_VERTICES"],
                          max_area_m2=config["WATCH_AREA_MAX_AREA_M2"])


def watch_areas_query(user: User | None, *, public: bool = False, following: bool = False,
                      lat: float | None = None, lng: float | None = None, radius_m: float = 0):
    """A SELECT of the areas a list shows: the caller's own, those they follow, or public ones.

    Public ones may be narrowed to those within `radius_m` of (lng, lat), nearest first.
    """
    if public:
        query = select(WatchArea).where(WatchArea.public.is_(True))
        if lat is not None and lng is not None:
            return query.where(within_metres(WatchArea.geom, lng, lat, radius_m)).order_by(
                metres_from(WatchArea.geom, lng, lat), WatchArea.id)
        return query.order_by(WatchArea.id.desc())
    user = _signed_in(user)
    if following:
        return (select(WatchArea).join(WatchAreaFollower, WatchAreaFollower.watch_area_id == WatchArea.id)
                .where(WatchAreaFollower.user_id == user.id)
                .order_by(WatchAreaFollower.created_at.desc(), WatchArea.id.desc()))
    return select(WatchArea).where(WatchArea.owner_id == user.id).order_by(WatchArea.id.desc())


@dataclass(frozen=True)
class WatchAreaFacts:
    """What a map of an area shows, in words: its middle, the address there, its size and its extent."""

    centre_lat: float
    centre_lng: float
    near_address: str | None
    area_km2: float
    south: float
    west: float
    north: float
    east: float


def watch_area_facts(area: WatchArea) -> WatchAreaFacts:
    """The text alternative of an area's map (its centre, the known address nearest it, its area)."""
    outline = to_shape(area.geom)
    centre = outline.centroid if outline.contains(outline.centroid) else outline.representative_point()
    west, south, east, north = outline.bounds
    return WatchAreaFacts(
        centre_lat=centre.y, centre_lng=centre.x,
        near_address=addresses.label_near(centre.y, centre.x, NEAR_ADDRESS_M),
        area_km2=geodesic_area_m2(outline) / 1e6, south=south, west=west, north=north, east=east)


def visible_watch_area(user: User | None, area_id: int) -> WatchArea:
    """The area if the caller may see it (theirs, or public), else 404."""
    area = db.session.get(WatchArea, area_id) if 0 < area_id <= MAX_ID else None
    if area is None or not (area.public or (user is not None and area.owner_id == user.id)):
        raise NotFound(_("No watch area %(area_id)s.", area_id=area_id), {"watch_area_id": area_id})
    return area


@unit_of_work()
def create_watch_area(owner: User, *, name: str, geometry: dict | None = None, public: bool = False,
                      category_ids: Iterable[int] = (), repair: bool = False, **place) -> WatchArea:
    """A new area for `owner`, drawn (`geometry`) or around a place (`address` or `lat` and `lng`,
    with `radius_m`: app.watch.around); records watch_area.created."""
    area = WatchArea(
        owner_id=owner.id,
        name=name.strip(),
        geom=_stored_geometry(around.chosen_geometry(geometry=geometry, **place), repair),
        public=public,
        category_ids=_existing_categories(category_ids),
    )
    db.session.add(area)
    db.session.flush()
    record_event("watch_area.created", actor=owner, payload={"watch_area_id": area.id})
    return area


@unit_of_work()
def update_watch_area(user: User, area_id: int, *, repair: bool = False, **changes) -> WatchArea:
    """Change the caller's own area (name, geometry or a place with radius_m, public, category_ids);
    records watch_area.updated."""
    area = _own_watch_area(user, area_id)
    place = {field: changes.pop(field) for field in around.PLACE_FIELDS if field in changes}
    if "geometry" in changes or place:
        area.geom = _stored_geometry(around.chosen_geometry(geometry=changes.get("geometry"), **place), repair)
        changes.setdefault("geometry", None)  # the event says the outline changed, however it was given
    if "name" in changes:
        area.name = changes["name"].strip()
    if "category_ids" in changes:
        area.category_ids = _existing_categories(changes["category_ids"])
    if "public" in changes:
        area.public = changes["public"]
        if not area.public:
            db.session.execute(delete(WatchAreaFollower).where(WatchAreaFollower.watch_area_id == area.id))
    record_event("watch_area.updated", actor=user,
                 payload={"watch_area_id": area.id, "changed": sorted(changes)})
    return area


@unit_of_work()
def delete_watch_area(user: User, area_id: int) -> None:
    """Delete the caller's own area (its pieces and followers go with it); records watch_area.deleted."""
    area = _own_watch_area(user, area_id)
    db.session.delete(area)
    record_event("watch_area.deleted", actor=user, payload={"watch_area_id": area_id})


@unit_of_work()
def follow_watch_area(user: User, area_id: int) -> None:
    """Follow someone else's public area; following twice changes nothing (one event)."""
    area = visible_watch_area(user, area_id)
    if area.owner_id == user.id:
        raise Conflict(_("This is your own watch area: its alerts already reach you."),
                       {"watch_area_id": area_id}, code="own_watch_area")
    added = db.session.execute(
        insert(WatchAreaFollower).values(watch_area_id=area.id, user_id=user.id)
        .on_conflict_do_nothing().returning(WatchAreaFollower.user_id)
    ).first()
    if added is not None:
        record_event("watch_area.followed", actor=user,
                     payload={"watch_area_id": area.id, "user_id": user.id})


@unit_of_work()
def unfollow_watch_area(user: User, area_id: int) -> None:
    """Stop following an area; not following it already is no error."""
    area = visible_watch_area(user, area_id)
    removed = db.session.execute(
        delete(WatchAreaFollower)
        .where(WatchAreaFollower.watch_area_id == area.id, WatchAreaFollower.user_id == user.id)
        .returning(WatchAreaFollower.user_id)
    ).first()
    if removed is not None:
        record_event("watch_area.unfollowed", actor=user,
                     payload={"watch_area_id": area.id, "user_id": user.id})


def _signed_in(user: User | None) -> User:
    if user is None:
        raise Unauthorized(_("Log in to see your watch areas, or ask for public=true."))
    return user


def _own_watch_area(user: User, area_id: int) -> WatchArea:
    area = visible_watch_area(user, area_id)
    if area.owner_id != user.id:
        raise Forbidden(_("Only the owner can change or delete a watch area."), {"watch_area_id": area_id})
    return area


def _stored_geometry(geometry: dict, repair: bool):
    polygon = polygon_from_geojson(geometry, geometry_limits(), repair=repair)
    return from_shape(polygon, srid=4326)


def _existing_categories(category_ids: Iterable[int]) -> list[int]:
    """The filter as given, sorted and deduplicated, when every id is a category; else 422."""
    wanted = sorted(set(category_ids))
    if not wanted:
        return []
    found = set(db.session.scalars(select(RequestCategory.id).where(RequestCategory.id.in_(wanted))))
    unknown = [category_id for category_id in wanted if category_id not in found]
    if unknown:
        text = f"No such categories: {', '.join(map(str, unknown))}."
        raise ValidationFailed(_("Invalid category_ids: %(text)s", text=text),
                               {"json": {"category_ids": [text]}, "unknown": unknown})
    return wanted

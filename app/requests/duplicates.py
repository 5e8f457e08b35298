"""Duplicates and support: "me too" on a request, open requests a reporter may mean instead, merging.

FixMyStreet #958 (public support counts) and #2669 (duplicates on the same asset). Support is
one row per person (`request_supports`); the request's `support_count` is recounted in the
transaction that changes the rows, so lists and Open311 read it without a join. Supporting
also follows: whoever says "me too" wants to hear what happens. Who may do either is
app.requests.policy's answer (actions SUPPORT and MERGE), like every other action.
"""

from __future__ import annotations

from flask_babel import gettext as _
from geoalchemy2 import Geography
from sqlalchemy import cast, delete, func, select
from sqlalchemy.dialects.postgresql import insert

from app.accounts.models import Organization, User
from app.db_types import utcnow
from app.errors import NotFound, ValidationFailed
from app.events.service import record_event
from app.extensions import db
from app.requests import policy
from app.requests.models import (
    Follower,
    RequestCategory,
    RequestStatus,
    ServiceRequest,
    Support,
)
from app.requests.policy import Action, Audience
from app.requests.schemas import RequestView
from app.requests.service import _acting, _active_category, get_request
from app.transactions import unit_of_work
from geo import plane
from geo.spatial import point

NEARBY_LIMIT = 10
OPEN_STATUSES = (RequestStatus.OPEN.value, RequestStatus.ACKNOWLEDGED.value)


def _recount(request: ServiceRequest) -> None:
    db.session.flush()
    request.support_count = db.session.scalar(
        select(func.count()).select_from(Support).where(Support.request_id == request.id))


def _follow_quietly(request_id: int, user_id: int) -> None:
    # Implied by supporting (or by a merge): like the reporter's own follow, no "you follow" email.
    db.session.execute(insert(Follower).values(request_id=request_id, user_id=user_id).on_conflict_do_nothing())


@unit_of_work()
def support(request_id: int, actor: User | None) -> ServiceRequest:
    """Add the actor's "me too" (and follow); a second time changes nothing and records nothing."""
    request, _policy = _acting(request_id, actor, Action.SUPPORT)
    added = db.session.execute(
        insert(Support).values(request_id=request.id, user_id=actor.id)
        .on_conflict_do_nothing().returning(Support.user_id)).first()
    if added:
        _follow_quietly(request.id, actor.id)
        _recount(request)
        record_event("request.supported", request=request, actor=actor, payload={"user_id": actor.id})
    return request


@unit_of_work()
def unsupport(request_id: int, actor: User | None) -> ServiceRequest:
    """Take the actor's support back (they keep following until they unfollow); no event."""
    policy.require_user(actor)
    request = get_request(request_id, lock=True)
    db.session.execute(delete(Support).where(Support.request_id == request.id, Support.user_id == actor.id))
    _recount(request)
    return request


def nearby(lat: float, lng: float, category_id: int) -> dict:
    """Open requests of the category within its duplicate distance of the point, nearest first, with metres."""
    category: RequestCategory = _active_category(category_id)
    distance = func.ST_Distance(cast(ServiceRequest.location, Geography), cast(point(lng, lat), Geography))
    rows = db.session.execute(
        select(ServiceRequest, distance.label("distance_m"))
        .where(ServiceRequest.category_id == category.id, ServiceRequest.status.in_(OPEN_STATUSES),
               plane.within_metres(ServiceRequest.map_point, lng, lat, float(category.duplicate_radius_m)))
        .order_by(distance, ServiceRequest.id).limit(NEARBY_LIMIT))
    return {"radius_m": category.duplicate_radius_m,
            "items": [{"distance_m": round(float(row.distance_m), 1),
                       "request": RequestView(row.ServiceRequest, Audience.PUBLIC)} for row in rows]}


@unit_of_work()
def merge(request_id: int, actor: User | None, into_id: int, *, organization: Organization) -> ServiceRequest:
    """Fold a duplicate into another request of the organization; each person moves as what they were:
    followers follow the survivor, supporters support it (its reporter becomes a supporter too, and
    keeps following), and watchers (owners and followers of watch areas around the duplicate) keep
    watching by area: the survivor's watch-area audience includes its merged duplicates' places
    (app/watch/lookup.py), so nobody is made a follower they never chose to be. It is closed pointing
    at the survivor, and its reporter is told (`request.merged`). Returns the merged (closed) request."""
    if into_id == request_id:
        raise ValidationFailed(_("A request cannot be merged into itself."), {"json": {"into_id": [
            _("A request cannot be merged into itself.")]}})
    # Lock both rows in id order, so two merges of the same pair cannot deadlock.
    for locked_id in sorted((request_id, into_id)):
        if locked_id == into_id:
            survivor = _survivor(into_id, organization)
        else:
            duplicate, _policy = _acting(request_id, actor, Action.MERGE, organization)
    moved_followers = db.session.execute(
        insert(Follower).from_select(["request_id", "user_id"], select(survivor.id, Follower.user_id).where(
            Follower.request_id == duplicate.id), include_defaults=False).on_conflict_do_nothing().returning(Follower.user_id)).scalars().all()
    supporters = select(survivor.id, Support.user_id).where(Support.request_id == duplicate.id)
    if duplicate.reporter_id is not None:
        supporters = supporters.union(select(survivor.id, duplicate.reporter_id))
    db.session.execute(insert(Support).from_select(["request_id", "user_id"], supporters, include_defaults=False)
                       .on_conflict_do_nothing())
    _recount(survivor)
    duplicate.status = RequestStatus.CLOSED.value
    duplicate.closed_at = utcnow()
    duplicate.merged_into_id = survivor.id
    duplicate.updated_at = survivor.updated_at = utcnow()
    record_event("request.merged", request=duplicate, actor=actor, payload={
        "into_id": survivor.id, "into_public_id": survivor.public_id, "moved_followers": len(moved_followers)})
    return duplicate


def _survivor(into_id: int, organization: Organization) -> ServiceRequest:
    message = _("Request %(id)s is not an open request of %(organization)s.", id=into_id,
                organization=organization.name)
    try:
        survivor = get_request(into_id, organization_id=organization.id, lock=True)
    except NotFound:
        survivor = None
    if survivor is None or survivor.status not in OPEN_STATUSES:
        raise ValidationFailed(message, {"json": {"into_id": [message]}})
    return survivor

"""The demo city: Springfield and its neighbour Shelbyville. Idempotent by natural keys."""

from __future__ import annotations

import random
from datetime import timedelta

from geoalchemy2.shape import from_shape
from shapely import affinity
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import func, select

from app.accounts.models import Membership, Organization, User
from app.accounts.passwords import hash_password
from app.accounts.roles import ensure_default_roles
from app.addresses.models import Address
from app.db_types import isoformat_utc, utcnow
from app.events.models import Event
from app.extensions import db
from app.inbound.models import InboundMessage
from app.notify.models import Notification
from app.requests.models import Comment, Follower, RequestCategory, RequestStatus, ServiceRequest
from app.seed.addresses import load_demo_addresses
from app.seed.configuration import seed_configuration, seed_followers
from app.seed.mailbox import seed_mailbox
from app.seed.showcase import seed_showcase
from app.watch.models import WatchArea
from app.work.models import SlaBreach, WorkOrder
from app.work.sla import sla_deadline

DEMO_PASSWORD = "demo-password"

# Centre (lng, lat) and half-widths in degrees: about 15 km across at this latitude.
ORGANIZATIONS = {
    "springfield": {"name": "City of Springfield", "centre": (-89.65, 39.78)},
    "shelbyville": {"name": "City of Shelbyville", "centre": (-89.47, 39.78)},
}
HALF_WIDTH_LNG, HALF_HEIGHT_LAT = 0.088, 0.0675

CATEGORIES = [
    # code, name, SLA business hours, public restriction
    ("pothole", "Pothole", 48, "none"),
    ("graffiti", "Graffiti", 72, "none"),
    ("streetlight", "Broken street light", 120, "disable_reopen"),
    ("trash", "Missed trash pickup", 24, "none"),
    ("sidewalk", "Damaged sidewalk", 240, "disable_status_change"),
]

STAFF = {
    "springfield": [("admin@springfield.example", "Alex Admin", "admin"),
                    ("staff@springfield.example", "Sam Staff", "staff")],
    "shelbyville": [("admin@shelbyville.example", "Shel Admin", "admin")],
}
RESIDENTS = [(f"resident{i}@example.com", f"Resident {i}") for i in range(1, 6)]
DEMO_REQUESTS_PER_CITY = {"springfield": 240, "shelbyville": 60}


def boundary_for(slug: str) -> MultiPolygon:
    """An ellipse about 15 km across around the organization's centre."""
    lng, lat = ORGANIZATIONS[slug]["centre"]
    ellipse = affinity.scale(Point(lng, lat).buffer(1.0, quad_segs=16), HALF_WIDTH_LNG, HALF_HEIGHT_LAT)
    return MultiPolygon([ellipse])


def _user(email: str, name: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=hash_password(DEMO_PASSWORD), confirmed=True)
        db.session.add(user)
        db.session.flush()
    return user


def _organization(slug: str, inbound_domain: str) -> Organization:
    org = db.session.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        spec = ORGANIZATIONS[slug]
        org = Organization(
            slug=slug,
            name=spec["name"],
            timezone="America/Chicago",
            general_email=f"{slug}@{inbound_domain}",
            sender_email=f"{slug}-notices@{inbound_domain}",
            boundary=from_shape(boundary_for(slug), srid=4326),
        )
        db.session.add(org)
        db.session.flush()
    return org


def _categories(org: Organization) -> list[RequestCategory]:
    found = {c.code: c for c in db.session.scalars(select(RequestCategory).where(
        RequestCategory.organization_id == org.id))}
    for code, name, sla_hours, restriction in CATEGORIES:
        if code not in found:
            found[code] = RequestCategory(
                organization_id=org.id, code=code, name=name, sla_hours=sla_hours,
                public_restriction=restriction, escalate_to_email=f"supervisor+{code}@{org.slug}.example",
            )
            db.session.add(found[code])
    db.session.flush()
    return list(found.values())


def _random_point_inside(rng: random.Random, slug: str) -> Point:
    lng, lat = ORGANIZATIONS[slug]["centre"]
    while True:
        x, y = rng.uniform(-1, 1), rng.uniform(-1, 1)
        if x * x + y * y < 0.9:
            return Point(lng + x * HALF_WIDTH_LNG, lat + y * HALF_HEIGHT_LAT)


def _requests(org: Organization, categories, residents, staff, count: int, rng: random.Random) -> None:
    have = db.session.scalar(select(func.count()).select_from(ServiceRequest).where(
        ServiceRequest.organization_id == org.id))
    now = utcnow()
    for n in range(have, count):
        category = rng.choice(categories)
        reporter = rng.choice(residents)
        status = rng.choices(list(RequestStatus), weights=[5, 3, 3, 1])[0]
        live = status in (RequestStatus.OPEN, RequestStatus.ACKNOWLEDGED)
        # Live requests are recent (so their SLA clocks are a mix of running and breached);
        # finished ones are spread over two months.
        created = now - timedelta(hours=rng.uniform(1, 24 * 8 if live else 24 * 60))
        request = ServiceRequest(
            organization_id=org.id, category_id=category.id, reporter_id=reporter.id,
            location=from_shape(_random_point_inside(rng, org.slug), srid=4326),
            address=f"{100 + n} Demo Street", description=f"{category.name} reported near {100 + n} Demo Street",
            status=status.value, created_at=created, updated_at=created,
            sla_due_at=sla_deadline(created, category.sla_hours, org) if live else None,
            acknowledged_at=created + timedelta(hours=2) if status != RequestStatus.OPEN else None,
            closed_at=created + timedelta(days=2) if not live else None,
            assignee_id=rng.choice(staff).id if status != RequestStatus.OPEN else None,
        )
        db.session.add(request)
        db.session.flush()
        db.session.add(Follower(request_id=request.id, user_id=reporter.id, created_at=created))
        # Demo history is already "dispatched": seeding must not email the whole city.
        db.session.add(Event(kind="request.submitted", organization_id=org.id, request_id=request.id,
                             actor_id=reporter.id, created_at=created, dispatched_at=created, payload={}))
        if request.sla_due_at is not None and request.sla_due_at < now:
            _breached(request, now)
        if status != RequestStatus.OPEN:
            db.session.add(Comment(request_id=request.id, author_id=request.assignee_id,
                                   body="Thanks, a crew has been scheduled.", visibility="public",
                                   created_at=created + timedelta(hours=2)))
            db.session.add(Comment(request_id=request.id, author_id=request.assignee_id,
                                   body="Needs the large patch truck.", visibility="internal",
                                   created_at=created + timedelta(hours=3)))


def _breached(request: ServiceRequest, now) -> None:
    """Record a bulk request's past breach as the sweep would have, so a fresh demo sends no
    burst of escalation emails (the showcase's breaches are left to the live sweep)."""
    breach = SlaBreach(request_id=request.id, organization_id=request.organization_id,
                       category_id=request.category_id, sla_due_at=request.sla_due_at, detected_at=now)
    db.session.add(breach)
    db.session.flush()
    db.session.add(Event(kind="request.sla_breached", organization_id=request.organization_id,
                         request_id=request.id, created_at=request.sla_due_at, dispatched_at=now,
                         payload={"sla_due_at": isoformat_utc(request.sla_due_at), "breach_id": breach.id}))


def _watch_areas(residents, rng: random.Random) -> None:
    for index, resident in enumerate(residents[:3]):
        name = f"Around home ({resident.name})"
        exists = db.session.scalar(select(WatchArea.id).where(WatchArea.owner_id == resident.id,
                                                               WatchArea.name == name))
        if exists:
            continue
        centre = _random_point_inside(rng, "springfield")
        area = affinity.scale(centre.buffer(1.0, quad_segs=8), 0.012, 0.009)
        db.session.add(WatchArea(owner_id=resident.id, name=name, public=index == 0,
                                 geom=from_shape(MultiPolygon([area]), srid=4326)))
    # A public area over the showcase requests, so its followers' inboxes have something in it.
    downtown = "Downtown Springfield"
    if not db.session.scalar(select(WatchArea.id).where(WatchArea.name == downtown)):
        lng, lat = ORGANIZATIONS["springfield"]["centre"]
        area = affinity.scale(Point(lng, lat).buffer(1.0, quad_segs=8), 0.02, 0.015)
        db.session.add(WatchArea(owner_id=residents[1].id, name=downtown, public=True,
                                 geom=from_shape(MultiPolygon([area]), srid=4326)))
    db.session.flush()


def seed_demo(inbound_domain: str) -> dict[str, int]:
    """Create (or complete) the demo city; return counts of what exists afterwards."""
    rng = random.Random(311)
    residents = [_user(email, name) for email, name in RESIDENTS]
    for slug in ORGANIZATIONS:
        org = _organization(slug, inbound_domain)
        roles = ensure_default_roles(org)
        staff_users = []
        for email, name, role_name in STAFF[slug]:
            user = _user(email, name)
            staff_users.append(user)
            membership = db.session.scalar(select(Membership).where(
                Membership.user_id == user.id, Membership.organization_id == org.id))
            if membership is None:
                db.session.add(Membership(user_id=user.id, organization_id=org.id, role_id=roles[role_name].id))
        categories = _categories(org)
        by_code = {c.code: c for c in categories}
        if slug == "springfield":
            by_code["pothole"].auto_assignee_id = staff_users[1].id
            by_code["pothole"].routing_emails = ["roads-contractor@example.net"]
            db.session.flush()
            seed_showcase(org, by_code, residents, staff_users, ORGANIZATIONS[slug]["centre"])
            seed_mailbox(org, {r.email: r for r in residents})
            db.session.commit()  # the settings functions below commit their own changes
            seed_configuration(org, by_code, staff_users[0])
        db.session.flush()
        _requests(org, categories, residents, staff_users, DEMO_REQUESTS_PER_CITY[slug], rng)
    _watch_areas(residents, rng)
    seed_followers(residents)
    db.session.commit()
    load_demo_addresses()
    return {name: db.session.scalar(select(func.count()).select_from(model)) for name, model in (
        ("organizations", Organization), ("users", User), ("requests", ServiceRequest),
        ("watch_areas", WatchArea), ("work_orders", WorkOrder), ("inbound_messages", InboundMessage),
        ("notifications", Notification), ("addresses", Address))}

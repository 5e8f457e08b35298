"""The demo city is complete, works for logging in, and seeding twice changes nothing."""

import os
from datetime import timedelta

from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy import func, select

from app.accounts.models import Membership, Organization, User
from app.accounts.passwords import verify_password
from app.db_types import utcnow
from app.events.models import Event
from app.extensions import db
from app.inbound.models import InboundEmail, InboundMessage, InboundMessageStatus
from app.notify.models import CategoryNotificationRule, EmailTemplate, Notification
from app.open311.keys import key_digest
from app.open311.models import ApiKey
from app.requests.models import Attachment, RequestCategory, RequestStatus, ServiceRequest
from app.seed.configuration import DEMO_API_KEY
from app.seed.demo import DEMO_PASSWORD, seed_demo
from app.watch.models import WatchArea, WatchAreaFollower
from app.work.models import SlaBreach, WorkOrder


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_is_idempotent_and_complete(upload_dir):
    first = seed_demo("inbound.test")
    second = seed_demo("inbound.test")
    assert first == second
    assert first["organizations"] == 2
    assert first["users"] == 8
    assert first["requests"] >= 200
    assert first["watch_areas"] >= 3


def test_demo_logins_and_roles(upload_dir):
    seed_demo("inbound.test")
    for email in ["admin@springfield.example", "staff@springfield.example", "admin@shelbyville.example",
                  "resident1@example.com", "RESIDENT5@example.com"]:
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None, email
        assert verify_password(user.password_hash, DEMO_PASSWORD)
    roles = {
        (m.user.email, m.organization.slug): m.role.name
        for m in db.session.scalars(select(Membership))
    }
    assert roles[("admin@springfield.example", "springfield")] == "admin"
    assert roles[("staff@springfield.example", "springfield")] == "staff"
    admin_role = db.session.scalar(select(Membership).join(User).where(
        User.email == "admin@springfield.example")).role
    assert {"view_inbound_messages", "modify_inbound_message_status"} <= admin_role.permission_names


def test_springfield_geography_and_categories(upload_dir):
    seed_demo("inbound.test")
    springfield = db.session.scalar(select(Organization).where(Organization.slug == "springfield"))
    boundary = to_shape(springfield.boundary)
    assert boundary.contains(Point(-89.65, 39.78))
    minx, miny, maxx, maxy = boundary.bounds
    assert 14 < (maxx - minx) * 85.3 < 16  # km across at this latitude
    pothole = db.session.scalar(select(RequestCategory).where(
        RequestCategory.organization_id == springfield.id, RequestCategory.code == "pothole"))
    assert pothole.sla_hours == 48
    assert db.session.scalar(select(RequestCategory.id).where(RequestCategory.code == "graffiti"))
    outside = db.session.scalar(
        select(func.count()).select_from(ServiceRequest).where(
            ServiceRequest.organization_id == springfield.id,
            ~func.ST_Contains(springfield.boundary, ServiceRequest.location)))
    assert outside == 0
    assert _count(WatchArea) >= 3


def test_the_demo_shows_every_state_at_once(upload_dir):
    """What the README's tour promises is in the data: breaches, deadlines close, overdue work,
    triage in every status, unread notifications, overrides, a template, an API key, photos."""
    seed_demo("inbound.test")
    now = utcnow()
    live = select(ServiceRequest).where(ServiceRequest.status.in_(["open", "acknowledged"]),
                                        ServiceRequest.sla_due_at.is_not(None))
    deadlines = [r.sla_due_at - now for r in db.session.scalars(live)]
    assert any(d < timedelta(0) for d in deadlines)                                  # breached
    assert any(timedelta(0) < d < timedelta(hours=4) for d in deadlines)             # close to it
    assert {r.status for r in db.session.scalars(select(ServiceRequest))} == set(RequestStatus)
    orders = db.session.scalars(select(WorkOrder)).all()
    assert {o.status for o in orders} >= {"open", "in_progress", "done"}
    assert any(o.status in ("open", "in_progress") and o.due_at and o.due_at < now for o in orders)  # overdue
    assert {m.status for m in db.session.scalars(select(InboundMessage))} == set(InboundMessageStatus)
    with_files = [m for m in db.session.scalars(select(InboundMessage)) if m.attachments]
    assert with_files and os.path.exists(with_files[0].attachments[0].storage_path)
    resident = db.session.scalar(select(User).where(User.email == "resident1@example.com"))
    mine = db.session.scalars(select(Notification).where(Notification.user_id == resident.id)).all()
    assert {n.seen_at is None for n in mine} == {True, False}                        # read and unread
    areas = db.session.scalars(select(WatchArea)).all()
    assert {a.public for a in areas} == {True, False}
    assert _count(WatchAreaFollower) >= 2
    assert _count(CategoryNotificationRule) >= 1 and _count(EmailTemplate) == 1
    assert db.session.scalar(select(ApiKey.id).where(ApiKey.key_hash == key_digest(DEMO_API_KEY)))
    photos = db.session.scalars(select(Attachment)).all()
    assert len({p.request_id for p in photos}) >= 2 and all(os.path.exists(p.storage_path) for p in photos)
    # Nothing seeded waits to be sent: the history is dispatched, so seeding emails nobody.
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.dispatched_at.is_(None))) == 0


def test_reseeding_adds_nothing_anywhere(upload_dir):
    first = seed_demo("inbound.test")
    tables = [Attachment, InboundEmail, SlaBreach, Event, WatchAreaFollower, ApiKey, CategoryNotificationRule]
    before = [_count(model) for model in tables]
    assert seed_demo("inbound.test") == first
    assert [_count(model) for model in tables] == before

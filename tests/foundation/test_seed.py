"""The demo city is complete, works for logging in, and seeding twice changes nothing."""

from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy import func, select

from app.accounts.models import Membership, Organization, User
from app.accounts.passwords import verify_password
from app.extensions import db
from app.requests.models import RequestCategory, ServiceRequest
from app.seed.demo import DEMO_PASSWORD, seed_demo
from app.watch.models import WatchArea


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_is_idempotent_and_complete():
    first = seed_demo("inbound.test")
    second = seed_demo("inbound.test")
    assert first == second
    assert first["organizations"] == 2
    assert first["users"] == 8
    assert first["requests"] >= 200
    assert first["watch_areas"] >= 3


def test_demo_logins_and_roles():
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


def test_springfield_geography_and_categories():
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

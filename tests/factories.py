"""factory_boy factories for the core model; rows are committed so workers can see them."""

from __future__ import annotations

import factory
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, box

from app.accounts.models import Membership, Organization, User
from app.accounts.passwords import hash_password
from app.accounts.roles import ensure_default_roles
from app.extensions import db
from app.requests.models import Comment, RequestCategory, ServiceRequest
from app.watch.models import WatchArea
from app.work.models import WorkOrder

PASSWORD = "correct horse battery"
# Springfield, IL: the same place the demo city uses.
CENTRE = (-89.65, 39.78)


def square(lng: float, lat: float, half: float) -> MultiPolygon:
    return MultiPolygon([box(lng - half, lat - half, lng + half, lat + half)])


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Sequence(lambda n: f"User {n}")
    password_hash = factory.LazyFunction(lambda: _PASSWORD_HASH)
    confirmed = True
    active = True


_PASSWORD_HASH = hash_password(PASSWORD)


class OrganizationFactory(Base):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"city{n}")
    name = factory.LazyAttribute(lambda o: f"City of {o.slug.title()}")
    timezone = "America/Chicago"
    general_email = factory.LazyAttribute(lambda o: f"{o.slug}@inbound.test")
    sender_email = factory.LazyAttribute(lambda o: f"{o.slug}-notices@inbound.test")
    boundary = factory.LazyFunction(lambda: from_shape(square(*CENTRE, 0.07), srid=4326))


class CategoryFactory(Base):
    class Meta:
        model = RequestCategory

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"cat{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())
    sla_hours = 48


class ServiceRequestFactory(Base):
    class Meta:
        model = ServiceRequest

    category = factory.SubFactory(CategoryFactory)
    organization = factory.LazyAttribute(lambda o: o.category.organization)
    reporter = factory.SubFactory(UserFactory)
    location = factory.LazyFunction(lambda: from_shape(Point(*CENTRE), srid=4326))
    address = "1 Main Street"
    description = "A pothole the size of a bathtub"


class CommentFactory(Base):
    class Meta:
        model = Comment

    request = factory.SubFactory(ServiceRequestFactory)
    author = factory.SubFactory(UserFactory)
    body = "On it."
    visibility = "public"


class WatchAreaFactory(Base):
    class Meta:
        model = WatchArea

    owner = factory.SubFactory(UserFactory)
    name = "My street"
    geom = factory.LazyFunction(lambda: from_shape(square(*CENTRE, 0.01), srid=4326))


class WorkOrderFactory(Base):
    class Meta:
        model = WorkOrder

    organization = factory.SubFactory(OrganizationFactory)
    title = "Patch the pothole"


def make_member(org: Organization, role: str = "staff", **user_fields) -> User:
    """A user holding one of the organization's default roles."""
    user = UserFactory(**user_fields)
    roles = ensure_default_roles(org)
    db.session.add(Membership(user_id=user.id, organization_id=org.id, role_id=roles[role].id))
    db.session.commit()
    return user

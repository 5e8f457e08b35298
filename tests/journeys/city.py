"""The small city every journey happens in: Springfield, a pothole category that asks a question,
an administrator and a staff member (the pothole's automatic assignee)."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import Organization, User
from app.extensions import db
from app.requests.models import RequestCategory
from tests.factories import CENTRE, PASSWORD, CategoryFactory, OrganizationFactory, make_member

LNG, LAT = CENTRE
DEPTH_QUESTION = {"code": "depth", "datatype": "number", "required": True, "variable": True,
                  "description": "How deep is it (cm)?", "order": 1, "values": []}


@dataclass
class City:
    org: Organization
    pothole: RequestCategory
    admin: User
    staff: User
    password: str = PASSWORD


def build_city() -> City:
    org = OrganizationFactory(slug="springfield", name="City of Springfield",
                              general_email="springfield@inbound.test",
                              sender_email="springfield-notices@inbound.test")
    admin = make_member(org, "admin", email="alex@springfield.example", name="Alex Admin")
    staff = make_member(org, "staff", email="sam@springfield.example", name="Sam Staff")
    pothole = CategoryFactory(organization=org, code="pothole", name="Pothole", sla_hours=48,
                              attributes=[DEPTH_QUESTION], auto_assignee_id=staff.id,
                              escalate_to_email="roads-supervisor@springfield.example")
    CategoryFactory(organization=org, code="graffiti", name="Graffiti")
    db.session.commit()
    return City(org, pothole, admin, staff)

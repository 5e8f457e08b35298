"""A small city for request tests: two neighbouring organizations, their people and a request."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from geoalchemy2.shape import from_shape

from app.accounts.models import Organization, User
from app.requests.models import RequestCategory, ServiceRequest
from tests.factories import (
    CENTRE,
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    make_member,
    square,
)
from tests.support.auth import bearer

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
LNG, LAT = CENTRE
# Shelbyville's boundary starts where Springfield's ends (0.07 degrees east of the centre).
NEIGHBOUR_CENTRE = (LNG + 0.14, LAT)
OUTSIDE_BOTH = (LNG - 1.0, LAT)


@dataclass
class City:
    org: Organization
    other_org: Organization
    category: RequestCategory
    other_category: RequestCategory
    neighbour_category: RequestCategory
    resident_a: User
    resident_b: User
    staff: User
    admin: User
    other_staff: User
    request: ServiceRequest

    def headers(self, who: str) -> dict[str, str]:
        """Authorization headers for a named actor ("anonymous" has none)."""
        return {} if who == "anonymous" else bearer(getattr(self, who))

    def new_request(self, **fields) -> ServiceRequest:
        fields.setdefault("category", self.category)
        fields.setdefault("reporter", self.resident_a)
        return ServiceRequestFactory(**fields)


def build_city(restriction: str = "none") -> City:
    org = OrganizationFactory(slug="springfield", name="City of Springfield")
    other_org = OrganizationFactory(slug="shelbyville", name="City of Shelbyville",
                                    boundary=from_shape(square(*NEIGHBOUR_CENTRE, 0.07), srid=4326))
    category = CategoryFactory(organization=org, code="pothole", name="Pothole", public_restriction=restriction)
    other_category = CategoryFactory(organization=org, code="graffiti", name="Graffiti", sla_hours=None)
    neighbour_category = CategoryFactory(organization=other_org, code="pothole", name="Pothole")
    resident_a = UserFactory(name="Ann Resident", email="ann@example.org", phone="+1 217 555 0101")
    resident_b = UserFactory(name="Bob Resident", email="bob@example.org", phone="+1 217 555 0102")
    staff = make_member(org, "staff", name="Sam Staff", email="sam.staff@springfield.example")
    admin = make_member(org, "admin", name="Alex Admin", email="alex.admin@springfield.example")
    other_staff = make_member(other_org, "admin", name="Shel Admin", email="shel.admin@shelbyville.example")
    request = ServiceRequestFactory(category=category, organization=org, reporter=resident_a)
    return City(org, other_org, category, other_category, neighbour_category, resident_a, resident_b,
                staff, admin, other_staff, request)

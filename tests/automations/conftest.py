"""The city every automation test works in."""

from __future__ import annotations

import pytest

from tests.factories import CategoryFactory, OrganizationFactory, make_member


@pytest.fixture
def city():
    org = OrganizationFactory(slug="springfield", name="City of Springfield")
    admin = make_member(org, "admin", name="Ada Admin")
    staff = make_member(org, "staff", name="Sam Staff")
    pothole = CategoryFactory(organization=org, code="pothole", name="Pothole")
    graffiti = CategoryFactory(organization=org, code="graffiti", name="Graffiti")
    return type("City", (), {"org": org, "admin": admin, "staff": staff, "pothole": pothole, "graffiti": graffiti})

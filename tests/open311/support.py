"""Shared pieces of the Open311 tests: the specification's element names and small helpers."""

from __future__ import annotations

from xml.etree import ElementTree

from app.extensions import db
from app.open311.keys import issue_api_key
from tests.factories import CategoryFactory, OrganizationFactory, make_member

SERVICE_ELEMENTS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_ELEMENTS = ["variable", "code", "datatype", "required", "datatype_description", "order", "description"]
REQUEST_ELEMENTS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
]

# A category's questions as stored (RequestCategory.attributes), deliberately out of order.
POTHOLE_ATTRIBUTES = [
    {"code": "hazards", "datatype": "multivaluelist", "required": False, "order": 3,
     "description": "What makes it dangerous?",
     "values": [{"key": "deep", "name": "Deep"}, {"key": "wide", "name": "Wide"}, {"key": "traffic", "name": "In traffic"}]},
    {"code": "size", "datatype": "singlevaluelist", "required": True, "order": 1,
     "description": "How big is it?", "values": [{"key": "s", "name": "Small"}, {"key": "l", "name": "Large"}]},
    {"code": "depth_cm", "datatype": "number", "required": False, "order": 2, "description": "Depth in cm"},
]


def xml(response) -> ElementTree.Element:
    """The parsed XML body of an Open311 answer (which must declare itself as UTF-8 XML)."""
    assert response.content_type == "text/xml; charset=utf-8", response.content_type
    assert response.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.data)


def names(element: ElementTree.Element) -> list[str]:
    return [child.tag for child in element]


def text_of(element: ElementTree.Element, name: str) -> str | None:
    found = element.find(name)
    assert found is not None, f"<{element.tag}> has no <{name}>"
    return found.text


def error_codes_and_descriptions(response, fmt: str) -> list[tuple[int, str]]:
    """The errors document of an error answer, in either format."""
    if fmt == "json":
        assert response.content_type == "application/json; charset=utf-8"
        return [(error["code"], error["description"]) for error in response.get_json()]
    root = xml(response)
    assert root.tag == "errors"
    assert all(names(error) == ["code", "description"] for error in root)
    return [(int(text_of(error, "code")), text_of(error, "description")) for error in root]


def city_with_pothole(slug: str = "springfield"):
    """An organization with a `pothole` service that asks three questions, and a `graffiti` one."""
    organization = OrganizationFactory(slug=slug, name=f"City of {slug.title()}")
    pothole = CategoryFactory(organization=organization, code="pothole", name="Pothole",
                              description="Holes in the road", attributes=POTHOLE_ATTRIBUTES)
    graffiti = CategoryFactory(organization=organization, code="graffiti", name="Graffiti", sla_hours=None)
    return organization, pothole, graffiti


def api_key_for(organization) -> str:
    """A live API key of `organization`, issued by one of its admins."""
    admin = make_member(organization, "admin")
    _, plaintext = issue_api_key(organization, admin, "test client")
    db.session.commit()
    return plaintext

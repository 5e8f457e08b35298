"""Discovery, GET services, GET service definition, and how jurisdiction_id selects a city."""

import pytest

from tests.factories import CategoryFactory, OrganizationFactory
from tests.open311.support import (
    ATTRIBUTE_ELEMENTS,
    SERVICE_ELEMENTS,
    city_with_pothole,
    error_codes_and_descriptions,
    names,
    text_of,
    xml,
)


def test_discovery_names_the_endpoint_and_its_formats_in_xml(client):
    root = xml(client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert names(root) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert names(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert text_of(endpoint, "specification") == "http://wiki.open311.org/GeoReport_v2"
    assert text_of(endpoint, "url").endswith("/open311/v2")
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
    assert names(endpoint.find("formats")) == ["format", "format"]


def test_discovery_in_json(client):
    response = client.get("/open311/v2/discovery.json")
    assert response.content_type == "application/json; charset=utf-8"
    body = response.get_json()
    assert list(body) == ["changeset", "contact", "key_service", "endpoints"]
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert body["endpoints"][0]["type"] == "test"


def test_services_lists_active_categories_with_the_specification_elements(client):
    organization, _, _ = city_with_pothole()
    CategoryFactory(organization=organization, code="retired", name="Retired", active=False)
    root = xml(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    assert names(root) == ["service", "service"]
    graffiti, pothole = list(root)
    assert names(pothole) == SERVICE_ELEMENTS
    assert [text_of(pothole, n) for n in ("service_code", "service_name", "description", "metadata", "type")] == [
        "pothole", "Pothole", "Holes in the road", "true", "realtime"]
    assert text_of(graffiti, "service_code") == "graffiti"
    assert text_of(graffiti, "metadata") == "false"


def test_services_in_json(client):
    city_with_pothole()
    body = client.get("/open311/v2/services.json").get_json()
    assert [service["service_code"] for service in body] == ["graffiti", "pothole"]
    assert list(body[1]) == SERVICE_ELEMENTS
    assert body[1]["metadata"] is True and body[0]["metadata"] is False
    assert body[0]["description"] is None


def test_service_definition_in_xml_orders_attributes_and_lists_values(client):
    city_with_pothole()
    root = xml(client.get("/open311/v2/services/pothole.xml"))
    assert root.tag == "service_definition"
    assert names(root) == ["service_code", "attributes"]
    attributes = root.find("attributes")
    assert names(attributes) == ["attribute"] * 3
    assert [text_of(a, "code") for a in attributes] == ["size", "depth_cm", "hazards"]
    size, depth, hazards = attributes
    assert names(size) == [*ATTRIBUTE_ELEMENTS, "values"]
    assert names(depth) == ATTRIBUTE_ELEMENTS
    assert [text_of(size, n) for n in ("variable", "datatype", "required", "order")] == [
        "true", "singlevaluelist", "true", "1"]
    assert [(text_of(v, "key"), text_of(v, "name")) for v in hazards.find("values")] == [
        ("deep", "Deep"), ("wide", "Wide"), ("traffic", "In traffic")]
    assert names(hazards.find("values")) == ["value"] * 3


def test_service_definition_in_json(client):
    city_with_pothole()
    body = client.get("/open311/v2/services/pothole.json").get_json()
    assert body["service_code"] == "pothole"
    size = body["attributes"][0]
    assert size == {"variable": True, "code": "size", "datatype": "singlevaluelist", "required": True,
                    "datatype_description": None, "order": 1, "description": "How big is it?",
                    "values": [{"key": "s", "name": "Small"}, {"key": "l", "name": "Large"}]}
    assert "values" not in body["attributes"][1]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_or_inactive_service_code_is_404(client, fmt):
    organization, _, _ = city_with_pothole()
    CategoryFactory(organization=organization, code="retired", active=False)
    for code in ("nosuch", "retired"):
        response = client.get(f"/open311/v2/services/{code}.{fmt}")
        assert response.status_code == 404
        [(status, description)] = error_codes_and_descriptions(response, fmt)
        assert status == 404 and code in description


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_jurisdiction_id_is_required_once_there_are_two_organizations(client, fmt):
    city_with_pothole("springfield")
    city_with_pothole("shelbyville")
    missing = client.get(f"/open311/v2/services.{fmt}")
    assert missing.status_code == 400
    [(code, description)] = error_codes_and_descriptions(missing, fmt)
    assert code == 400 and "jurisdiction_id" in description
    unknown = client.get(f"/open311/v2/services.{fmt}?jurisdiction_id=ogdenville")
    assert unknown.status_code == 404
    assert "ogdenville" in error_codes_and_descriptions(unknown, fmt)[0][1]
    chosen = client.get(f"/open311/v2/services.{fmt}?jurisdiction_id=shelbyville")
    assert chosen.status_code == 200


def test_each_jurisdiction_sees_only_its_own_services(client):
    city_with_pothole("springfield")
    other = OrganizationFactory(slug="shelbyville")
    CategoryFactory(organization=other, code="snow", name="Snow")
    body = client.get("/open311/v2/services.json?jurisdiction_id=shelbyville").get_json()
    assert [service["service_code"] for service in body] == ["snow"]


def test_a_single_jurisdiction_may_be_named_or_not(client):
    city_with_pothole("springfield")
    assert client.get("/open311/v2/services.json").status_code == 200
    assert client.get("/open311/v2/services.json?jurisdiction_id=").status_code == 200
    assert client.get("/open311/v2/services.json?jurisdiction_id=springfield").status_code == 200
    assert client.get("/open311/v2/services.json?jurisdiction_id=elsewhere").status_code == 404


@pytest.mark.parametrize("path", ["services.csv", "nothing.xml", "services/pothole"])
def test_unknown_resources_answer_the_errors_document(client, path):
    city_with_pothole()
    response = client.get(f"/open311/v2/{path}")
    assert response.status_code == 404
    assert error_codes_and_descriptions(response, "xml")[0][0] == 404

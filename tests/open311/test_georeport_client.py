"""The `georeport` client from PyPI, in JSON and XML, against a live server started by the test."""

import threading

import pytest
import requests
import xmltodict
from georeport import GeoReport
from werkzeug.serving import make_server

from tests.factories import ServiceRequestFactory
from tests.open311.support import api_key_for, city_with_pothole
from tests.support.smtp import free_port


@pytest.fixture
def live_server(app):
    """The real application on a real socket, served by werkzeug in a thread."""
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/open311/v2"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def two_cities():
    springfield, pothole, _ = city_with_pothole("springfield")
    city_with_pothole("shelbyville")
    return springfield, pothole


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_the_georeport_client_lists_services_and_reads_their_definitions(live_server, two_cities, output_format):
    client = GeoReport(live_server, jurisdiction="springfield", output_format=output_format)
    services = client.get_service_list()
    assert [service["service_code"] for service in services] == ["graffiti", "pothole"]
    assert str(services[1]["metadata"]).lower() == "true"
    definition = client.get_service_definition("pothole")
    assert definition["service_code"] == "pothole"
    attributes = definition["attributes"] if output_format == "json" else definition["attributes"]["attribute"]
    assert [attribute["code"] for attribute in attributes] == ["size", "depth_cm", "hazards"]


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_the_georeport_client_searches_and_reads_requests(live_server, two_cities, output_format):
    _, pothole = two_cities
    first = ServiceRequestFactory(category=pothole, status="acknowledged", description="First hole")
    second = ServiceRequestFactory(category=pothole, status="closed", description="Second hole")
    client = GeoReport(live_server, jurisdiction="springfield", output_format=output_format)

    both = client.get_service_requests(service_request_id=f"{first.public_id},{second.public_id}")
    assert {item["service_request_id"] for item in both} == {first.public_id, second.public_id}
    open_ones = client.get_service_requests(status="open", service_code="pothole")
    # xmltodict answers a lone <request> as a dict rather than a list of one.
    open_ones = open_ones if isinstance(open_ones, list) else [open_ones]
    assert [item["service_request_id"] for item in open_ones] == [first.public_id]

    one = client.get_service_request(second.public_id)
    assert (one["service_request_id"], one["status"], one["description"]) == (
        second.public_id, "closed", "Second hole")
    assert float(one["lat"]) == pytest.approx(39.78)

    with pytest.raises(requests.HTTPError) as missing:
        client.get_service_request("nosuchid00")
    assert missing.value.response.status_code == 404
    wrong_city = GeoReport(live_server, output_format=output_format)
    with pytest.raises(requests.HTTPError) as unnamed:
        wrong_city.get_service_list()
    assert unnamed.value.response.status_code == 400


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_a_report_posted_over_the_wire_is_read_back_by_the_client(live_server, two_cities, output_format):
    springfield, _ = two_cities
    client = GeoReport(live_server, jurisdiction="springfield", api_key=api_key_for(springfield),
                       output_format=output_format)
    # The georeport client does not post; its own HTTP library does, as its users would.
    response = requests.post(f"{client.root_address}/requests.{output_format}", timeout=10, data={
        "api_key": client.api_key, "jurisdiction_id": client.jurisdiction, "service_code": "pothole",
        "lat": "39.781", "long": "-89.651", "attribute[size]": "s", "attribute[hazards][]": ["deep", "wide"],
        "description": "Posted over the wire", "email": "wire@example.org"})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == f"{'application/json' if output_format == 'json' else 'text/xml'}; charset=utf-8"
    if output_format == "json":
        public_id = response.json()[0]["service_request_id"]
    else:
        public_id = xmltodict.parse(response.content)["service_requests"]["request"]["service_request_id"]
    read_back = client.get_service_request(public_id)
    assert (read_back["status"], read_back["service_code"], read_back["description"]) == (
        "open", "pothole", "Posted over the wire")
    assert "wire@example.org" not in str(read_back)

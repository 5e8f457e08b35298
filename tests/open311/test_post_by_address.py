"""POST requests with only address_string: placed at that address, or refused as the spec says."""

import pytest
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy import select

from app.extensions import db
from app.requests.models import ServiceRequest
from tests.addresses.support import ELSEWHERE_ROWS, SPRINGFIELD_ROWS, import_rows
from tests.open311.support import api_key_for, city_with_pothole, error_codes_and_descriptions


def _form(api_key: str, address: str) -> dict:
    return {"api_key": api_key, "service_code": "pothole", "address_string": address, "attribute[size]": "l",
            "description": "Deep hole by the school", "email": "resident@example.org"}


@pytest.fixture
def springfield(tmp_path):
    organization, _, _ = city_with_pothole()
    import_rows(tmp_path, SPRINGFIELD_ROWS + ELSEWHERE_ROWS)
    return organization


@pytest.mark.parametrize("written", ["123 Main Street", "123 main st, Springfield, IL 62701",
                                     "123 MAIN ST SPRINGFIELD", "123 Main Street, Springfield, Illinois, USA"])
def test_only_an_address_string_files_the_request_at_that_address(client, springfield, written):
    response = client.post("/open311/v2/requests.json", data=_form(api_key_for(springfield), written))
    assert response.status_code == 200, response.get_data(as_text=True)
    [answer] = response.get_json()
    request = db.session.scalar(select(ServiceRequest).where(ServiceRequest.public_id == answer["service_request_id"]))
    assert to_shape(request.location).equals_exact(Point(-89.6501, 39.7801), 1e-7)
    assert request.address == written  # what the client wrote stays the request's address

    [shown] = client.get(f"/open311/v2/requests/{answer['service_request_id']}.json").get_json()
    assert (shown["lat"], shown["long"]) == pytest.approx((39.7801, -89.6501))


def test_coordinates_sent_with_the_address_win(client, springfield):
    form = {**_form(api_key_for(springfield), "123 Main Street"), "lat": "39.775", "long": "-89.655"}
    assert client.post("/open311/v2/requests.json", data=form).status_code == 200
    request = db.session.scalar(select(ServiceRequest))
    assert to_shape(request.location).equals_exact(Point(-89.655, 39.775), 1e-9)


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("written", ["999 Nowhere Lane", "12", "123 Main Street, Elsewhere", "Main Street"])
def test_an_address_it_cannot_place_is_the_specifications_400(client, springfield, fmt, written):
    response = client.post(f"/open311/v2/requests.{fmt}", data=_form(api_key_for(springfield), written))
    assert response.status_code == 400
    [(code, description)] = error_codes_and_descriptions(response, fmt)
    assert code == 400 and "matches no address" in description and "lat and long" in description
    assert db.session.scalar(select(db.func.count()).select_from(ServiceRequest)) == 0


def test_an_address_in_a_neighbours_area_is_not_placed_in_this_jurisdiction(client, springfield):
    neighbour, _, _ = city_with_pothole("shelbyville")
    # The factories draw every organization on the same square; move the neighbour away.
    from geoalchemy2.shape import from_shape

    from tests.factories import square
    neighbour.boundary = from_shape(square(-88.0, 41.0, 0.05), srid=4326)
    db.session.commit()
    response = client.post("/open311/v2/requests.json?jurisdiction_id=shelbyville",
                           data=_form(api_key_for(neighbour), "123 Main Street, Springfield"))
    assert response.status_code == 400
    elsewhere = client.post("/open311/v2/requests.json?jurisdiction_id=shelbyville",
                            data=_form(api_key_for(neighbour), "123 Main Street, Elsewhere"))
    assert elsewhere.status_code == 200, elsewhere.get_data(as_text=True)

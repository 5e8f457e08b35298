"""GET /api/v1/addresses?q= (autocomplete) and /addresses/reverse (the nearest address)."""

import pytest

from tests.addresses.support import ELSEWHERE_ROWS, SPRINGFIELD_ROWS, import_rows
from tests.factories import OrganizationFactory


@pytest.fixture
def springfield(tmp_path):
    organization = OrganizationFactory(slug="springfield")
    import_rows(tmp_path, SPRINGFIELD_ROWS + ELSEWHERE_ROWS)
    return organization


def _labels(client, q, **args):
    response = client.get("/api/v1/addresses", query_string={"q": q, **args})
    assert response.status_code == 200, response.get_json()
    return [item["label"] for item in response.get_json()["items"]]


def test_typing_narrows_the_suggestions_word_by_word(client, springfield):
    assert set(_labels(client, "12")) == {
        "12 Elm St, Springfield 62701", "123 Main Street, Springfield 62701",
        "125 Main Street, Springfield 62701", "1200 Elm Street, Apt 4, Springfield 62701"}
    assert _labels(client, "12")[0] == "12 Elm St, Springfield 62701"  # the whole word ranks first
    assert _labels(client, "12 ") == ["12 Elm St, Springfield 62701"]
    assert _labels(client, "123 ma") == ["123 Main Street, Springfield 62701"]
    assert _labels(client, "main") == ["123 Main Street, Springfield 62701", "125 Main Street, Springfield 62701"]


def test_a_suggestion_carries_its_parts_and_its_point(client, springfield):
    [item] = client.get("/api/v1/addresses?q=1200 elm").get_json()["items"]
    assert item == {"id": item["id"], "label": "1200 Elm Street, Apt 4, Springfield 62701", "number": "1200",
                    "street": "Elm Street", "unit": "Apt 4", "city": "Springfield", "postcode": "62701",
                    "lat": 39.779, "lng": -89.652, "distance_m": None}


def test_accents_case_and_street_abbreviations_do_not_matter(client, springfield):
    assert _labels(client, "7 CALLE PENASCO") == ["7 Calle Peñasco, Springfield 62702"]
    assert _labels(client, "450 north ave") == ["450 North Avenue, Springfield 62702"]
    assert _labels(client, "450 N Avenue") == ["450 North Avenue, Springfield 62702"]
    assert _labels(client, "12 elm st") == ["12 Elm St, Springfield 62701"]
    # Still typing the long spelling of a street word that is stored short, or the reverse.
    assert _labels(client, "450 nor") == ["450 North Avenue, Springfield 62702"]
    assert _labels(client, "12 elm stre") == ["12 Elm St, Springfield 62701"]


def test_only_addresses_inside_a_service_boundary_are_suggested(client, springfield):
    assert "123 Main Street, Elsewhere 60000" not in _labels(client, "123 main")
    assert _labels(client, "elsewhere") == []


def test_the_list_is_paginated_like_every_list(client, springfield):
    body = client.get("/api/v1/addresses?q=street&per_page=2&page=2").get_json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (4, 2, 2, 2)
    first = client.get("/api/v1/addresses?q=street&per_page=2").get_json()["items"]
    assert {i["id"] for i in first}.isdisjoint({i["id"] for i in body["items"]})


def test_too_little_typed_answers_nothing_and_bad_input_is_a_422(client, springfield):
    assert _labels(client, "1") == []
    assert _labels(client, " , ") == []
    for query in ({}, {"q": ""}, {"q": "x" * 201}, {"q": "main", "per_page": 21}):
        response = client.get("/api/v1/addresses", query_string=query)
        assert response.status_code == 422
        assert response.get_json()["error"] == "validation_failed"


def test_reverse_gives_the_nearest_address_with_its_distance(client, springfield):
    response = client.get("/api/v1/addresses/reverse?lat=39.7801&lng=-89.6504")
    assert response.status_code == 200
    body = response.get_json()
    assert body["label"] == "125 Main Street, Springfield 62701"
    assert 5 < body["distance_m"] < 15


def test_reverse_far_from_every_address_or_outside_the_boundaries_is_a_404(client, springfield):
    far = client.get("/api/v1/addresses/reverse?lat=39.80&lng=-89.60")
    assert far.status_code == 404
    assert far.get_json()["error"] == "not_found"
    assert "150 m" in far.get_json()["message"]
    assert client.get("/api/v1/addresses/reverse?lat=41.0&lng=-88.0").status_code == 404
    wider = client.get("/api/v1/addresses/reverse?lat=39.7850&lng=-89.6505&radius_m=1000")
    assert wider.get_json()["label"] == "125 Main Street, Springfield 62701"
    assert client.get("/api/v1/addresses/reverse?lat=91&lng=0").status_code == 422

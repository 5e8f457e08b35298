"""Bad input to the request API is a 4xx naming the field, never a 500; no mass assignment."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.requests.models import ServiceRequest
from tests.requests.city import LAT, LNG, NEIGHBOUR_CENTRE, OUTSIDE_BOTH, build_city


@pytest.fixture
def city():
    return build_city()


def _submit(client, city, headers=None, **overrides):
    body = {"category_id": city.category.id, "lat": LAT, "lng": LNG, "description": "Deep pothole"}
    body.update(overrides)
    return client.post("/api/v1/requests", json=body, headers=headers or city.headers("resident_a"))


def _fields(response) -> set[str]:
    return set(response.get_json()["details"].get("json", {}))


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(ServiceRequest))


def test_malformed_json_is_400(client, city):
    response = client.post("/api/v1/requests", data='{"lat": 1,', content_type="application/json",
                           headers=city.headers("resident_a"))
    assert response.status_code == 400
    assert set(response.get_json()) == {"error", "message", "details"}


@pytest.mark.parametrize(("overrides", "field"), [
    ({"lat": "north"}, "lat"),
    ({"lng": None}, "lng"),
    ({"category_id": "1"}, "category_id"),
    ({"category_id": 1.5}, "category_id"),
    ({"description": ["a"]}, "description"),
    ({"description": "   "}, "description"),
    ({"answers": [1, 2]}, "answers"),
    ({"address": "x" * 501}, "address"),
])
def test_wrong_types_are_named(client, city, overrides, field):
    response = _submit(client, city, **overrides)
    assert response.status_code == 422
    assert field in _fields(response)
    assert f"json.{field}" in response.get_json()["message"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"lat": 90.5}, "lat"), ({"lat": -91}, "lat"), ({"lng": 180.01}, "lng"), ({"lng": -1e308}, "lng"),
])
def test_out_of_range_coordinates_are_named(client, city, overrides, field):
    response = _submit(client, city, **overrides)
    assert response.status_code == 422
    assert field in _fields(response)


def test_nan_is_not_a_coordinate(client, city):
    response = client.post("/api/v1/requests", data=(
        f'{{"category_id": {city.category.id}, "lat": NaN, "lng": {LNG}, "description": "x"}}'),
        content_type="application/json", headers=city.headers("resident_a"))
    assert response.status_code in (400, 422)


def test_missing_required_fields_are_named(client, city):
    response = client.post("/api/v1/requests", json={}, headers=city.headers("resident_a"))
    assert response.status_code == 422
    assert _fields(response) == {"category_id", "lat", "lng", "description"}


@pytest.mark.parametrize("field", ["status", "assignee_id", "organization_id", "organization",
                                   "reporter_id", "role", "public_id", "sla_due_at"])
def test_no_mass_assignment_through_submission(client, city, field):
    response = _submit(client, city, **{field: 1})
    assert response.status_code == 422
    assert _fields(response) == {field}
    assert _count() == 1  # only the city's own request


def test_a_point_outside_every_boundary_is_refused_naming_the_coordinates(client, city):
    response = _submit(client, city, lng=OUTSIDE_BOTH[0], lat=OUTSIDE_BOTH[1])
    assert response.status_code == 422
    assert _fields(response) == {"lat", "lng"}
    assert "outside every service area" in response.get_json()["message"]


def test_a_point_served_by_another_organization_names_the_category(client, city):
    response = _submit(client, city, lng=NEIGHBOUR_CENTRE[0], lat=NEIGHBOUR_CENTRE[1])
    assert response.status_code == 422
    assert _fields(response) == {"category_id", "lat", "lng"}
    assert "City of Shelbyville" in response.get_json()["message"]


def test_unknown_and_inactive_categories_are_named(client, city):
    assert "category_id" in _fields(_submit(client, city, category_id=999_999))
    city.other_category.active = False
    db.session.commit()
    assert "category_id" in _fields(_submit(client, city, category_id=city.other_category.id))


def test_answers_are_checked_against_the_category_questions(client, city):
    city.category.attributes = [{"code": "depth", "datatype": "number", "required": True,
                                 "variable": True, "description": "Depth (cm)", "order": 0, "values": []}]
    db.session.commit()
    refused = _submit(client, city, answers={"depth": "very"})
    assert refused.status_code == 422
    assert refused.get_json()["details"] == {"json": {"answers": {"depth": ["Must be a number."]}}}
    accepted = _submit(client, city, answers={"depth": 12})
    assert accepted.status_code == 201
    assert accepted.get_json()["answers"] == {"depth": 12}


def test_anonymous_submission_is_401(client, city):
    response = _submit(client, city, headers={"X-Nobody": "1"})
    assert response.status_code == 401


@pytest.mark.parametrize(("path", "body", "field"), [
    ("assign", {"assignee_id": "sam"}, "assignee_id"),
    ("assign", {"assignee_id": 1, "status": "closed"}, "status"),
    ("recategorize", {}, "category_id"),
    ("close", {"comment": 5}, "comment"),
    ("close", {"status": "open"}, "status"),
    ("reopen", {"organization_id": 2}, "organization_id"),
    ("acknowledge", {"assignee_id": 3}, "assignee_id"),
])
def test_staff_action_bodies_are_validated(client, city, path, body, field):
    response = client.post(f"/api/v1/orgs/springfield/requests/{city.request.id}/{path}", json=body,
                           headers=city.headers("staff"))
    assert response.status_code == 422
    assert _fields(response) == {field}


@pytest.mark.parametrize("body", [{"due_at": "tomorrow"}, {}, {"due_at": None, "status": "closed"}])
def test_due_date_body_is_validated(client, city, body):
    response = client.patch(f"/api/v1/orgs/springfield/requests/{city.request.id}", json=body,
                            headers=city.headers("staff"))
    assert response.status_code == 422


def test_comment_bodies_are_validated(client, city):
    url = f"/api/v1/requests/{city.request.id}/comments"
    headers = city.headers("resident_b")
    assert _fields(client.post(url, json={"body": ""}, headers=headers)) == {"body"}
    assert _fields(client.post(url, json={"body": "x", "visibility": "secret"}, headers=headers)) == {"visibility"}
    assert _fields(client.post(url, json={"body": "x", "author_id": 1}, headers=headers)) == {"author_id"}


@pytest.mark.parametrize("query", [
    "bbox=1,2,3", "bbox=10,0,5,1", "bbox=a,b,c,d", "lat=39.7&lng=-89.6", "radius_m=100", "lat=91&lng=0&radius_m=5",
    "status=lost", "updated_after=yesterday", "per_page=101", "page=0", "category=x", "assigned_to=-1",
])
def test_bad_list_filters_are_422_naming_the_parameter(client, city, query):
    response = client.get(f"/api/v1/requests?{query}")
    assert response.status_code == 422, response.get_json()
    assert "query" in response.get_json()["details"]


@pytest.mark.parametrize(("method", "path", "kwargs", "field"), [
    ("POST", "/api/v1/requests/{id}/comments", {"json": {"body": "a\x00b"}}, "body"),
    ("POST", "/api/v1/requests", {"json": {"category_id": 1, "lat": LAT, "lng": LNG, "description": "x",
                                           "answers": {"depth": "\x00"}}}, "answers"),
    ("GET", "/api/v1/requests?q=a%00b", {}, "q"),
    ("POST", "/api/v1/orgs/springfield/requests/{id}/close", {"json": {"comment": "\x00"}}, "comment"),
])
def test_unstorable_text_is_refused_naming_the_field(client, city, method, path, kwargs, field):
    response = client.open(path.format(id=city.request.id), method=method, headers=city.headers("staff"), **kwargs)
    assert response.status_code == 422
    location = "query" if method == "GET" else "json"
    assert field in response.get_json()["details"][location]


def test_a_lone_surrogate_is_refused_naming_the_field(client, city):
    response = client.post(f"/api/v1/requests/{city.request.id}/comments", data='{"body": "x\\ud800y"}',
                           content_type="application/json", headers=city.headers("staff"))
    assert response.status_code == 422
    assert "body" in response.get_json()["details"]["json"]

"""Who serves a point, a category's questions, and an organization's category settings."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.requests.city import LAT, LNG, NEIGHBOUR_CENTRE, OUTSIDE_BOTH, build_city

QUESTION = {"code": "depth", "datatype": "number", "required": True, "description": "Depth (cm)"}


@pytest.fixture
def city():
    return build_city()


def test_organizations_serving_a_point_with_their_active_categories(client, city):
    city.other_category.active = False
    db.session.commit()
    here = client.get(f"/api/v1/organizations?lat={LAT}&lng={LNG}").get_json()
    assert [(o["slug"], [c["code"] for c in o["categories"]]) for o in here["items"]] == [("springfield", ["pothole"])]
    there = client.get(f"/api/v1/organizations?lat={NEIGHBOUR_CENTRE[1]}&lng={NEIGHBOUR_CENTRE[0]}").get_json()
    assert [o["slug"] for o in there["items"]] == ["shelbyville"]
    nowhere = client.get(f"/api/v1/organizations?lat={OUTSIDE_BOTH[1]}&lng={OUTSIDE_BOTH[0]}").get_json()
    assert nowhere["items"] == [] and nowhere["total"] == 0
    missing = client.get("/api/v1/organizations?lat=200")
    assert missing.status_code == 422
    assert set(missing.get_json()["details"]["query"]) == {"lat", "lng"}


def test_an_admin_creates_and_changes_a_category_with_questions(client, city):
    admin = city.headers("admin")
    created = client.post("/api/v1/orgs/springfield/categories", headers=admin, json={
        "code": "trees", "name": "Fallen tree", "sla_hours": 24, "auto_assignee_id": city.staff.id,
        "routing_emails": ["parks@springfield.example"], "escalate_to_email": "chief@springfield.example",
        "public_restriction": "disable_reopen", "attributes": [QUESTION]})
    assert created.status_code == 201, created.get_json()
    category = created.get_json()
    assert category["attributes"][0] == {**QUESTION, "variable": True, "order": 0, "values": []}
    assert category["routing_emails"] == ["parks@springfield.example"]

    public = client.get(f"/api/v1/categories/{category['id']}").get_json()
    assert public["attributes"] == category["attributes"]
    assert "routing_emails" not in public and "escalate_to_email" not in public and "auto_assignee_id" not in public

    changed = client.put(f"/api/v1/orgs/springfield/categories/{category['id']}", headers=admin,
                         json={"sla_hours": None, "public_restriction": "disable_all"}).get_json()
    assert changed["sla_hours"] is None and changed["public_restriction"] == "disable_all"
    assert changed["name"] == "Fallen tree" and changed["routing_emails"] == ["parks@springfield.example"]

    listed = client.get("/api/v1/orgs/springfield/categories", headers=city.headers("staff")).get_json()
    assert [c["code"] for c in listed] == ["trees", "graffiti", "pothole"]


@pytest.mark.parametrize(("body", "field", "status"), [
    ({"code": "pothole", "name": "Again"}, None, 409),
    ({"code": "Bad Code", "name": "x"}, "code", 422),
    ({"code": "x", "name": "x", "auto_assignee_id": 999}, "auto_assignee_id", 422),
    ({"code": "x", "name": "x", "public_restriction": "lock"}, "public_restriction", 422),
    ({"code": "x", "name": "x", "routing_emails": ["not-an-address"]}, "routing_emails", 422),
    ({"code": "x", "name": "x", "attributes": [QUESTION, QUESTION]}, "attributes", 422),
    ({"code": "x", "name": "x", "attributes": [{"code": "q", "datatype": "colour", "description": "?"}]},
     "attributes", 422),
    ({"code": "x", "name": "x", "organization_id": 2}, "organization_id", 422),
])
def test_category_settings_are_validated(client, city, body, field, status):
    response = client.post("/api/v1/orgs/springfield/categories", headers=city.headers("admin"), json=body)
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["details"]["json"]


def test_a_member_of_another_organization_cannot_be_the_auto_assignee(client, city):
    response = client.put(f"/api/v1/orgs/springfield/categories/{city.category.id}", headers=city.headers("admin"),
                          json={"auto_assignee_id": city.other_staff.id})
    assert response.status_code == 422


def test_another_organizations_category_is_404_here(client, city):
    response = client.get(f"/api/v1/orgs/springfield/categories/{city.neighbour_category.id}",
                          headers=city.headers("admin"))
    assert response.status_code == 404


def test_a_partial_update_still_checks_every_question_in_full(client, city):
    response = client.put(f"/api/v1/orgs/springfield/categories/{city.category.id}", headers=city.headers("admin"),
                          json={"attributes": [{"datatype": "text", "description": "no code"}]})
    assert response.status_code == 422
    assert "code" in response.get_json()["details"]["json"]["attributes"]["0"]

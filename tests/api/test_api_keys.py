"""/api/v1/orgs/{org}/api-keys: organization admins issue and revoke Open311 keys."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.open311.keys import issue_api_key, key_digest
from app.open311.models import ApiKey
from tests.factories import OrganizationFactory, make_member
from tests.support.auth import bearer


def test_an_admin_issues_a_key_shown_once_and_stored_hashed(client):
    organization = OrganizationFactory(slug="springfield")
    admin = make_member(organization, "admin")
    response = client.post("/api/v1/orgs/springfield/api-keys", json={"name": "SeeClickFix bridge"},
                           headers=bearer(admin))
    assert response.status_code == 201, response.get_json()
    issued = response.get_json()
    assert issued["name"] == "SeeClickFix bridge" and issued["created_by_id"] == admin.id
    assert issued["key"].startswith("o311_")
    stored = db.session.scalar(select(ApiKey))
    assert stored.key_hash == key_digest(issued["key"]) and issued["key"] not in stored.key_hash

    listed = client.get("/api/v1/orgs/springfield/api-keys", headers=bearer(admin)).get_json()
    assert listed["total"] == 1 and listed["page"] == 1
    assert listed["items"][0]["id"] == issued["id"]
    assert "key" not in listed["items"][0] and "key_hash" not in listed["items"][0]


def test_revoking_a_key_keeps_it_listed_as_revoked(client):
    organization = OrganizationFactory(slug="springfield")
    admin = make_member(organization, "admin")
    headers = bearer(admin)
    key_id = client.post("/api/v1/orgs/springfield/api-keys", json={"name": "app"}, headers=headers).get_json()["id"]
    assert client.delete(f"/api/v1/orgs/springfield/api-keys/{key_id}", headers=headers).status_code == 204
    [item] = client.get("/api/v1/orgs/springfield/api-keys", headers=headers).get_json()["items"]
    assert item["revoked_at"] is not None
    assert client.delete(f"/api/v1/orgs/springfield/api-keys/{key_id}", headers=headers).status_code == 204


def test_anonymous_callers_are_401(client):
    OrganizationFactory(slug="springfield")
    assert client.get("/api/v1/orgs/springfield/api-keys").status_code == 401


@pytest.mark.parametrize("who", ["staff of the organization", "admin of another organization"])
def test_only_members_with_manage_settings_handle_keys(client, who):
    organization = OrganizationFactory(slug="springfield")
    if who == "staff of the organization":
        caller = make_member(organization, "staff")
    else:
        caller = make_member(OrganizationFactory(slug="shelbyville"), "admin")
    headers = bearer(caller)
    assert client.get("/api/v1/orgs/springfield/api-keys", headers=headers).status_code == 403
    assert client.post("/api/v1/orgs/springfield/api-keys", json={"name": "x"}, headers=headers).status_code == 403
    assert db.session.scalar(select(db.func.count()).select_from(ApiKey)) == 0


def test_a_key_of_another_organization_cannot_be_revoked_through_this_one(client):
    springfield, shelbyville = OrganizationFactory(slug="springfield"), OrganizationFactory(slug="shelbyville")
    theirs, _ = issue_api_key(shelbyville, make_member(shelbyville, "admin"), "theirs")
    db.session.commit()
    response = client.delete(f"/api/v1/orgs/springfield/api-keys/{theirs.id}",
                             headers=bearer(make_member(springfield, "admin")))
    assert response.status_code == 404
    db.session.refresh(theirs)
    assert theirs.revoked_at is None


def test_a_key_needs_a_name_and_nothing_else(client):
    organization = OrganizationFactory(slug="springfield")
    headers = bearer(make_member(organization, "admin"))
    assert client.post("/api/v1/orgs/springfield/api-keys", json={"name": ""}, headers=headers).status_code == 422
    response = client.post("/api/v1/orgs/springfield/api-keys", json={"name": "a", "key": "mine"}, headers=headers)
    assert response.status_code == 422
    assert "key" in response.get_json()["details"]["json"]


def test_the_openapi_document_lists_the_api_key_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/orgs/{org}/api-keys", "/api/v1/orgs/{org}/api-keys/{key_id}"} <= set(paths)

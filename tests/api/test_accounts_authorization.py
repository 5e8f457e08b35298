"""Who may call each account and organization endpoint: a matrix over every caller.

Callers: anonymous, a resident, staff of the organization (no manage_members), an admin of
the organization, an admin of another organization. Each cell is its own test on fresh data.
"""

from __future__ import annotations

import pytest

from app.accounts.models import EmailAlias, Role
from app.db_types import utcnow
from app.extensions import db
from tests.factories import OrganizationFactory, UserFactory, make_member
from tests.support.auth import bearer

CALLERS = ("anonymous", "resident", "staff", "admin", "other_admin")


@pytest.fixture
def world():
    org = OrganizationFactory(slug="springfield")
    other = OrganizationFactory(slug="shelbyville")
    people = {
        "resident": UserFactory(email="resident@example.org"),
        "staff": make_member(org, "staff", email="staff@springfield.example"),
        "admin": make_member(org, "admin", email="admin@springfield.example"),
        "other_admin": make_member(other, "admin", email="admin@shelbyville.example"),
        "outsider": UserFactory(email="outsider@example.org"),
    }
    staff_role = db.session.scalar(db.select(Role).where(Role.organization_id == org.id, Role.name == "staff"))
    return {"org": org, "people": people, "staff_role_id": staff_role.id}


def headers_for(world, caller: str) -> dict:
    return {} if caller == "anonymous" else bearer(world["people"][caller])


# (name, method, path, body, status for the organization's admin)
ORG_ENDPOINTS = [
    ("list members", "get", "/members", None, 200),
    # Issue 14: nobody joins without accepting; by id only an existing member's role changes.
    ("add member", "post", "/members", lambda w: {"user_id": w["people"]["outsider"].id, "role": "viewer"}, 422),
    ("add member by email", "post", "/members", {"email": "new@springfield.example", "role": "viewer"}, 202),
    ("list invitations", "get", "/invitations", None, 200),
    ("change member", "patch", "/members/{staff_id}", {"role": "viewer"}, 200),
    ("remove member", "delete", "/members/{staff_id}", None, 204),
    ("invite", "post", "/invitations", {"email": "new@springfield.example", "role": "staff"}, 202),
    ("list roles", "get", "/roles", None, 200),
    ("create role", "post", "/roles", {"name": "inspector", "permissions": ["view_requests"]}, 201),
    ("replace role", "put", "/roles/{staff_role_id}", {"name": "crew", "permissions": ["view_requests"]}, 200),
]
DENIED = {"anonymous": 401, "resident": 403, "staff": 403, "other_admin": 403}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("name, method, path, body, admin_status", ORG_ENDPOINTS, ids=[e[0] for e in ORG_ENDPOINTS])
def test_organization_endpoints(client, world, caller, name, method, path, body, admin_status):
    full_path = "/api/v1/orgs/springfield" + path.format(
        staff_id=world["people"]["staff"].id, staff_role_id=world["staff_role_id"])
    payload = body(world) if callable(body) else body
    response = getattr(client, method)(full_path, json=payload, headers=headers_for(world, caller))
    expected = admin_status if caller == "admin" else DENIED[caller]
    assert response.status_code == expected, response.get_json()
    if expected >= 400:
        assert set(response.get_json()) == {"error", "message", "details"}


@pytest.mark.parametrize("caller", ("resident", "staff", "admin", "other_admin"))
def test_an_unknown_organization_is_404_for_every_logged_in_caller(client, world, caller):
    response = client.get("/api/v1/orgs/atlantis/members", headers=headers_for(world, caller))
    assert response.status_code == 404


@pytest.mark.parametrize("caller", ("anonymous", "resident", "staff"))
def test_callers_without_the_permission_learn_nothing_from_a_bad_body(client, world, caller):
    """Authorization comes before validation: a malformed body is still 401/403, never 422."""
    response = client.post("/api/v1/orgs/springfield/invitations", json={"email": 5},
                           headers=headers_for(world, caller))
    assert response.status_code == DENIED[caller]


def test_another_organizations_admin_cannot_reach_this_organizations_objects_through_their_own(client, world):
    """Object-level: ids of another organization's members and roles are 404 under one's own slug."""
    headers = headers_for(world, "other_admin")
    staff_id = world["people"]["staff"].id
    assert client.patch(f"/api/v1/orgs/shelbyville/members/{staff_id}", json={"role": "viewer"},
                        headers=headers).status_code == 404
    assert client.delete(f"/api/v1/orgs/shelbyville/members/{staff_id}", headers=headers).status_code == 404
    assert client.put(f"/api/v1/orgs/shelbyville/roles/{world['staff_role_id']}",
                      json={"name": "x", "permissions": []}, headers=headers).status_code == 404


# /me is everyone's own: anonymous is 401, every logged-in caller sees only themselves.
@pytest.mark.parametrize("caller", CALLERS)
def test_me_is_always_ones_own(client, world, caller):
    response = client.get("/api/v1/me", headers=headers_for(world, caller))
    if caller == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert response.get_json()["id"] == world["people"][caller].id


@pytest.mark.parametrize("caller", CALLERS)
def test_only_the_owner_can_remove_an_alias(client, world, caller):
    owner = world["people"]["outsider"]
    db.session.add(EmailAlias(user_id=owner.id, email="outsider@home.example", confirmed_at=utcnow()))
    db.session.commit()
    response = client.delete("/api/v1/me/aliases", query_string={"email": "outsider@home.example"},
                             headers=headers_for(world, caller))
    assert response.status_code == (401 if caller == "anonymous" else 404)
    assert db.session.scalar(db.select(EmailAlias.id).where(EmailAlias.email == "outsider@home.example"))

"""Organization admins manage members, invitations and roles; someone can always manage members.

Invitations themselves (consent to join) are in tests/accounts/test_invitations.py."""

import pytest

from app.accounts.models import Membership, Role, User
from app.accounts.roles import ensure_default_roles
from app.extensions import db
from tests.factories import OrganizationFactory, UserFactory, make_member
from tests.support.accounts import events_of
from tests.support.auth import bearer


@pytest.fixture
def org():
    return OrganizationFactory(slug="springfield")


@pytest.fixture
def admin(org):
    return make_member(org, "admin", name="Alex Admin")


def url(org, path):
    return f"/api/v1/orgs/{org.slug}{path}"


def role_of(org, user) -> str | None:
    db.session.expire_all()
    membership = db.session.scalar(db.select(Membership).where(
        Membership.organization_id == org.id, Membership.user_id == user.id))
    return membership.role.name if membership else None


def test_members_list_shows_people_and_roles_but_no_contact_details(client, org, admin):
    make_member(org, "staff", name="Sam Staff", phone="555 0100")
    response = client.get(url(org, "/members"), headers=bearer(admin))
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 2 and body["page"] == 1
    assert [(m["user"]["name"], m["role"]) for m in body["items"]] == [("Alex Admin", "admin"), ("Sam Staff", "staff")]
    for member in body["items"]:
        assert set(member["user"]) == {"id", "name"}
    assert "@" not in response.get_data(as_text=True) and "555" not in response.get_data(as_text=True)


def test_members_list_is_paginated(client, org, admin):
    for _ in range(3):
        make_member(org, "viewer")
    body = client.get(url(org, "/members"), query_string={"per_page": 2, "page": 2}, headers=bearer(admin)).get_json()
    assert (body["total"], len(body["items"]), body["per_page"]) == (4, 2, 2)
    too_many = client.get(url(org, "/members"), query_string={"per_page": 101}, headers=bearer(admin))
    assert too_many.status_code == 422


def test_posting_an_existing_member_changes_its_role(client, org, admin):
    staff = make_member(org, "staff")
    response = client.post(url(org, "/members"), json={"user_id": staff.id, "role": "viewer"}, headers=bearer(admin))
    assert response.status_code == 200
    assert role_of(org, staff) == "viewer"
    assert events_of("account.invited_existing") == []
    assert events_of("membership.role_changed")[0].payload == {
        "user_id": staff.id, "role": "viewer", "previous_role": "staff"}


@pytest.mark.parametrize("body, status, field", [
    ({"user_id": 999_999, "role": "staff"}, 422, "user_id"),
    ({"user_id": "me", "role": "staff"}, 422, "user_id"),
    ({"role": "staff"}, 422, "email"),
    ({"user_id": 1, "email": "a@example.org", "role": "staff"}, 422, "email"),
    ({"user_id": 1, "role": "overlord"}, 422, "role"),
    ({"user_id": 1, "role": "staff", "organization_id": 2}, 422, "organization_id"),
])
def test_adding_a_member_checks_its_input(client, org, admin, body, status, field):
    response = client.post(url(org, "/members"), json=body, headers=bearer(admin))
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["details"]["json"]


def test_a_role_from_another_organization_is_not_a_role_here(client, org, admin):
    other = OrganizationFactory()
    db.session.add(Role(organization_id=other.id, name="inspector"))
    db.session.commit()
    response = client.post(url(org, "/members"), json={"user_id": UserFactory().id, "role": "inspector"},
                           headers=bearer(admin))
    assert response.status_code == 422


def test_patch_and_delete_reach_only_members_of_this_organization(client, org, admin):
    elsewhere = make_member(OrganizationFactory(), "staff")
    headers = bearer(admin)
    assert client.patch(url(org, f"/members/{elsewhere.id}"), json={"role": "viewer"}, headers=headers).status_code == 404
    assert client.delete(url(org, f"/members/{elsewhere.id}"), headers=headers).status_code == 404
    assert client.delete(url(org, "/members/999999"), headers=headers).status_code == 404


def test_patch_changes_a_role_and_delete_removes_the_membership_only(client, org, admin):
    staff = make_member(org, "staff")
    headers = bearer(admin)
    response = client.patch(url(org, f"/members/{staff.id}"), json={"role": "viewer"}, headers=headers)
    assert response.status_code == 200 and response.get_json()["role"] == "viewer"
    assert client.delete(url(org, f"/members/{staff.id}"), headers=headers).status_code == 204
    assert role_of(org, staff) is None
    assert db.session.get(User, staff.id) is not None
    assert events_of("membership.removed")[0].payload == {"user_id": staff.id, "previous_role": "viewer"}


def test_the_last_member_manager_can_be_neither_demoted_nor_removed(client, org, admin):
    headers = bearer(admin)
    demote = client.patch(url(org, f"/members/{admin.id}"), json={"role": "staff"}, headers=headers)
    assert demote.status_code == 409
    assert demote.get_json()["details"] == {"permission": "manage_members"}
    assert client.delete(url(org, f"/members/{admin.id}"), headers=headers).status_code == 409
    assert client.post(url(org, "/members"), json={"user_id": admin.id, "role": "viewer"},
                       headers=headers).status_code == 409
    assert role_of(org, admin) == "admin"


def test_with_a_second_admin_one_may_step_down(client, org, admin):
    make_member(org, "admin")
    assert client.patch(url(org, f"/members/{admin.id}"), json={"role": "staff"},
                        headers=bearer(admin)).status_code == 200
    assert role_of(org, admin) == "staff"


def test_a_failed_change_leaves_nothing_behind(client, org, admin):
    headers = bearer(admin)
    client.delete(url(org, f"/members/{admin.id}"), headers=headers)
    db.session.commit()  # a later commit in the same session must not write the refused change
    assert role_of(org, admin) == "admin"
    assert events_of("membership.removed") == []


@pytest.mark.parametrize("body, field", [
    ({"email": "not an address", "role": "staff"}, "email"),
    ({"email": "a@example.org"}, "role"),
    ({"email": "a@example.org", "role": "nobody"}, "role"),
    ({"email": "a@example.org", "role": "staff", "password": "x"}, "password"),
])
def test_invitation_input_is_checked(client, org, admin, body, field):
    response = client.post(url(org, "/invitations"), json=body, headers=bearer(admin))
    assert response.status_code == 422
    assert field in response.get_json()["details"]["json"]
    assert events_of("organization.invitation") == []


def test_roles_are_listed_with_their_permissions(client, org, admin):
    body = client.get(url(org, "/roles"), headers=bearer(admin)).get_json()
    roles = {r["name"]: r["permissions"] for r in body["items"]}
    assert set(roles) == {"admin", "staff", "viewer"}
    assert roles["viewer"] == ["view_requests"]


def test_a_role_is_created_and_replaced(client, org, admin):
    headers = bearer(admin)
    created = client.post(url(org, "/roles"), json={"name": "inspector", "permissions": ["view_requests", "comment_internal"]},
                          headers=headers)
    assert created.status_code == 201, created.get_json()
    role = created.get_json()
    assert role["permissions"] == ["comment_internal", "view_requests"]
    replaced = client.put(url(org, f"/roles/{role['id']}"), json={"name": "field inspector", "permissions": ["view_requests"]},
                          headers=headers)
    assert replaced.status_code == 200
    assert replaced.get_json() == {"id": role["id"], "name": "field inspector", "permissions": ["view_requests"]}
    assert [e.payload["created"] for e in events_of("role.saved")] == [True, False]


def test_role_names_are_unique_and_permissions_known(client, org, admin):
    headers = bearer(admin)
    assert client.post(url(org, "/roles"), json={"name": "staff", "permissions": []}, headers=headers).status_code == 409
    unknown = client.post(url(org, "/roles"), json={"name": "boss", "permissions": ["rule_the_world"]}, headers=headers)
    assert unknown.status_code == 422
    assert "permissions" in unknown.get_json()["details"]["json"]
    viewer = db.session.scalar(db.select(Role).where(Role.organization_id == org.id, Role.name == "viewer"))
    assert client.put(url(org, f"/roles/{viewer.id}"), json={"name": "staff", "permissions": []},
                      headers=headers).status_code == 409


def test_a_role_of_another_organization_cannot_be_replaced(client, org, admin):
    foreign = ensure_default_roles(OrganizationFactory())["viewer"]
    db.session.commit()
    response = client.put(url(org, f"/roles/{foreign.id}"), json={"name": "viewer", "permissions": ["manage_members"]},
                          headers=bearer(admin))
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Role, foreign.id).permission_names == {"view_requests"}


def test_the_admin_role_keeps_manage_members_unless_another_role_holds_it(client, org, admin):
    headers = bearer(admin)
    admin_role = db.session.scalar(db.select(Role).where(Role.organization_id == org.id, Role.name == "admin"))
    stripped = {"name": "admin", "permissions": ["view_requests"]}
    assert client.put(url(org, f"/roles/{admin_role.id}"), json=stripped, headers=headers).status_code == 409

    client.post(url(org, "/roles"), json={"name": "people", "permissions": ["manage_members"]}, headers=headers)
    make_member(org, "viewer", email="hr@example.org")
    hr = db.session.scalar(db.select(User).where(User.email == "hr@example.org"))
    client.patch(url(org, f"/members/{hr.id}"), json={"role": "people"}, headers=headers)
    assert client.put(url(org, f"/roles/{admin_role.id}"), json=stripped, headers=headers).status_code == 200

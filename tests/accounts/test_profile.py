"""One's own profile and email aliases: what shows, what can change, and what cannot."""

import pytest

from app.accounts.links import make_confirm_token
from app.accounts.models import EmailAlias, User
from app.accounts.service import MAX_ALIASES, user_for_address
from app.db_types import utcnow
from app.extensions import db
from tests.factories import OrganizationFactory, UserFactory, make_member
from tests.support.accounts import events_of
from tests.support.auth import bearer

ME = "/api/v1/me"
ALIASES = "/api/v1/me/aliases"


def test_anonymous_callers_have_no_profile(client):
    for method, path in (("get", ME), ("patch", ME), ("get", ALIASES), ("post", ALIASES), ("delete", ALIASES)):
        response = getattr(client, method)(path, json={} if method in ("patch", "post") else None)
        assert response.status_code == 401, (method, path)
        assert response.get_json()["error"] == "unauthorized"


def test_own_profile_shows_contact_details_aliases_and_roles(client):
    org = OrganizationFactory(slug="springfield")
    ann = make_member(org, "staff", email="ann@example.org", phone="+1 217 555 0100")
    db.session.add(EmailAlias(user_id=ann.id, email="ann@home.example", confirmed_at=utcnow()))
    db.session.commit()
    body = client.get(ME, headers=bearer(ann)).get_json()
    assert body["email"] == "ann@example.org" and body["phone"] == "+1 217 555 0100"
    assert [(a["email"], a["confirmed"]) for a in body["aliases"]] == [("ann@home.example", True)]
    [membership] = body["organizations"]
    assert membership["organization"] == {"id": org.id, "slug": "springfield", "name": org.name}
    assert membership["role"] == "staff"
    assert "edit_requests" in membership["permissions"] and "manage_members" not in membership["permissions"]
    assert membership["permissions"] == sorted(membership["permissions"])
    assert "password_hash" not in body and "is_superadmin" not in body


def test_name_and_phone_can_change(client):
    ann = UserFactory(phone="555 0100")
    headers = bearer(ann)
    response = client.patch(ME, json={"name": "  Ann Smith ", "phone": "+1 (217) 555-0199"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["name"] == "Ann Smith"
    assert response.get_json()["phone"] == "+1 (217) 555-0199"
    assert client.patch(ME, json={"phone": None}, headers=headers).get_json()["phone"] is None
    assert [e.payload["fields"] for e in events_of("account.profile_updated")] == [["name", "phone"], ["phone"]]


def test_an_unchanged_profile_records_nothing(client):
    ann = UserFactory(name="Ann")
    assert client.patch(ME, json={"name": "Ann"}, headers=bearer(ann)).status_code == 200
    assert events_of("account.profile_updated") == []


@pytest.mark.parametrize("field, value", [
    ("is_superadmin", True),
    ("active", False),
    ("confirmed", True),
    ("email", "someone.else@example.org"),
    ("password_hash", "x"),
    ("id", 99),
])
def test_nothing_else_can_be_assigned(client, field, value):
    ann = UserFactory(email="ann@example.org", confirmed=True)
    response = client.patch(ME, json={"name": "Ann", field: value}, headers=bearer(ann))
    assert response.status_code == 422
    assert list(response.get_json()["details"]["json"]) == [field]
    db.session.expire_all()
    stored = db.session.get(User, ann.id)
    assert (stored.email, stored.is_superadmin, stored.active, stored.name) == (
        "ann@example.org", False, True, ann.name)


@pytest.mark.parametrize("body, field", [
    ({"name": ""}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"phone": "call me maybe"}, "phone"),
    ({"phone": "1" * 41}, "phone"),
    ({"name": 5}, "name"),
])
def test_profile_values_are_checked(client, body, field):
    response = client.patch(ME, json=body, headers=bearer(UserFactory()))
    assert response.status_code == 422
    assert field in response.get_json()["details"]["json"]


def test_an_alias_is_unusable_until_confirmed(client):
    ann = UserFactory(email="ann@example.org")
    headers = bearer(ann)
    response = client.post(ALIASES, json={"email": "Ann@Home.example"}, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["confirmed"] is False
    assert user_for_address("ann@home.example") is None

    [event] = events_of("account.confirm_email")
    assert event.payload == {"user_id": ann.id, "email": "Ann@Home.example"}
    token = make_confirm_token(ann, event.payload["email"])
    confirmed = client.post("/api/v1/auth/confirm", json={"token": token})
    assert confirmed.get_json() == {"email": "ann@home.example", "primary": False}
    assert user_for_address("ANN@home.example") == ann
    assert client.get(ALIASES, headers=headers).get_json()[0]["confirmed"] is True
    assert client.post("/api/v1/auth/confirm", json={"token": token}).status_code == 422


def test_an_alias_can_be_removed_by_its_owner_only(client):
    ann, bob = UserFactory(), UserFactory()
    db.session.add(EmailAlias(user_id=ann.id, email="ann@home.example", confirmed_at=utcnow()))
    db.session.commit()
    assert client.delete(ALIASES, query_string={"email": "ann@home.example"}, headers=bearer(bob)).status_code == 404
    assert user_for_address("ann@home.example") == ann
    response = client.delete(ALIASES, query_string={"email": "ANN@home.example"}, headers=bearer(ann))
    assert response.status_code == 204
    assert user_for_address("ann@home.example") is None
    assert events_of("account.alias_removed")[0].payload == {"user_id": ann.id, "email": "ann@home.example"}
    assert client.delete(ALIASES, query_string={"email": "ann@home.example"}, headers=bearer(ann)).status_code == 404


def test_removing_needs_a_valid_address(client):
    response = client.delete(ALIASES, query_string={"email": "nope"}, headers=bearer(UserFactory()))
    assert response.status_code == 422
    assert "email" in response.get_json()["details"]["query"]


def test_aliases_are_unique_across_accounts_and_primary_addresses(client):
    ann = UserFactory(email="ann@example.org")
    bob = UserFactory(email="bob@example.org")
    db.session.add(EmailAlias(user_id=bob.id, email="bob@home.example", confirmed_at=utcnow()))
    db.session.add(EmailAlias(user_id=ann.id, email="ann@home.example"))
    db.session.commit()
    headers = bearer(ann)
    for address in ("ann@example.org", "BOB@example.org", "bob@home.example", "ann@home.example"):
        response = client.post(ALIASES, json={"email": address}, headers=headers)
        assert response.status_code == 409, address
        assert "email" in response.get_json()["details"]["json"]


def test_a_pending_alias_of_someone_else_gives_way_and_its_link_dies(client):
    ann, bob = UserFactory(), UserFactory()
    db.session.add(EmailAlias(user_id=bob.id, email="shared@example.org"))
    db.session.commit()
    bobs_token = make_confirm_token(bob, "shared@example.org")
    assert client.post(ALIASES, json={"email": "shared@example.org"}, headers=bearer(ann)).status_code == 201
    assert client.post("/api/v1/auth/confirm", json={"token": bobs_token}).status_code == 422
    assert db.session.scalar(db.select(EmailAlias.user_id).where(EmailAlias.email == "shared@example.org")) == ann.id


def test_an_account_has_a_bounded_number_of_aliases(client):
    ann = UserFactory()
    db.session.add_all(EmailAlias(user_id=ann.id, email=f"ann{i}@example.org") for i in range(MAX_ALIASES))
    db.session.commit()
    response = client.post(ALIASES, json={"email": "one.more@example.org"}, headers=bearer(ann))
    assert response.status_code == 409

"""Registering, confirming the address, and who may log in before that."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from app.accounts.links import make_confirm_token
from app.accounts.models import EmailAlias, User
from app.db_types import utcnow
from app.extensions import db
from tests.factories import PASSWORD, UserFactory
from tests.support.accounts import events_of, log_in, run_queued_jobs

REGISTER = "/api/v1/auth/register"
CONFIRM = "/api/v1/auth/confirm"
NEW_PASSWORD = "a long enough passphrase"


def register(client, email="new@example.org", password=NEW_PASSWORD, name="New Person", **extra):
    return client.post(REGISTER, json={"email": email, "password": password, "name": name, **extra})


def confirm_link_token(index: int = -1) -> str:
    """The token the confirm email carries, built from the event as the notification engine does."""
    payload = events_of("account.confirm_email")[index].payload
    return make_confirm_token(db.session.get(User, payload["user_id"]), payload["email"])


def test_register_creates_an_unconfirmed_account_and_asks_to_confirm(client):
    response = register(client)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body == {"email": "new@example.org",
                    "message": "We have sent a message to that address: follow its link to confirm it, then log in."}
    user = db.session.scalar(db.select(User).where(User.email == "new@example.org"))
    assert (user.name, user.confirmed) == ("New Person", False)
    [event] = events_of("account.confirm_email")
    assert event.payload == {"user_id": user.id, "email": "new@example.org"}
    assert event.actor_id == user.id


def test_unconfirmed_account_cannot_log_in_until_the_link_is_followed(client):
    register(client)
    refused = log_in(client, "new@example.org", NEW_PASSWORD)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "email_not_confirmed"

    confirmed = client.post(CONFIRM, json={"token": confirm_link_token()})
    assert confirmed.status_code == 200
    assert confirmed.get_json() == {"email": "new@example.org", "primary": True}
    assert log_in(client, "new@example.org", NEW_PASSWORD).status_code == 200
    assert events_of("account.email_confirmed")[0].payload["primary"] is True


def test_wrong_password_on_an_unconfirmed_account_says_nothing_about_confirmation(client):
    register(client)
    response = log_in(client, "new@example.org", "not the password at all")
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_credentials"


def test_confirm_link_works_once(client):
    register(client)
    token = confirm_link_token()
    assert client.post(CONFIRM, json={"token": token}).status_code == 200
    again = client.post(CONFIRM, json={"token": token})
    assert again.status_code == 422
    assert again.get_json()["error"] == "invalid_token"
    assert "token" in again.get_json()["details"]["json"]


def test_confirm_link_expires_after_a_week(client):
    register(client)
    user = db.session.scalar(db.select(User))
    with freeze_time(utcnow() - timedelta(days=7, minutes=1)):
        stale = make_confirm_token(user, user.email)
    with freeze_time(utcnow() - timedelta(days=6, hours=23)):
        fresh = make_confirm_token(user, user.email)
    assert client.post(CONFIRM, json={"token": stale}).status_code == 422
    assert client.post(CONFIRM, json={"token": fresh}).status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"token": "forged.token.value"}, "token"),
    ({}, "token"),
    ({"token": ""}, "token"),
])
def test_bad_confirm_tokens_are_422_naming_the_token(client, body, field):
    response = client.post(CONFIRM, json=body)
    assert response.status_code == 422
    assert field in response.get_json()["details"]["json"]


def _mail_the_events(kind):
    from app.notify.delivery import send_due_deliveries
    from app.notify.fanout import fan_out
    for event in events_of(kind):
        fan_out(event.id)
    send_due_deliveries(10)


def test_a_taken_address_answers_as_a_fresh_registration_and_its_owner_is_told(client, stub_broker, smtp_server):
    """The probe: registering resident1@example.com answered 409, telling that the address has an account."""
    import re
    ann = UserFactory(email="ann@example.org", name="Ann Owner")
    fresh = register(client, email="nobody@example.org")
    taken = register(client, email="ANN@example.org")
    assert (taken.status_code, taken.get_json()) == (fresh.status_code, {**fresh.get_json(), "email": "ANN@example.org"})
    assert taken.status_code == 201
    assert db.session.scalar(db.select(db.func.count(User.id)).where(User.email == "ann@example.org")) == 1
    db.session.refresh(ann)
    assert ann.name == "Ann Owner"  # nothing of the account changed
    assert [e.payload for e in events_of("account.confirm_email")] == [
        {"user_id": db.session.scalar(db.select(User.id).where(User.email == "nobody@example.org")),
         "email": "nobody@example.org"}]

    _mail_the_events("account.registration_attempted")
    [mail] = [m for m in smtp_server.wait_for(1) if "ann@example.org" in m.rcpt_tos]
    assert mail.subject == "Someone tried to register with your address"
    assert "log in" in mail.text() and "choose a new password" in mail.text()
    reset = re.search(r"(/reset-password\?token=\S+)", mail.text()).group(1)
    assert client.get(reset).status_code == 200


def test_a_confirmed_alias_of_another_account_answers_alike_and_tells_its_owner(client, stub_broker):
    owner = UserFactory()
    db.session.add(EmailAlias(user_id=owner.id, email="alias@example.org", confirmed_at=utcnow()))
    db.session.commit()
    response = register(client, email="alias@example.org")
    assert response.status_code == 201 and response.get_json()["email"] == "alias@example.org"
    assert [e.payload for e in events_of("account.registration_attempted")] == [{"user_id": owner.id}]
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_an_unconfirmed_alias_gives_way_to_the_real_owner(client):
    squatter = UserFactory()
    db.session.add(EmailAlias(user_id=squatter.id, email="mine@example.org"))
    db.session.commit()
    assert register(client, email="mine@example.org").status_code == 201
    assert db.session.scalar(db.select(EmailAlias).where(EmailAlias.email == "mine@example.org")) is None


@pytest.mark.parametrize("change, field", [
    ({"password": "short"}, "password"),
    ({"password": "x" * 257}, "password"),
    ({"password": "a" * 20}, "password"),
    ({"email": "not-an-address"}, "email"),
    ({"email": "a" * 250 + "@example.org"}, "email"),
    ({"name": "   "}, "name"),
    ({"is_superadmin": True}, "is_superadmin"),
    ({"confirmed": True}, "confirmed"),
])
def test_registration_input_is_checked_field_by_field(client, change, field):
    body = {"email": "new@example.org", "password": NEW_PASSWORD, "name": "New", **change}
    response = client.post(REGISTER, json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["details"]["json"]
    assert f"json.{field}" in response.get_json()["message"]
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_resend_confirmation_answers_alike_and_sends_only_to_unconfirmed_accounts(
        client, stub_broker, stub_worker):
    register(client, email="waiting@example.org")
    UserFactory(email="done@example.org", confirmed=True)
    answers = [client.post("/api/v1/auth/confirm/resend", json={"email": email})
               for email in ("waiting@example.org", "done@example.org", "nobody@example.org")]
    assert {a.status_code for a in answers} == {202}
    assert answers[0].get_json() == answers[1].get_json() == answers[2].get_json()
    run_queued_jobs(stub_broker, stub_worker)

    sent = events_of("account.confirm_email")
    assert [e.payload["email"] for e in sent] == ["waiting@example.org", "waiting@example.org"]
    new_token = confirm_link_token()
    assert client.post(CONFIRM, json={"token": new_token}).status_code == 200


def test_factory_accounts_still_log_in(client):
    """Accounts created confirmed (seed, CLI, invitations once set) are not affected."""
    UserFactory(email="ok@example.org")
    assert log_in(client, "ok@example.org", PASSWORD).status_code == 200

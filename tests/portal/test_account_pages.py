"""Register, confirm, passwords, profile and aliases through the pages (the accounts service behind)."""

from __future__ import annotations

from app.accounts import links
from app.accounts.service import user_by_email
from tests.factories import PASSWORD, UserFactory
from tests.portal.pages import csrf_token, log_in, page_token, post_form


def _register(client, **fields):
    data = {"name": "Rita Resident", "email": "rita@example.org", "password": "a fine password",
            "password_again": "a fine password", **fields}
    return post_form(client, "/register", data)


def test_register_confirm_then_log_in(client, db):
    response = _register(client)
    assert response.status_code == 200 and "We have sent a confirmation link to rita@example.org" in response.text
    rita = user_by_email("rita@example.org")
    assert rita is not None and not rita.confirmed

    refused = log_in(client, rita, "a fine password")
    assert refused.status_code == 422
    assert "Confirm your email address first" in refused.text

    token = links.make_confirm_token(rita, rita.email)
    page = client.get(f"/confirm?token={token}")
    assert page.status_code == 200
    db.session.refresh(rita)
    assert not rita.confirmed  # following the link (a GET) changes nothing
    confirmed = client.post("/confirm", data={"token": token, "csrf_token": csrf_token(page.text)})
    assert confirmed.status_code == 302
    assert "rita@example.org is confirmed" in client.get("/login").text
    assert log_in(client, rita, "a fine password").status_code == 302


def test_register_errors_sit_next_to_their_fields(client, db):
    UserFactory(email="taken@example.org")
    weak = _register(client, password="short", password_again="short")
    assert 'id="password-error">Use at least 10 characters.</p>' in weak.text
    differ = _register(client, password_again="another fine one")
    assert 'id="password_again-error">The two passwords differ.</p>' in differ.text
    # A taken address reads exactly like a fresh one (its owner is mailed instead): the page never tells.
    taken = _register(client, email="taken@example.org")
    fresh = _register(client, email="fresh@example.org")
    assert taken.status_code == fresh.status_code == 200
    assert "We have sent a confirmation link to taken@example.org" in taken.text
    assert 'id="email-error"' not in taken.text
    assert taken.text.replace("taken@example.org", "X") == fresh.text.replace("fresh@example.org", "X")


def test_a_reset_link_sets_a_new_password_once(client, db):
    user = UserFactory()
    token = links.make_password_token(user)
    data = {"token": token, "password": "brand new password", "password_again": "brand new password"}
    assert post_form(client, "/reset-password?token=" + token, data).status_code == 302
    assert log_in(client, user, "brand new password").status_code == 302
    client.post("/logout", data={"csrf_token": page_token(client, "/")})
    again = post_form(client, "/reset-password?token=" + token, data)
    assert again.status_code == 422
    assert "This link is invalid, has expired or has already been used." in again.text


def test_forgot_password_answers_the_same_for_unknown_addresses(client, db, stub_broker):
    UserFactory(email="known@example.org")
    known = post_form(client, "/forgot-password", {"email": "known@example.org"})
    unknown = post_form(client, "/forgot-password", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert "If an account uses that address" in known.text and "If an account uses that address" in unknown.text


def test_profile_and_aliases(client, db):
    user = UserFactory(name="Old Name")
    UserFactory(email="someone-else@example.org")
    log_in(client, user, PASSWORD)
    saved = post_form(client, "/account/", {"name": "New Name", "phone": "555-0100"})
    assert saved.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.phone) == ("New Name", "555-0100")

    added = post_form(client, "/account/aliases", {"alias-email": "me@work.example"}, form_page="/account/")
    assert added.status_code == 302
    page = client.get("/account/").text
    assert "me@work.example" in page and "waiting for confirmation" in page

    clash = post_form(client, "/account/aliases", {"alias-email": "someone-else@example.org"},
                      form_page="/account/")
    assert clash.status_code == 422
    assert 'id="alias-email-error">An account with this email address already exists.</p>' in clash.text

    removed = post_form(client, "/account/aliases/remove", {"email": "me@work.example"}, form_page="/account/")
    assert removed.status_code == 302
    assert "me@work.example" not in client.get("/account/").text

"""Logging in and out as an attacker would try it: where `next` may send you, and what a
copied session cookie is worth after logout or a password change."""

from __future__ import annotations

import pytest

from app.accounts.links import make_password_token
from app.extensions import db
from tests.factories import PASSWORD, UserFactory
from tests.portal.pages import csrf_token, page_token


@pytest.fixture
def resident():
    return UserFactory(email="resident1@example.com")


def _log_in(client, user, next_value: str):
    page = client.get("/login", query_string={"next": next_value})
    return client.post("/login", data={"email": user.email, "password": PASSWORD,
                                       "csrf_token": csrf_token(page.get_data(as_text=True)), "next": next_value})


@pytest.mark.parametrize("target", [
    "/\t/evil.example/x",  # the reported one: /%09/evil.example/x, a tab browsers drop
    "/\n/evil.example", "/\r/evil.example", "/ /evil.example", "//evil.example", "/\\evil.example",
    "\\\\evil.example", "https://evil.example/", "javascript:alert(1)", "evil.example", "/\x7f/evil.example",
])
def test_next_never_leads_to_another_site(client, resident, target):
    response = _log_in(client, resident, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_keeps_a_local_page(client, resident):
    response = _log_in(client, resident, "/my/requests?status=open")
    assert response.headers["Location"] == "/my/requests?status=open"


def _copied_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _me_with(app, cookie_value: str) -> int:
    other = app.test_client()
    other.set_cookie("session", cookie_value)
    return other.get("/api/v1/me").status_code


def test_a_copied_cookie_dies_at_logout(app, client, resident):
    assert _log_in(client, resident, "/").status_code == 302
    copied = _copied_cookie(client)
    assert _me_with(app, copied) == 200
    token = page_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert _me_with(app, copied) == 401


def test_a_copied_cookie_dies_at_api_logout(app, client, resident):
    logged_in = client.post("/api/v1/auth/login", json={"email": resident.email,
                                                         "password": PASSWORD})
    assert logged_in.status_code == 200
    copied = _copied_cookie(client)
    assert _me_with(app, copied) == 200
    assert client.post("/api/v1/auth/logout", headers={"Origin": "http://localhost"}).status_code == 204
    assert _me_with(app, copied) == 401


def test_every_session_dies_at_a_password_change(app, client, resident):
    assert _log_in(client, resident, "/").status_code == 302
    copied = _copied_cookie(client)
    link_token = make_password_token(resident, "reset")
    db.session.commit()
    changed = app.test_client().post("/api/v1/auth/password/reset",
                                     json={"token": link_token, "password": "another long passphrase"})
    assert changed.status_code in (200, 204), changed.get_json()
    assert _me_with(app, copied) == 401

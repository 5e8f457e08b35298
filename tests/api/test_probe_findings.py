"""Findings of the outside probe on the JSON API, each reproduced and now refused."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import PASSWORD, UserFactory
from tests.portal.pages import csrf_token
from tests.support.auth import bearer


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deeply_nested_json_is_a_400_even_on_the_anonymous_forgot_endpoint(client):
    for path in ("/api/v1/auth/password/forgot", "/api/v1/auth/register", "/api/v1/requests"):
        response = client.post(path, data=_nested(400), content_type="application/json")
        assert response.status_code == 400, (path, response.get_data(as_text=True)[:200])
        body = response.get_json()
        assert body["error"] == "too_deeply_nested" and body["details"] == {"max_depth": 32}


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    response = client.post("/api/v1/auth/password/forgot", json={"email": "[" * 500 + "@example.org"})
    assert response.status_code != 400 or response.get_json()["error"] != "too_deeply_nested"


def _browser_session(app, resident) -> FlaskClient:
    """A plain client (no Origin added) holding a logged-in session cookie."""
    browser = FlaskClient(app, app.response_class, use_cookies=True)
    logged_in = browser.post("/api/v1/auth/login", json={"email": resident.email, "password": PASSWORD})
    assert logged_in.status_code == 200
    return browser


def test_a_cookie_authenticated_post_from_another_site_is_refused(app):
    resident = UserFactory()
    browser = _browser_session(app, resident)
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {}):
        response = browser.post("/api/v1/notifications/seen-all", headers=headers)
        assert response.status_code == 403, headers
        assert response.get_json()["error"] == "cross_site_request"
    # Reading is not refused, and from our own pages the same call goes through.
    assert browser.get("/api/v1/me").status_code == 200
    assert browser.post("/api/v1/notifications/seen-all", headers={"Origin": "http://localhost"}).status_code < 300


def test_the_csrf_header_or_a_bearer_token_also_passes(app):
    resident = UserFactory()
    browser = _browser_session(app, resident)
    token = csrf_token(browser.get("/login").get_data(as_text=True))  # the token our pages carry
    assert browser.post("/api/v1/notifications/seen-all", headers={"X-CSRF-Token": token}).status_code < 300
    plain = FlaskClient(app, app.response_class, use_cookies=False)
    assert plain.post("/api/v1/notifications/seen-all", headers=bearer(resident)).status_code < 300


def test_database_errors_never_reach_the_client(app):
    """Whatever PostgreSQL refuses is a 422 in our words; its own text stays in the log."""
    from sqlalchemy import text
    from sqlalchemy.exc import DataError

    from app.extensions import db

    with app.test_request_context("/api/v1/requests"):
        try:
            db.session.execute(text("SELECT 'no number'::integer"))
        except DataError as refused:
            response = app.handle_user_exception(refused)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_input"
    for database_words in ("psycopg", "invalid input syntax", "integer", "SELECT"):
        assert database_words not in body, body


def test_an_unsubscribe_token_with_a_line_break_or_odd_characters_is_a_404(client):
    for token in ("R%0Dx", "R%0Ax", "%C3%A9t%C3%A9.abc", "a.b%00"):
        response = client.get(f"/api/v1/unsubscribe/{token}")
        assert response.status_code == 404, token
        assert response.get_json()["error"] == "not_found"
        assert client.post(f"/api/v1/unsubscribe/{token}").status_code == 404
    assert client.get("/api/v1/unsubscribe/abcd.efgh").status_code == 302  # a token's shape still redirects

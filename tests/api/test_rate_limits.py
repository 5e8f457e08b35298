"""Guessing and mailing endpoints answer 429 past their limits, in the API's error shape."""

from __future__ import annotations

from app.accounts.links import make_password_token
from tests.factories import PASSWORD, UserFactory
from tests.support.accounts import log_in


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def assert_too_many(response):
    assert response.status_code == 429, response.get_json()
    body = response.get_json()
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == "too_many_requests"
    assert int(response.headers["Retry-After"]) > 0


def test_login_is_limited_per_client(client, rate_limits):
    rate_limits(RATELIMIT_LOGIN="3 per minute")
    UserFactory(email="ann@example.org")
    for _ in range(3):
        assert log_in(client, "ann@example.org", "wrong password").status_code == 401
    assert_too_many(log_in(client, "ann@example.org", PASSWORD))
    # Another client is counted on its own.
    assert log_in(client, "ann@example.org", PASSWORD, **from_address("203.0.113.9")).status_code == 200


def test_failed_logins_are_limited_per_account_from_any_client(client, rate_limits):
    rate_limits(RATELIMIT_LOGIN_ACCOUNT="3 per hour")
    UserFactory(email="ann@example.org")
    for n in range(3):
        assert log_in(client, "ann@example.org", "guess", **from_address(f"198.51.100.{n}")).status_code == 401
    assert_too_many(log_in(client, "ANN@example.org", PASSWORD, **from_address("198.51.100.77")))
    # Other accounts are not affected.
    UserFactory(email="bob@example.org")
    assert log_in(client, "bob@example.org", PASSWORD, **from_address("198.51.100.78")).status_code == 200


def test_successful_logins_do_not_use_up_the_account_limit(client, rate_limits):
    rate_limits(RATELIMIT_LOGIN_ACCOUNT="2 per hour")
    UserFactory(email="ann@example.org")
    for n in range(4):
        assert log_in(client, "ann@example.org", PASSWORD, **from_address(f"192.0.2.{n}")).status_code == 200


def test_register_is_limited_per_client(client, rate_limits):
    rate_limits(RATELIMIT_REGISTER="2 per minute")
    for n in range(2):
        body = {"email": f"new{n}@example.org", "password": "a long passphrase", "name": "New"}
        assert client.post("/api/v1/auth/register", json=body).status_code == 201
    body = {"email": "new9@example.org", "password": "a long passphrase", "name": "New"}
    assert_too_many(client.post("/api/v1/auth/register", json=body))


def test_forgot_is_limited_per_account_alike_for_known_and_unknown_addresses(client, rate_limits):
    rate_limits(RATELIMIT_ACCOUNT_EMAIL_ACCOUNT="2 per 15 minutes")
    UserFactory(email="ann@example.org")
    answers = {}
    for email in ("ann@example.org", "nobody@example.org"):
        for n in range(2):
            assert client.post("/api/v1/auth/password/forgot", json={"email": email},
                               **from_address(f"192.0.2.{n}")).status_code == 202
        answers[email] = client.post("/api/v1/auth/password/forgot", json={"email": email},
                                     **from_address("192.0.2.50"))
        assert_too_many(answers[email])
    assert answers["ann@example.org"].get_data() == answers["nobody@example.org"].get_data()


def test_forgot_is_limited_per_client(client, rate_limits):
    rate_limits(RATELIMIT_ACCOUNT_EMAIL="2 per minute")
    for n in range(2):
        assert client.post("/api/v1/auth/password/forgot", json={"email": f"x{n}@example.org"}).status_code == 202
    assert_too_many(client.post("/api/v1/auth/password/forgot", json={"email": "x9@example.org"}))


def test_reset_is_limited_per_client(client, rate_limits):
    rate_limits(RATELIMIT_TOKEN="2 per minute")
    for _ in range(2):
        response = client.post("/api/v1/auth/password/reset", json={"token": "guess", "password": "a long passphrase"})
        assert response.status_code == 422
    ann = UserFactory()
    real = {"token": make_password_token(ann), "password": "a long passphrase"}
    assert_too_many(client.post("/api/v1/auth/password/reset", json=real))


def test_malformed_bodies_count_too(client, rate_limits):
    rate_limits(RATELIMIT_LOGIN="2 per minute")
    for _ in range(2):
        assert client.post("/api/v1/auth/login", data="{nope", content_type="application/json").status_code == 400
    assert_too_many(client.post("/api/v1/auth/login", json={"email": "a@example.org", "password": "x"}))


def test_every_test_starts_with_fresh_counters_part_one(client, rate_limits):
    rate_limits(RATELIMIT_TOKEN="1 per minute")
    assert client.post("/api/v1/auth/confirm", json={"token": "x"}).status_code == 422


def test_every_test_starts_with_fresh_counters_part_two(client, rate_limits):
    """Runs after part one with the same client address: the reset fixture emptied the counter."""
    rate_limits(RATELIMIT_TOKEN="1 per minute")
    assert client.post("/api/v1/auth/confirm", json={"token": "x"}).status_code == 422

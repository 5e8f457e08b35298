"""Forgot, reset and set a password: one answer for every address, links that work once."""

import time
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import event as sa_event

from app.accounts.actors import send_account_link
from app.accounts.links import make_password_token
from app.accounts.models import User
from app.db_types import utcnow
from app.extensions import db
from tests.factories import PASSWORD, UserFactory
from tests.support.accounts import events_of, log_in, run_queued_jobs
from tests.support.auth import bearer

FORGOT = "/api/v1/auth/password/forgot"
RESET = "/api/v1/auth/password/reset"
NEW_PASSWORD = "a brand new passphrase"


def count_statements(action) -> tuple[object, int]:
    """Run `action` and count the SQL statements the web process sent while it ran."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        result = action()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    return result, len(statements)


def test_forgot_answers_the_same_with_the_same_work_for_unknown_addresses(client, stub_broker):
    UserFactory(email="ann@example.org")
    known, known_statements = count_statements(lambda: client.post(FORGOT, json={"email": "ann@example.org"}))
    unknown, unknown_statements = count_statements(
        lambda: client.post(FORGOT, json={"email": "nobody@example.org"}))
    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data()
    # The lookup is the worker's job: the web request touches the database in neither case.
    assert known_statements == unknown_statements == 0
    assert len(stub_broker.queues["default"].queue) == 2


def test_forgot_records_a_reset_event_only_for_an_existing_active_account(client, stub_broker, stub_worker):
    ann = UserFactory(email="ann@example.org")
    UserFactory(email="gone@example.org", active=False)
    for email in ("Ann@Example.org", "nobody@example.org", "gone@example.org"):
        client.post(FORGOT, json={"email": email})
    run_queued_jobs(stub_broker, stub_worker)
    [event] = events_of("account.password_reset")
    assert event.payload["user_id"] == ann.id
    assert event.actor_id == ann.id


def test_a_redelivered_forgot_message_records_one_event():
    ann = UserFactory(email="ann@example.org")
    send_account_link("password_reset", "ann@example.org", "key-1")
    send_account_link("password_reset", "ann@example.org", "key-1")
    send_account_link("password_reset", "ann@example.org", "key-2")
    assert [e.payload for e in events_of("account.password_reset")] == [
        {"user_id": ann.id, "request_key": "key-1"}, {"user_id": ann.id, "request_key": "key-2"}]


def test_reset_sets_the_password_and_ends_every_other_login(client, app):
    ann = UserFactory(email="ann@example.org")
    headers = bearer(ann)
    browser = app.test_client()
    assert log_in(browser, "ann@example.org", PASSWORD).status_code == 200
    assert browser.get("/api/v1/me").status_code == 200

    response = client.post(RESET, json={"token": make_password_token(ann), "password": NEW_PASSWORD})
    assert response.status_code == 204, response.get_json()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert browser.get("/api/v1/me").status_code == 401
    assert log_in(client, "ann@example.org", PASSWORD).status_code == 401
    assert log_in(client, "ann@example.org", NEW_PASSWORD).status_code == 200
    [event] = events_of("account.password_changed")
    assert event.payload == {"user_id": ann.id, "purpose": "reset"}


def test_a_reset_link_works_once(client):
    ann = UserFactory()
    token = make_password_token(ann)
    assert client.post(RESET, json={"token": token, "password": NEW_PASSWORD}).status_code == 204
    again = client.post(RESET, json={"token": token, "password": "yet another passphrase"})
    assert again.status_code == 422
    assert again.get_json()["error"] == "invalid_token"
    assert log_in(client, ann.email, NEW_PASSWORD).status_code == 200


def test_a_reset_link_expires_after_two_hours(client):
    ann = UserFactory()
    with freeze_time(utcnow() - timedelta(hours=2, minutes=1)):
        stale = make_password_token(ann)
    with freeze_time(utcnow() - timedelta(hours=1, minutes=59)):
        fresh = make_password_token(ann)
    assert client.post(RESET, json={"token": stale, "password": NEW_PASSWORD}).status_code == 422
    assert client.post(RESET, json={"token": fresh, "password": NEW_PASSWORD}).status_code == 204


def test_a_weak_password_is_refused_and_the_link_stays_usable(client):
    ann = UserFactory()
    token = make_password_token(ann)
    for weak in ("short", "z" * 30, "p" * 10_000):
        response = client.post(RESET, json={"token": token, "password": weak})
        assert response.status_code == 422
        assert list(response.get_json()["details"]["json"]) == ["password"]
    assert client.post(RESET, json={"token": token, "password": NEW_PASSWORD}).status_code == 204


def test_forged_and_wrong_purpose_tokens_are_refused(client):
    ann = UserFactory()
    for token in ("nonsense", make_password_token(ann) + "x"):
        response = client.post(RESET, json={"token": token, "password": NEW_PASSWORD})
        assert response.status_code == 422
        assert response.get_json()["error"] == "invalid_token"


def test_a_reset_confirms_an_unconfirmed_address(client):
    """The link reached the address, which is what confirming proves."""
    ann = UserFactory(confirmed=False)
    client.post(RESET, json={"token": make_password_token(ann), "password": NEW_PASSWORD})
    assert log_in(client, ann.email, NEW_PASSWORD).status_code == 200


def test_an_invited_account_sets_its_first_password_with_a_set_link(client):
    invited = UserFactory(password_hash=None, confirmed=False)
    assert log_in(client, invited.email, "anything at all").status_code == 401
    with freeze_time(utcnow() - timedelta(days=13)):
        token = make_password_token(invited, "set")
    response = client.post(RESET, json={"token": token, "password": NEW_PASSWORD})
    assert response.status_code == 204
    assert log_in(client, invited.email, NEW_PASSWORD).status_code == 200
    assert events_of("account.password_changed")[0].payload["purpose"] == "set"
    assert client.post(RESET, json={"token": token, "password": NEW_PASSWORD}).status_code == 422


def test_a_deactivated_account_cannot_use_its_link(client):
    gone = UserFactory(active=False)
    hash_before = gone.password_hash
    response = client.post(RESET, json={"token": make_password_token(gone), "password": NEW_PASSWORD})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, gone.id).password_hash == hash_before


@pytest.mark.e2e
def test_forgot_reaches_a_real_worker_over_redis(client, redis_worker):
    ann = UserFactory(email="ann@example.org")
    assert client.post(FORGOT, json={"email": "ann@example.org"}).status_code == 202
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not events_of("account.password_reset"):
        time.sleep(0.05)
    [event] = events_of("account.password_reset")
    assert event.payload["user_id"] == ann.id

"""Webhooks as a channel: a real receiver on loopback, a real Redis worker, real SMTP beside it.

The receiver verifies every payload with the `standardwebhooks` library and the secret the
API gave; a failing receiver is retried with backoff and each attempt shows in the log;
a slow, failing receiver does not hold up the email of the same event.
"""

from __future__ import annotations

import itertools
import time
from datetime import datetime

import pytest
from standardwebhooks.webhooks import Webhook

from app.extensions import db
from app.notify.webhooks.models import WebhookDelivery
from tests.factories import CENTRE, CategoryFactory, OrganizationFactory, UserFactory, make_member
from tests.support.auth import bearer
from tests.support.webhooks import WebhookReceiver

pytestmark = pytest.mark.e2e
LNG, LAT = CENTRE


@pytest.fixture
def city(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", "127.0.0.1,localhost")
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_BASE", 1)
    monkeypatch.setitem(app.config, "EMAIL_FALLBACK_DELAY", 1)
    org = OrganizationFactory(slug="springfield", sender_email="notices@inbound.test")
    category = CategoryFactory(organization=org, code="pothole", name="Pothole")
    admin = make_member(org, "admin", email="admin@springfield.gov")
    staff = make_member(org, "staff", email="sam@springfield.gov")
    resident = UserFactory(email="ann@example.org", name="Ann")
    return type("City", (), {"org": org, "category": category, "admin": admin, "staff": staff,
                             "resident": resident})


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


def _register(client, city, url: str, kinds=("request.comment_public",)) -> dict:
    response = client.post("/api/v1/orgs/springfield/webhooks", headers=bearer(city.admin),
                           json={"url": url, "event_kinds": list(kinds)})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _comment(client, city, text: str) -> dict:
    submitted = client.post("/api/v1/requests", headers=bearer(city.resident), json={
        "category_id": city.category.id, "lat": LAT, "lng": LNG, "description": "Deep pothole"})
    assert submitted.status_code == 201, submitted.get_json()
    request = submitted.get_json()
    comment = client.post(f"/api/v1/requests/{request['id']}/comments", headers=bearer(city.staff),
                          json={"body": text, "visibility": "public"})
    assert comment.status_code == 201, comment.get_json()
    return request


def _deliveries(client, city, hook_id: int) -> list[dict]:
    response = client.get(f"/api/v1/orgs/springfield/webhooks/{hook_id}/deliveries", headers=bearer(city.admin))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def _wait_until(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


def test_a_comment_reaches_the_receiver_signed_and_verifiable(client, city, receiver, redis_worker):
    hook = _register(client, city, receiver.url("/civic/events"))
    request = _comment(client, city, "A crew is on its way.")

    [received] = receiver.wait_for(1)
    assert received.path == "/civic/events"
    payload = Webhook(hook["secret"]).verify(received.body, received.headers)  # raises when the signature is wrong
    assert payload["type"] == "request.comment_public"
    assert payload["data"]["comment"]["body"] == "A crew is on its way."
    assert payload["data"]["request"]["public_id"] == request["public_id"]
    assert payload["data"]["organization"] == "springfield"
    assert "reporter" not in payload["data"]["request"]  # the public view: no resident's contact
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 43).verify(received.body, received.headers)

    [delivery] = _wait_until(lambda: [d for d in _deliveries(client, city, hook["id"]) if d["status"] == "delivered"])
    assert delivery["webhook_id"] == received.headers["webhook-id"] and delivery["attempts"] == 1
    assert [a["status_code"] for a in delivery["attempt_log"]] == [200]
    time.sleep(0.5)
    assert len(receiver.received) == 1  # submitted is not a kind this endpoint asked for


def test_a_failing_receiver_is_retried_with_backoff_and_every_attempt_is_logged(client, city, receiver, redis_worker):
    receiver.answers = [500, 503]  # then 200
    hook = _register(client, city, receiver.url())
    _comment(client, city, "Fixed tomorrow.")

    received = receiver.wait_for(3, timeout=30)
    assert len(received) == 3
    assert len({r.headers["webhook-id"] for r in received}) == 1  # one message, retried: receivers dedupe on it
    for attempt in received:
        Webhook(hook["secret"]).verify(attempt.body, attempt.headers)

    [delivery] = _wait_until(lambda: [d for d in _deliveries(client, city, hook["id"]) if d["status"] == "delivered"])
    log = delivery["attempt_log"]
    assert [a["status_code"] for a in log] == [500, 503, 200]
    assert [a["response_excerpt"] for a in log] == ["answered 500", "answered 503", "answered 200"]
    # Backoff: 1 s after the first failure, 2 s after the second (WEBHOOK_RETRY_BASE = 1).
    times = [datetime.fromisoformat(a["attempted_at"]) for a in log]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    assert gaps[0] >= 0.9 and gaps[1] >= 1.9, gaps


def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_attempt(client, city, receiver, redis_worker,
                                                                         app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 2)
    receiver.answers = [500, 500, 500]
    hook = _register(client, city, receiver.url())
    _comment(client, city, "Again.")
    [delivery] = _wait_until(lambda: [d for d in _deliveries(client, city, hook["id"]) if d["status"] == "failed"])
    assert [a["status_code"] for a in delivery["attempt_log"]] == [500, 500]
    time.sleep(1.5)
    assert len(receiver.received) == 2


def test_a_slow_failing_receiver_never_delays_the_email(client, city, receiver, redis_worker, smtp_server):
    receiver.delay, receiver.answers = 6.0, [500] * 5
    _register(client, city, receiver.url())
    started = time.monotonic()
    _comment(client, city, "Email must not wait for the webhook.")

    # The webhook goes out and hangs; the reporter's email of the same comment (after the 1 s
    # fallback delay) arrives while the receiver still holds the POST unanswered.
    assert len(receiver.wait_for(1, timeout=5)) == 1
    assert _wait_until(lambda: [m for m in smtp_server.to("ann@example.org")
                                if "Email must not wait" in m.text()], timeout=5)
    assert time.monotonic() - started < 6.0
    assert receiver.answered == 0


def test_a_disabled_endpoint_gets_nothing(client, city, receiver, redis_worker):
    hook = _register(client, city, receiver.url())
    client.patch(f"/api/v1/orgs/springfield/webhooks/{hook['id']}", headers=bearer(city.admin),
                 json={"enabled": False})
    _comment(client, city, "Nobody hears.")
    redis_worker.join("fanout", timeout=20_000)
    redis_worker.join("webhooks", timeout=20_000)
    assert receiver.received == [] and _deliveries(client, city, hook["id"]) == []


def test_the_address_is_checked_again_at_send_time_after_dns(client, city, receiver, redis_worker, app,
                                                             monkeypatch):
    # Saved while `localhost` was allowed; by send time it no longer is, and it resolves to loopback.
    hook = _register(client, city, f"https://localhost:{receiver.port}/hook")
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 1)
    _comment(client, city, "Rebound.")
    [delivery] = _wait_until(lambda: [d for d in _deliveries(client, city, hook["id"]) if d["status"] == "failed"])
    [attempt] = delivery["attempt_log"]
    assert attempt["status_code"] is None and "localhost resolves to a non-public address" in attempt["error"]
    assert "loopback" in attempt["error"]
    assert receiver.received == []
    assert db.session.get(WebhookDelivery, delivery["id"]).last_error == attempt["error"]

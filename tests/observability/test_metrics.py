"""GET /metrics: the token, and the figures after a real flow (HTTP, Redis worker, SMTP, inbound, SLA)."""

from __future__ import annotations

import time
from datetime import timedelta
from email.message import EmailMessage

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.db_types import utcnow
from app.extensions import db
from app.notify.actors import send_due_emails
from app.requests.models import ServiceRequest
from app.work.actors import sweep_sla_breaches
from tests.factories import CENTRE, CategoryFactory, OrganizationFactory, UserFactory, make_member
from tests.support.auth import bearer

TOKEN = "metrics-test-token-0123456789"
LNG, LAT = CENTRE


@pytest.fixture
def metrics_token(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    return TOKEN


def scrape(client) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_metrics_need_the_bearer_token(client, metrics_token, header):
    response = client.get("/metrics", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


def test_without_a_metrics_token_every_call_is_refused(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "")
    response = client.get("/metrics", headers={"Authorization": "Bearer "})
    assert response.status_code == 401 and "METRICS_TOKEN is not set" in response.get_json()["message"]


def test_queue_depths_and_the_age_of_the_oldest_message(client, metrics_token, redis_broker):
    for _ in range(3):
        send_due_emails.send()
    send_due_emails.send_with_options(delay=60_000)
    time.sleep(1.2)
    samples = scrape(client)
    assert value(samples, "civic_queue_messages", queue="email", kind="ready") == 3
    assert value(samples, "civic_queue_messages", queue="email", kind="delayed") == 1
    assert value(samples, "civic_queue_messages", queue="fanout", kind="ready") == 0
    assert 1.0 <= value(samples, "civic_queue_oldest_message_age_seconds", queue="email") < 30
    assert value(samples, "civic_queue_oldest_message_age_seconds", queue="fanout") == 0


def _inbound(client, app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "INBOUND_WEBHOOK_SECRET", "inbound-secret")
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "bob@example.org", "springfield@inbound.test", "Streetlight out"
    mail["Message-ID"] = "<metrics-1@example.org>"
    mail.set_content("The streetlight on Elm Street is out.")
    answer = client.post("/inbound/raw", data=mail.as_bytes(), content_type="message/rfc822",
                         headers={"X-Inbound-Secret": "inbound-secret", "X-Envelope-To": "springfield@inbound.test"})
    assert answer.status_code == 202, answer.get_data(as_text=True)


def test_after_a_flow_metrics_show_http_deliveries_inbound_sla_and_fan_out(client, app, monkeypatch, metrics_token,
                                                                          redis_worker, smtp_server):
    monkeypatch.setitem(app.config, "EMAIL_FALLBACK_DELAY", 1)  # the email after "seen in the app?" waits 1 s
    org = OrganizationFactory(slug="springfield", general_email="springfield@inbound.test")
    category = CategoryFactory(organization=org, code="pothole", escalate_to_email="roads@city.example")
    staff = make_member(org, "staff")
    resident = UserFactory()
    before = scrape(client)
    posted = client.post("/api/v1/requests", headers=bearer(resident), json={
        "category_id": category.id, "lat": LAT, "lng": LNG, "description": "Pothole"})
    assert posted.status_code == 201
    assert client.post(f"/api/v1/requests/{posted.get_json()['id']}/comments", headers=bearer(staff),
                       json={"body": "On it", "visibility": "public"}).status_code == 201
    _inbound(client, app, monkeypatch)
    request = db.session.get(ServiceRequest, posted.get_json()["id"])
    request.sla_due_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    sweep_sla_breaches.send()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not smtp_server.to("roads@city.example"):
        time.sleep(0.2)
    for _ in range(2):  # a delayed email run becomes due after the fallback delay
        for queue in ("default", "fanout", "email", "inbound"):
            redis_worker.join(queue, timeout=30_000)
        time.sleep(1.5)

    samples = scrape(client)
    created = ("civic_http_requests_total", dict(method="POST", endpoint="/api/v1/requests", status="201"))
    assert value(samples, created[0], **created[1]) - (value(before, created[0], **created[1]) or 0) == 1
    assert value(samples, "civic_http_request_duration_seconds_count", method="POST", endpoint="/api/v1/requests") >= 1
    assert value(samples, "civic_email_deliveries", status="sent") >= 2  # the receipt and the escalation at least
    assert sum(v for (name, labels), v in samples.items() if name == "civic_inbound_emails") == 1
    assert value(samples, "civic_inbound_emails", status="received") is None  # it was processed
    assert value(samples, "civic_sla_breaches") == 1
    assert value(samples, "civic_requests_past_sla") == 1
    # Fan-outs ran in this process's worker threads: submitted, comment, breach (and the inbound notice).
    fanned = value(samples, "civic_fanout_recipients_count", channel="email") - (
        value(before, "civic_fanout_recipients_count", channel="email") or 0)
    assert fanned >= 3
    assert value(samples, "civic_fanout_recipients_sum", channel="email") > (
        value(before, "civic_fanout_recipients_sum", channel="email") or 0)

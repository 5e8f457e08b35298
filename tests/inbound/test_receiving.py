"""Every receiving path stores first, then a worker processes each message exactly once."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.db_types import utcnow
from app.extensions import db
from app.inbound.actors import process_inbound_email, sweep_received_inbound_emails
from app.inbound.models import InboundEmail, InboundMessage
from app.inbound.receive import store_raw_message
from app.scheduler import JOBS
from tests.inbound.world import mail

SECRET = "s3cret-for-the-provider"


@pytest.fixture
def webhook_secret(app, monkeypatch):
    monkeypatch.setitem(app.config, "INBOUND_WEBHOOK_SECRET", SECRET)
    return SECRET


def _statuses() -> list[str]:
    db.session.remove()
    return list(db.session.scalars(select(InboundEmail.status).order_by(InboundEmail.id)))


def test_webhook_stores_then_answers_202_and_a_worker_triages(client, world, webhook_secret, stub_broker,
                                                              stub_worker):
    raw = mail("bob@example.org", "Bench broken in Lincoln Park.")
    answer = client.post("/inbound/raw", data=raw, content_type="message/rfc822",
                         headers={"X-Inbound-Secret": webhook_secret, "X-Envelope-To": "springfield@inbound.test",
                                  "X-Envelope-From": "bob@example.org"})
    assert answer.status_code == 202
    stored = db.session.get(InboundEmail, answer.get_json()["id"])
    assert stored.raw == raw and stored.received_via == "webhook"
    assert stored.envelope_to == ["springfield@inbound.test"] and stored.envelope_from == "bob@example.org"
    stub_broker.join("inbound")
    stub_worker.join()
    assert _statuses() == ["triaged"]
    assert db.session.scalar(select(InboundMessage.body)) == "Bench broken in Lincoln Park."


def test_webhook_accepts_the_secret_as_basic_auth_password(client, world, webhook_secret, stub_broker):
    credentials = base64.b64encode(f"provider:{webhook_secret}".encode()).decode()
    answer = client.post("/inbound/raw", data=mail("bob@example.org", "Hi."),
                         headers={"Authorization": f"Basic {credentials}"})
    assert answer.status_code == 202
    assert stub_broker.queues["inbound"].qsize() == 1


@pytest.mark.parametrize("headers", [{}, {"X-Inbound-Secret": "wrong"}, {"X-Inbound-Secret": SECRET + "x"}])
def test_webhook_refuses_a_wrong_or_missing_secret(client, world, webhook_secret, headers):
    answer = client.post("/inbound/raw", data=mail("bob@example.org", "Hi."), headers=headers)
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"
    assert _statuses() == []


def test_webhook_refuses_everything_while_no_secret_is_configured(client, world):
    answer = client.post("/inbound/raw", data=mail("bob@example.org", "Hi."), headers={"X-Inbound-Secret": ""})
    assert answer.status_code == 403 and answer.get_json()["error"] == "webhook_disabled"
    assert _statuses() == []


def test_webhook_refuses_an_empty_body(client, world, webhook_secret):
    answer = client.post("/inbound/raw", data=b"  \r\n", headers={"X-Inbound-Secret": webhook_secret})
    assert answer.status_code == 422
    assert _statuses() == []


def test_webhook_refuses_a_message_larger_than_the_server_accepts(app, client, world, webhook_secret,
                                                                 monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    answer = client.post("/inbound/raw", data=mail("bob@example.org", "x" * 4000),
                         headers={"X-Inbound-Secret": webhook_secret})
    assert answer.status_code == 413 and answer.get_json()["error"] == "too_large"
    assert _statuses() == []


def test_cli_ingest_from_stdin_is_stored_and_processed(app, world, stub_broker, stub_worker):
    result = app.test_cli_runner().invoke(args=["inbound", "ingest", "-"],
                                          input=mail("bob@example.org", "Via the MTA pipe."))
    assert result.exit_code == 0, result.output
    stub_broker.join("inbound")
    stub_worker.join()
    assert _statuses() == ["triaged"]


def test_the_sweep_processes_what_was_stored_but_never_enqueued(app, world, stub_broker, stub_worker):
    stored_id = store_raw_message(mail("bob@example.org", "Lost enqueue."), received_via="smtp",
                                  envelope_to=["springfield@inbound.test"])
    fresh_id = store_raw_message(mail("bob@example.org", "Just arrived."), received_via="smtp",
                                 envelope_to=["springfield@inbound.test"])
    db.session.execute(update(InboundEmail).where(InboundEmail.id == stored_id)
                       .values(received_at=utcnow() - timedelta(minutes=2)))
    db.session.commit()
    sweep_received_inbound_emails.send()
    stub_broker.join("inbound")
    stub_worker.join()
    db.session.remove()
    assert db.session.get(InboundEmail, stored_id).status == "triaged"
    # Younger than a minute: its own enqueue may still be on its way, so the sweep leaves it.
    assert db.session.get(InboundEmail, fresh_id).status == "received"
    assert "inbound-sweep" in [job.name for job in JOBS]


def test_processing_twice_acts_once(world):
    stored_id = store_raw_message(mail("bob@example.org", "Once only."), received_via="smtp",
                                  envelope_to=["springfield@inbound.test"])
    process_inbound_email.fn(stored_id)
    process_inbound_email.fn(stored_id)
    assert _statuses() == ["triaged"]
    assert len(db.session.scalars(select(InboundMessage)).all()) == 1


def test_copies_processed_side_by_side_create_one_message(world, stub_broker, stub_worker):
    raw = mail("bob@example.org", "My client sent this four times.")
    for _ in range(4):
        stored_id = store_raw_message(raw, received_via="smtp", envelope_to=["springfield@inbound.test"])
        process_inbound_email.send(stored_id)
    stub_broker.join("inbound")
    stub_worker.join()
    assert sorted(_statuses()) == ["duplicate", "duplicate", "duplicate", "triaged"]
    assert len(db.session.scalars(select(InboundMessage)).all()) == 1


def test_a_message_that_keeps_failing_is_marked_failed_and_kept(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "INBOUND_MAX_ATTEMPTS", 2)
    monkeypatch.setitem(app.config, "INBOUND_ATTACHMENT_MAX_BYTES", "not a number")  # a broken deployment
    raw = mail("bob@example.org", "Photo attached.", photo=True)
    stored_id = store_raw_message(raw, received_via="smtp", envelope_to=["springfield@inbound.test"])
    with pytest.raises(TypeError):
        process_inbound_email.fn(stored_id)  # the first failure asks Dramatiq for a retry
    assert _statuses() == ["received"]
    process_inbound_email.fn(stored_id)  # the last attempt records the failure instead
    db.session.remove()
    stored = db.session.get(InboundEmail, stored_id)
    assert stored.status == "failed" and stored.attempts == 2 and stored.raw == raw
    assert "TypeError" in stored.outcome
    assert db.session.scalars(select(InboundMessage)).all() == []


def test_a_message_whose_attempts_never_finish_is_given_up_not_swept_forever(app, world):
    stored_id = store_raw_message(mail("bob@example.org", "Poison."), received_via="smtp",
                                  envelope_to=["springfield@inbound.test"])
    # Three workers took it and died mid-way (nothing recorded but the attempt count).
    db.session.execute(update(InboundEmail).where(InboundEmail.id == stored_id)
                       .values(attempts=app.config["INBOUND_MAX_ATTEMPTS"]))
    db.session.commit()
    process_inbound_email.fn(stored_id)
    db.session.remove()
    stored = db.session.get(InboundEmail, stored_id)
    assert stored.status == "failed" and "never finished" in stored.outcome
    assert db.session.scalars(select(InboundMessage)).all() == []

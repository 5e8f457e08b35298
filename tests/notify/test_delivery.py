"""The delivery actor's run: one connection per run, SMTP replies recorded, 4xx retried, 5xx failed, never twice."""

import threading
import time
from datetime import timedelta

import psycopg
from sqlalchemy import event as sqla_event
from sqlalchemy import select, text, update

from app.accounts.models import User
from app.db_types import utcnow
from app.events.service import record_event
from app.extensions import db
from app.inbound.models import SuppressedAddress
from app.notify.compose import compose_batch
from app.notify.delivery import CLAIM_SQL, DeliveryRun, send_due_deliveries
from app.notify.fanout import fan_out
from app.notify.models import EmailDelivery
from app.requests.models import Follower
from tests.factories import ServiceRequestFactory, UserFactory, make_member
from tests.notify.helpers import delivery_for
from tests.support.smtp import free_port, route_mail


def _event_to(followers: int, **request_fields):
    request = ServiceRequestFactory(**request_fields)
    staff = make_member(request.organization, "staff")
    people = [UserFactory() for _ in range(followers)]
    db.session.add_all(Follower(request_id=request.id, user_id=u.id) for u in people)
    event = record_event("request.acknowledged", request=request, actor=staff)
    db.session.commit()
    fan_out(event.id)
    return event, [request.reporter, *people]


def _statuses() -> dict[str, str]:
    db.session.rollback()
    return {e.lower(): s for e, s in db.session.execute(select(EmailDelivery.email, EmailDelivery.status))}


def test_a_batch_is_sent_over_one_connection_with_every_reply_recorded(stub_broker, sink, app, monkeypatch):
    monkeypatch.setitem(app.config, "EMAIL_BATCH_SIZE", 10)
    event, people = _event_to(24)
    stats = send_due_deliveries(30)
    assert stats.sent == 25 and stats.drained
    assert sink.handler.connections == 1  # three batches, one connection
    assert sink.count_to() == {u.email.lower(): 1 for u in people}
    row = delivery_for(event.id, people[0].email)
    assert (row.status, row.smtp_code, row.smtp_reply, row.attempts) == ("sent", 250, "Message accepted", 1)
    assert row.message_id == f"<delivery-{row.id}@inbound.test>" and row.sent_at is not None


def test_a_temporary_refusal_is_retried_later_with_backoff(stub_broker, sink, app):
    event, (reporter,) = _event_to(0)
    sink.handler.reject[reporter.email.lower()] = "451 4.3.0 Try again later"
    send_due_deliveries(10)
    row = delivery_for(event.id, reporter.email)
    assert (row.status, row.smtp_code, row.smtp_reply, row.attempts) == ("pending", 451, "4.3.0 Try again later", 1)
    assert row.send_after >= utcnow() + timedelta(seconds=app.config["EMAIL_RETRY_BASE"] - 5)
    assert send_due_deliveries(10).claimed == 0  # not due yet

    del sink.handler.reject[reporter.email.lower()]
    db.session.execute(update(EmailDelivery).values(send_after=utcnow()))  # the backoff has passed
    db.session.commit()
    send_due_deliveries(10)
    row = delivery_for(event.id, reporter.email)
    assert (row.status, row.smtp_code, row.attempts) == ("sent", 250, 2)
    assert sink.count_to() == {reporter.email.lower(): 1}


def test_retries_stop_after_the_last_attempt(stub_broker, sink, app, monkeypatch):
    monkeypatch.setitem(app.config, "EMAIL_MAX_ATTEMPTS", 2)
    event, (reporter,) = _event_to(0)
    sink.handler.reject[reporter.email.lower()] = "452 4.2.2 Mailbox full"
    for _ in range(2):
        send_due_deliveries(10)
        db.session.execute(update(EmailDelivery).values(send_after=utcnow()))
        db.session.commit()
    row = delivery_for(event.id, reporter.email)
    assert (row.status, row.attempts) == ("failed", 2)
    assert row.smtp_reply == "gave up after 2 attempts: 4.2.2 Mailbox full"


def test_a_permanent_refusal_fails_and_a_dead_mailbox_is_suppressed(stub_broker, sink):
    event, (reporter, dead, strict) = _event_to(2)
    sink.handler.reject[dead.email.lower()] = "550 5.1.1 No such user"
    sink.handler.reject[strict.email.lower()] = "554 5.7.1 Rejected by policy"
    stats = send_due_deliveries(10)
    assert (stats.sent, stats.failed) == (1, 2)
    assert delivery_for(event.id, dead.email).smtp_reply == "5.1.1 No such user"
    assert delivery_for(event.id, strict.email).status == "failed"
    suppressed = set(db.session.scalars(select(SuppressedAddress.email)))
    assert suppressed == {dead.email}  # a policy refusal says nothing about the mailbox
    assert db.session.get(User, dead.id).email_bounced_at is not None


def test_an_unreachable_server_leaves_the_mail_for_later(stub_broker, app, monkeypatch):
    route_mail(app, monkeypatch, free_port())  # nobody listens there
    event, people = _event_to(3)
    stats = send_due_deliveries(10)
    assert stats.retried == 4 and stats.sent == 0
    row = delivery_for(event.id, people[0].email)
    assert row.status == "pending" and row.smtp_reply.startswith("connection: ConnectionRefusedError")


def test_concurrent_runs_never_send_a_delivery_twice(stub_broker, sink, app, monkeypatch):
    monkeypatch.setitem(app.config, "EMAIL_BATCH_SIZE", 5)
    _, people = _event_to(39)

    def run():
        with app.app_context():
            send_due_deliveries(30)
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sink.count_to() == {u.email.lower(): 1 for u in people}
    assert set(_statuses().values()) == {"sent"}


def test_a_crashed_runs_rows_go_to_the_next_run(stub_broker, sink, app):
    event, (reporter, in_flight) = _event_to(1)
    # A run claimed both, handed the second to the server, and died before the server replied.
    dead_run = DeliveryRun(app.config)
    assert len(dead_run.claim()) == 2
    assert dead_run._pipe().rows(dead_run.hand_off(delivery_for(event.id, in_flight.email).id))[0][0] == "1"
    dead_run._close()
    an_hour_ago = utcnow() - timedelta(hours=1)  # claimed and last handed off an hour ago: dead
    db.session.execute(update(EmailDelivery).values(claimed_at=an_hour_ago, handed_off_at=an_hour_ago))
    db.session.commit()

    stats = send_due_deliveries(10)
    assert stats.recovered == 2 and stats.sent == 2
    assert sink.count_to() == {reporter.email.lower(): 1, in_flight.email.lower(): 1}
    row = delivery_for(event.id, in_flight.email)
    assert (row.status, row.attempts) == ("sent", 2)  # the interrupted attempt counts


def test_a_run_still_handing_off_keeps_its_claim_past_the_lease(stub_broker, sink, app):
    event, (_, in_flight) = _event_to(1)
    busy_run = DeliveryRun(app.config)
    assert len(busy_run.claim()) == 2
    # Its batch has taken longer than the lease, but it handed a message to the server just now:
    # recovering that message now would send it a second time.
    assert busy_run._pipe().rows(busy_run.hand_off(delivery_for(event.id, in_flight.email).id))[0][0] == "1"
    db.session.execute(update(EmailDelivery).values(claimed_at=utcnow() - timedelta(hours=1)))
    db.session.commit()

    stats = send_due_deliveries(10)
    busy_run._close()
    assert (stats.recovered, stats.sent) == (0, 0)
    assert sink.count_to() == {}
    assert set(_statuses().values()) == {"sending"}


def test_a_run_whose_claim_was_taken_over_sends_nothing(stub_broker, sink, app):
    _, people = _event_to(4)
    slow_run = DeliveryRun(app.config)
    emails, _ = compose_batch(slow_run.claim())
    # The slow run looks dead (its lease ran out): another run recovers and sends everything.
    db.session.execute(update(EmailDelivery).values(claimed_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert send_due_deliveries(10).sent == 5
    # The slow run wakes up: each hand-off finds the row no longer its own, and abandons it.
    slow_run.send_batch(emails)
    slow_run.transport.close()
    slow_run._close()
    assert slow_run.stats.abandoned == 5
    assert sink.count_to() == {u.email.lower(): 1 for u in people}


def test_a_run_waiting_for_the_database_lets_the_other_threads_of_its_process_run(app):
    # A worker runs its delivery runs in threads: one of them waiting for PostgreSQL must not hold
    # the others (libpq's own wait held the GIL). Here the run waits for a lock that only this
    # thread can release, which it can do only if the waiting run lets it run; were it held, the
    # run would give up after lock_timeout instead of taking the lock.
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    holder = psycopg.connect(url, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(15015)")
    run = DeliveryRun(app.config)
    run._rows("SELECT set_config('lock_timeout', '20s', false)", {})
    outcome: list = []

    def wait_for_the_lock():
        try:
            outcome.extend(run._rows("SELECT 'locked' FROM pg_advisory_lock(15015)", {}))
        except psycopg.Error as exc:
            outcome.append(exc)

    waiting = threading.Thread(target=wait_for_the_lock)
    waiting.start()
    for _ in range(3000):  # until the run's statement waits on the server (or has ended)
        if not waiting.is_alive() or holder.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").fetchone()[0]:
            break
        time.sleep(0.01)
    holder.execute("SELECT pg_advisory_unlock(15015)")
    waiting.join()
    run._close()
    holder.close()
    assert outcome == [("locked",)]


def test_a_claim_reads_the_due_index_in_order_whatever_the_statistics(app, fresh_tables):
    # Statistics taken while nothing was pending, then a backlog (a large event's fan-out): the
    # planner, left to itself, would read and sort every due row for each claim of a few.
    db.session.execute(text("ANALYZE email_deliveries"))
    db.session.execute(text("""
        INSERT INTO email_deliveries (email, kind, audience, pref_group, status)
        SELECT 'resident' || g || '@example.org', 'request.comment_public', 'followers', 'following', 'pending'
        FROM generate_series(1, 5000) g"""))
    db.session.commit()
    run = DeliveryRun(app.config)
    try:
        plan = "\n".join(row[0] for row in run._pipe().rows(run._pipe().send(
            "EXPLAIN " + CLAIM_SQL, {"token": run.token, "limit": app.config["EMAIL_BATCH_SIZE"]})))
    finally:
        run._close()
    assert "Index Scan using ix_email_deliveries_due" in plan and "Sort" not in plan, plan


def test_a_batch_is_composed_from_rows_without_building_orm_deliveries_or_users(stub_broker, app):
    _, people = _event_to(3)
    db.session.execute(update(EmailDelivery).values(status="sending"))
    db.session.commit()
    ids = list(db.session.scalars(select(EmailDelivery.id)))
    built = []

    def count(target, context):
        built.append(type(target).__name__)

    for model in (EmailDelivery, User):
        sqla_event.listen(model, "load", count)
    try:
        composed, failures = compose_batch(ids)
    finally:
        for model in (EmailDelivery, User):
            sqla_event.remove(model, "load", count)
    assert {email.recipient.lower() for email in composed} == {u.email.lower() for u in people} and not failures
    assert built == []

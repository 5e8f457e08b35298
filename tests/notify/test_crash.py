"""Killing the worker (SIGKILL, the real `dramatiq app.worker` process) mid fan-out and mid delivery.

The honest version: the worker is a separate process on real Redis and the test database,
killed with SIGKILL (no cleanup of any kind), then started again; the scheduler's jobs
(`run_due_jobs`, what `python -m app.scheduler` sends every few seconds) do the rest. In
the end every recipient has exactly one in-app notification and received exactly one email.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select, text

from app.events.service import record_event
from app.extensions import db
from app.notify.models import EmailDelivery, Notification
from app.requests.models import Follower
from app.scheduler import JOBS, run_due_jobs
from tests.factories import ServiceRequestFactory, UserFactory, make_member
from tests.notify.sinks import CountingSink
from tests.support.processes import WorkerProcess

pytestmark = pytest.mark.e2e

def _wait_until(condition, timeout: float = 60.0, tick=None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        if tick:
            tick()
        time.sleep(0.2)


def _request_with_followers(count: int):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    people = [UserFactory() for _ in range(count)]
    db.session.add_all(Follower(request_id=request.id, user_id=u.id) for u in people)
    db.session.commit()
    return request, staff, [request.reporter, *people]


def _scheduler_tick() -> None:
    run_due_jobs(time.monotonic(), {}, JOBS)  # what the scheduler process sends on its ticks


def _fan_out_is_waiting_on_the_blocker() -> bool:
    db.session.rollback()  # pg_stat_activity is read once per transaction: look again
    return db.session.scalar(text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO notifications%'")) > 0


def _all_final() -> bool:
    db.session.rollback()
    open_rows = db.session.scalar(select(func.count()).select_from(EmailDelivery).where(
        EmailDelivery.status.in_(("pending", "sending"))))
    return open_rows == 0 and db.session.scalar(select(func.count()).select_from(EmailDelivery)) > 0


def _assert_exactly_once(event_id: int, people, sink: CountingSink) -> None:
    db.session.rollback()
    assert set(db.session.scalars(select(Notification.user_id).where(Notification.event_id == event_id))) == \
        {u.id for u in people}
    assert sink.count_to() == {u.email.lower(): 1 for u in people}
    assert set(db.session.scalars(select(EmailDelivery.status))) == {"sent"}


@pytest.fixture
def holding_sink():
    sink = CountingSink(hold_at=30).start()  # the 30th message waits between its final dot and the reply
    yield sink
    sink.handler.release.set()
    sink.stop()


def test_a_worker_killed_mid_delivery_and_restarted_sends_each_email_exactly_once(
        redis_broker, holding_sink, tmp_path):
    request, staff, people = _request_with_followers(150)
    event = record_event("request.acknowledged", request=request, actor=staff)
    db.session.commit()

    first = WorkerProcess(redis_broker.namespace, holding_sink.port, tmp_path / "worker.log")
    try:
        # Killed in the worst place: 29 sent, the 30th handed to the server and not yet answered.
        _wait_until(holding_sink.handler.holding.is_set)
    finally:
        first.kill()
    # The server saw the client go before it replied (RFC 5321: no 250, no responsibility): not kept.
    _wait_until(holding_sink.handler.dropped.is_set, timeout=10)
    holding_sink.handler.release.set()
    assert len(holding_sink.messages) == 29
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(EmailDelivery).where(
        EmailDelivery.status == "sent")) == 29  # every reply received was recorded

    second = WorkerProcess(redis_broker.namespace, holding_sink.port, tmp_path / "worker.log")
    try:
        _wait_until(_all_final, tick=_scheduler_tick)
    finally:
        second.stop()
    _assert_exactly_once(event.id, people, holding_sink)


def test_a_worker_killed_mid_fan_out_and_restarted_notifies_everyone_exactly_once(
        redis_broker, sink, app, tmp_path):
    request, staff, people = _request_with_followers(40)
    event = record_event("request.acknowledged", request=request, actor=staff)
    db.session.commit()
    # Hold an uncommitted in-app row for one recipient: the fan-out's INSERT waits on it, mid-transaction.
    blocker = db.engine.connect()
    blocker.begin()
    blocker.execute(text("INSERT INTO notifications (event_id, user_id, kind, audience) "
                         "VALUES (:e, :u, 'request.acknowledged', 'followers')"), {"e": event.id, "u": people[-1].id})

    first = WorkerProcess(redis_broker.namespace, sink.port, tmp_path / "worker.log")
    try:
        _wait_until(_fan_out_is_waiting_on_the_blocker)
    finally:
        first.kill()
        blocker.rollback()
        blocker.close()
    db.session.rollback()
    # All or nothing. The fan-out sends its statements and its COMMIT in one pipeline: a server that
    # had received them all before the worker died finishes the transaction (then the event is
    # dispatched and its emails due), else it rolls back and the relay re-sends the event.
    left = db.session.scalar(select(func.count()).select_from(Notification))
    assert left in (0, len(people)), f"{left} of {len(people)} notifications: a part of a fan-out"

    second = WorkerProcess(redis_broker.namespace, sink.port, tmp_path / "worker.log")
    try:
        _wait_until(_all_final, tick=_scheduler_tick)  # the relay re-sends the undispatched event
    finally:
        second.stop()
    _assert_exactly_once(event.id, people, sink)

"""An automation run is one transaction: a refused action or a killed worker leaves nothing half-done."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app.automations import engine
from app.automations.models import AutomationRun
from app.db_types import utcnow
from app.events.models import Event
from app.extensions import db
from app.requests.models import Comment, ServiceRequest
from tests.factories import ServiceRequestFactory
from tests.support.auth import bearer
from tests.support.processes import WorkerProcess

EMAIL_THEN_MESSAGE = [{"type": "email", "template": "request.acknowledged", "audience": "reporter"},
                      {"type": "message", "visibility": "public", "body": "We are on {{ request.public_id }}."}]


def _rule(client, city, actions) -> int:
    made = client.post("/api/v1/orgs/springfield/automations", headers=bearer(city.admin), json={
        "name": "On acknowledgement", "trigger_kind": "request.acknowledged", "actions": actions})
    assert made.status_code == 201, made.json
    return made.json["id"]


def _state(request_id: int):
    """(runs as (status, attempts, log), automation emails recorded, comments on the request)."""
    db.session.rollback()
    runs = [(r.status, r.attempts, r.log) for r in db.session.scalars(select(AutomationRun))]
    emails = db.session.scalar(select(func.count()).select_from(Event).where(Event.kind == "automation.email"))
    comments = list(db.session.scalars(select(Comment.body).where(Comment.request_id == request_id)))
    return runs, emails, comments


def test_a_run_whose_second_action_is_refused_undoes_the_first_and_is_logged_failed_with_the_reason(
        client, city, stub_broker):
    request = ServiceRequestFactory(category=city.pothole)
    _rule(client, city, [EMAIL_THEN_MESSAGE[0], {"type": "assign", "assignee_id": city.staff.id}])
    acked = client.post(f"/api/v1/orgs/springfield/requests/{request.id}/acknowledge", headers=bearer(city.staff))
    assert acked.status_code == 200
    city.staff.active = False  # by the time the run falls due, the assignee has left
    db.session.commit()
    now = db.session.get(ServiceRequest, request.id).acknowledged_at + timedelta(minutes=1)
    assert engine.sweep(now) == (1, 1)
    runs, emails, _ = _state(request.id)
    assert runs == [("failed", 1, [
        f"Could not assign: User {city.staff.id} is not a member here who may handle requests.",
        "Nothing done: the 1 action before it was undone."])]
    assert emails == 0  # the email action before it left no event: nobody is emailed
    assert db.session.get(ServiceRequest, request.id).assignee_id is None
    assert engine.sweep(now + timedelta(minutes=5)) == (0, 0)  # a refused run is final, not retried


def test_an_action_that_errs_leaves_the_run_pending_and_the_next_sweep_performs_all_of_it_once(
        client, city, stub_broker, monkeypatch):
    request = ServiceRequestFactory(category=city.pothole)
    _rule(client, city, EMAIL_THEN_MESSAGE)
    client.post(f"/api/v1/orgs/springfield/requests/{request.id}/acknowledge", headers=bearer(city.staff))
    now = db.session.get(ServiceRequest, request.id).acknowledged_at + timedelta(minutes=1)
    real_act = engine._act

    def crash_on_the_message(action, *args):
        if action["type"] == "message":
            raise ConnectionError("the database went away")
        return real_act(action, *args)

    monkeypatch.setattr(engine, "_act", crash_on_the_message)
    assert engine.sweep(now) == (1, 0)
    runs, emails, comments = _state(request.id)
    assert [(status, attempts) for status, attempts, _ in runs] == [("pending", 1)] and emails == 0 and comments == []
    assert db.session.scalar(select(AutomationRun.error)) == "attempt 1: ConnectionError: the database went away"

    monkeypatch.setattr(engine, "_act", real_act)
    assert engine.sweep(now + timedelta(minutes=1)) == (0, 1)
    assert engine.sweep(now + timedelta(minutes=2)) == (0, 0)
    runs, emails, comments = _state(request.id)
    [(status, attempts, lines)] = runs
    assert (status, attempts, emails, comments) == ("done", 2, 1, [f"We are on {request.public_id}."])
    assert lines[0].startswith("Sent the email template 'request.acknowledged' to the reporter")


def test_a_run_that_never_finishes_is_given_up_after_its_attempts_and_logged_failed(client, city, stub_broker,
                                                                                   monkeypatch):
    request = ServiceRequestFactory(category=city.pothole)
    _rule(client, city, EMAIL_THEN_MESSAGE)
    client.post(f"/api/v1/orgs/springfield/requests/{request.id}/acknowledge", headers=bearer(city.staff))
    now = db.session.get(ServiceRequest, request.id).acknowledged_at + timedelta(minutes=1)
    monkeypatch.setattr(engine, "_act", lambda *args: (_ for _ in ()).throw(ConnectionError("gone")))
    for minute in range(engine.MAX_ATTEMPTS):
        engine.sweep(now + timedelta(minutes=minute))
    assert engine.sweep(now + timedelta(minutes=10)) == (0, 1)
    runs, emails, comments = _state(request.id)
    assert runs == [("failed", engine.MAX_ATTEMPTS + 1,
                     [f"Nothing done: gave up after {engine.MAX_ATTEMPTS} attempts that never finished."])]
    assert (emails, comments) == (0, [])


def _wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _run_waiting_on_the_request_lock() -> int | None:
    db.session.rollback()  # pg_stat_activity is read once per transaction
    return db.session.scalar(text(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
        "AND query LIKE '%FROM service_requests%FOR UPDATE%'"))


def _backend_gone(pid: int) -> bool:
    db.session.rollback()
    return not db.session.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})


@pytest.mark.e2e
def test_a_worker_killed_mid_run_leaves_nothing_and_the_next_worker_performs_the_whole_run_once(
        client, city, redis_broker, smtp_server, tmp_path):
    from app.automations.actors import run_automations

    request = ServiceRequestFactory(category=city.pothole)
    _rule(client, city, EMAIL_THEN_MESSAGE)
    client.post(f"/api/v1/orgs/springfield/requests/{request.id}/acknowledge", headers=bearer(city.staff))
    # Another transaction holds the request (as a staff member's change would): the run's email
    # action is taken, its message action waits for the row, mid-transaction.
    blocker = db.engine.connect()
    blocker.begin()
    blocker.execute(text("SELECT id FROM service_requests WHERE id = :id FOR NO KEY UPDATE"), {"id": request.id})
    first = WorkerProcess(redis_broker.namespace, smtp_server.port, tmp_path / "worker.log", queues=("default",))
    try:
        run_automations.send()
        _wait_until(lambda: _run_waiting_on_the_request_lock() is not None)
        pid = _run_waiting_on_the_request_lock()
    finally:
        first.kill()
        blocker.rollback()
        blocker.close()
    _wait_until(lambda: _backend_gone(pid))  # its transaction died with it

    runs, emails, comments = _state(request.id)
    assert [(status, attempts) for status, attempts, _ in runs] == [("pending", 1)]  # never "running"
    assert (emails, comments) == (0, [])  # the email action taken before the kill left nothing

    second = WorkerProcess(redis_broker.namespace, smtp_server.port, tmp_path / "worker.log", queues=("default",))
    try:
        run_automations.send()
        _wait_until(lambda: _state(request.id)[0][0][0] == "done")
    finally:
        second.stop()
    assert engine.sweep(utcnow() + timedelta(hours=1)) == (0, 0)  # and again: nothing more
    runs, emails, comments = _state(request.id)
    [(status, attempts, lines)] = runs
    assert (status, attempts, emails, comments) == ("done", 2, 1, [f"We are on {request.public_id}."])
    assert lines[1].startswith("Inserted a public message (comment ")

"""Two web processes and two schedulers at once change nothing: every sweep's effect happens once.

Real processes on the test database and a Redis namespace of this test: two gunicorn masters
on two ports, two `python -m app.scheduler` started together (each sends every periodic job on
its first tick, so every sweep runs twice, at the same moment, on the worker's threads), one
`dramatiq app.worker`. What a person sees: the assignee of a request past its SLA gets one
escalation email, a daily-digest reader one digest, the work order's assignee one overdue
alert; a comment posted through one web process is read through the other and emailed once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from app.db_types import utcnow
from app.extensions import db
from app.notify.fanout import fan_out
from app.notify.models import EmailDelivery, NotificationPreference
from app.requests.models import Follower
from app.work.models import SlaBreach
from tests.factories import (
    PASSWORD,
    ServiceRequestFactory,
    UserFactory,
    WorkOrderFactory,
    make_member,
)
from tests.support.smtp import SmtpSink, free_port

pytestmark = pytest.mark.e2e

BIN = os.path.dirname(sys.executable)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Processes:
    """Processes of this test, each in its own group, stopped by that group's id."""

    def __init__(self, env: dict, log_dir) -> None:
        self.env, self.log_dir, self.started = env, log_dir, []

    def start(self, name: str, *args: str) -> None:
        with open(self.log_dir / f"{name}.log", "ab") as log:
            self.started.append(subprocess.Popen(list(args), cwd=ROOT, env=self.env, stdout=log,
                                                 stderr=subprocess.STDOUT, start_new_session=True))

    def web(self, name: str) -> str:
        port = free_port()
        self.start(name, os.path.join(BIN, "gunicorn"), "-c", "python:app.observability.gunicorn_conf", "--bind",
                   f"127.0.0.1:{port}", "--workers", "2", "--threads", "2", "wsgi:app")
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=2).read()
                return base
            except OSError:
                assert time.monotonic() < deadline, f"{name} did not start"
                time.sleep(0.3)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def _world():
    """A request past its SLA (assignee: staff), a digest reader with one held email, an overdue work order."""
    request = ServiceRequestFactory()
    org = request.organization
    staff = make_member(org, "staff")
    crew = make_member(org, "staff")
    request.assignee_id = staff.id
    request.sla_due_at = utcnow() - timedelta(hours=1)
    WorkOrderFactory(organization=org, assignee_id=crew.id, due_at=utcnow() - timedelta(hours=1))
    reader = UserFactory()
    db.session.add(NotificationPreference(user_id=reader.id, email_frequency="daily", muted=[]))
    db.session.add(Follower(request_id=request.id, user_id=reader.id))
    db.session.commit()
    from app.events.service import record_event

    event = record_event("request.acknowledged", request=request, actor=staff)
    db.session.commit()
    fan_out(event.id)  # the reader's email is held for the digest
    people = {"staff": staff.email, "crew": crew.email, "reader": reader.email, "reporter": request.reporter.email}
    request_id = request.id
    db.session.remove()
    return request_id, people


def _wait(condition, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def test_two_webs_and_two_schedulers_do_everything_once(redis_broker, sink, tmp_path):
    request_id, people = _world()
    env = {**os.environ, "DRAMATIQ_BROKER": "redis", "DRAMATIQ_NAMESPACE": redis_broker.namespace,
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(sink.port), "DIGEST_HOUR_UTC": "0",
           "EVENT_RELAY_AFTER": "0", "PYTHONUNBUFFERED": "1", "dramatiq_worker_timeout": "100"}
    processes = Processes(env, tmp_path)
    try:
        web_a, web_b = processes.web("web-a"), processes.web("web-b")
        processes.start("worker", os.path.join(BIN, "dramatiq"), "app.worker", "--processes", "1", "--threads", "8",
                        "--queues", "default", "fanout", "email", "inbound", "webhooks")
        for n in (1, 2):
            processes.start(f"scheduler-{n}", sys.executable, "-m", "app.scheduler")

        _wait(lambda: all(sink.to(people[who]) for who in ("staff", "crew", "reader")))

        # A comment through web A, read through web B, emailed once to the follower.
        token = requests.post(f"{web_a}/api/v1/auth/login", json={"email": people["staff"], "password": PASSWORD},
                              timeout=30).json()["token"]
        posted = requests.post(f"{web_a}/api/v1/requests/{request_id}/comments", json={"body": "Crew on the way", "visibility": "public"},
                               headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert posted.status_code == 201, posted.text
        comments = requests.get(f"{web_b}/api/v1/requests/{request_id}/comments", timeout=30).json()["items"]
        assert [c["body"] for c in comments] == ["Crew on the way"]
        _wait(lambda: any("Crew on the way" in m.text() for m in sink.to(people["reporter"])))
        time.sleep(6)  # a second scheduler tick of every 5 s job, and anything doubled, has had its chance
    finally:
        processes.stop_all()

    subjects = {who: [m.subject for m in sink.to(people[who])] for who in ("staff", "crew", "reader")}
    assert len(subjects["staff"]) == 1, subjects  # one SLA escalation, not two
    assert len(subjects["crew"]) == 1, subjects  # one overdue work-order alert
    assert len(subjects["reader"]) == 1, subjects  # one digest
    assert len([m for m in sink.to(people["reporter"]) if "Crew on the way" in m.text()]) == 1
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(SlaBreach)) == 1
    assert db.session.scalar(select(func.count()).select_from(EmailDelivery).where(
        EmailDelivery.kind == "digest")) == 1

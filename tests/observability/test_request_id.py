"""One request id from the HTTP call, through the fan-out, to the SMTP reply: web and worker JSON log lines.

The worker is the real `dramatiq app.worker` process (LOG_FORMAT=json) on real Redis; the web
side is the test client, its log lines written by the app's own JSON formatter.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from app.observability.logs import json_formatter
from tests.factories import CENTRE, CategoryFactory, OrganizationFactory, UserFactory, make_member
from tests.support.auth import bearer

pytestmark = pytest.mark.e2e

DRAMATIQ = os.path.join(os.path.dirname(sys.executable), "dramatiq")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REQUEST_ID = "trace-0123456789abcdef"


@pytest.fixture
def worker_process(redis_broker, smtp_server, tmp_path):
    log_path = tmp_path / "worker.log"
    env = {**os.environ, "DRAMATIQ_BROKER": "redis", "DRAMATIQ_NAMESPACE": redis_broker.namespace,
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_server.port), "LOG_FORMAT": "json",
           "EMAIL_FALLBACK_DELAY": "1", "PYTHONUNBUFFERED": "1"}
    with open(log_path, "ab") as log:
        process = subprocess.Popen([DRAMATIQ, "app.worker", "--processes", "1", "--threads", "2",
                                    "--queues", "fanout", "email"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield log_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture
def web_log():
    """The web side's log lines, formatted by the app's JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    root = logging.getLogger()
    root.addHandler(handler)
    saved = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(saved)


def _json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        start = line.find("{")
        if start >= 0:
            with contextlib.suppress(ValueError):  # a plain line of the dramatiq supervisor
                lines.append(json.loads(line[start:]))
    return lines


def test_one_request_id_is_read_across_web_and_worker_log_lines(client, app, monkeypatch, worker_process, web_log,
                                                                  smtp_server):
    org = OrganizationFactory(slug="springfield")
    category = CategoryFactory(organization=org)
    staff = make_member(org, "staff")
    ann = UserFactory(email="ann@example.org")
    submitted = client.post("/api/v1/requests", headers=bearer(ann), json={
        "category_id": category.id, "lat": CENTRE[1], "lng": CENTRE[0], "description": "Pothole"})
    assert submitted.status_code == 201
    comment = client.post(f"/api/v1/requests/{submitted.get_json()['id']}/comments", json={"body": "Crew booked"},
                          headers={**bearer(staff), "X-Request-ID": REQUEST_ID})
    assert comment.status_code == 201 and comment.headers["X-Request-ID"] == REQUEST_ID

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not [m for m in smtp_server.to("ann@example.org") if "Crew booked" in m.text()]:
        time.sleep(0.2)
    assert [m for m in smtp_server.to("ann@example.org") if "Crew booked" in m.text()], "the comment email never came"
    time.sleep(0.5)  # the delivery's log line follows the SMTP reply

    web = [line for line in _json_lines(web_log.getvalue()) if line.get("request_id") == REQUEST_ID]
    assert any(line.get("status") == 201 and line.get("path", "").endswith("/comments") for line in web), web
    worker = [line for line in _json_lines(worker_process.read_text()) if line.get("request_id") == REQUEST_ID]
    fanned = [line for line in worker if line.get("kind") == "request.comment_public" and "fanned out" in line["message"]]
    assert fanned, worker_process.read_text()[-3000:]
    replies = [line for line in worker if line.get("delivery_status") == "sent" and line.get("smtp_code") == 250]
    assert replies, worker_process.read_text()[-3000:]
    # Other ids never leak into this call's lines: the submission before it had its own.
    submit_ids = {line.get("request_id") for line in _json_lines(web_log.getvalue())
                  if line.get("path") == "/api/v1/requests"}
    assert submit_ids and REQUEST_ID not in submit_ids

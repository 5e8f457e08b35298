"""The long-running processes started by `make run`, driven over their real sockets."""

import smtplib
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from app.extensions import db
from app.inbound.models import InboundEmail
from app.inbound.smtp import start_listener
from app.mailsink import read_sink, start_sink
from app.scheduler import PeriodicJob, run_due_jobs
from tests.support.smtp import free_port


def _message(to: str, subject: str = "Pothole on Elm") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "ann@example.org"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = "<abc123@example.org>"
    message.set_content("There is a pothole outside number 12.")
    return message


@pytest.fixture
def inbound_listener(app):
    controller = start_listener(app, host="127.0.0.1", port=free_port())
    yield controller
    controller.stop()


def test_inbound_listener_stores_mail_for_our_domain_and_enqueues_it(inbound_listener, stub_broker):
    with smtplib.SMTP(inbound_listener.hostname, inbound_listener.port) as smtp:
        smtp.send_message(_message("springfield@inbound.test"))
    db.session.remove()
    stored = db.session.scalars(select(InboundEmail)).all()
    assert len(stored) == 1
    assert stored[0].message_id == "<abc123@example.org>"
    assert stored[0].envelope_to == ["springfield@inbound.test"]
    assert b"pothole outside number 12" in stored[0].raw
    assert stub_broker.queues["inbound"].qsize() == 1


def test_inbound_listener_refuses_other_domains(inbound_listener):
    with smtplib.SMTP(inbound_listener.hostname, inbound_listener.port) as smtp, \
            pytest.raises(smtplib.SMTPRecipientsRefused):
        smtp.send_message(_message("someone@elsewhere.example"))
    assert db.session.scalars(select(InboundEmail)).all() == []


def test_mail_sink_keeps_what_it_receives(tmp_path):
    port = free_port()
    controller = start_sink(str(tmp_path / "sink"), port=port)
    try:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(_message("resident1@example.com", subject="Your request was received"))
    finally:
        controller.stop()
    kept = read_sink(str(tmp_path / "sink"))
    assert [m["Subject"] for m in kept] == ["Your request was received"]


def test_cli_ingest_stores_a_message(app, tmp_path, stub_broker):
    path = tmp_path / "message.eml"
    path.write_bytes(_message("request-abc@inbound.test").as_bytes())
    result = app.test_cli_runner().invoke(args=["inbound", "ingest", str(path)])
    assert result.exit_code == 0, result.output
    assert "stored inbound message" in result.output
    db.session.remove()
    assert db.session.scalar(select(InboundEmail.received_via)) == "cli"


def test_cli_ingest_refuses_an_empty_message(app, tmp_path):
    path = tmp_path / "empty.eml"
    path.write_bytes(b"")
    result = app.test_cli_runner().invoke(args=["inbound", "ingest", str(path)])
    assert result.exit_code != 0
    assert "empty message" in result.output


class _Recorder:
    def __init__(self):
        self.sent = 0

    def send(self):
        self.sent += 1


recorder = _Recorder()


def test_scheduler_sends_each_job_once_per_interval():
    jobs = (PeriodicJob("sweep", "tests.foundation.test_processes:recorder", every_seconds=60),)
    last_run: dict[str, float] = {}
    assert run_due_jobs(1000.0, last_run, jobs) == ["sweep"]
    assert run_due_jobs(1030.0, last_run, jobs) == []
    assert run_due_jobs(1060.0, last_run, jobs) == ["sweep"]
    assert recorder.sent == 2


def test_the_dev_mail_sink_refuses_to_run_in_production(tmp_path):
    """It would keep every reset link and token: with APP_ENV=production it exits, listening on nothing."""
    import os
    import subprocess
    import sys

    port = free_port()
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": "x" * 32, "MAIL_SERVER": "",
           "MAIL_SINK_PORT": str(port), "MAIL_SINK_DIR": str(tmp_path / "sink")}
    finished = subprocess.run([sys.executable, "-m", "app.mailsink"], env=env, capture_output=True, text=True,
                              timeout=60)
    assert finished.returncode != 0
    assert "does not run with APP_ENV=production" in finished.stderr
    assert not (tmp_path / "sink").exists()

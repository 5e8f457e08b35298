"""The dev mail sink's messages, for administrators, outside production only."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest

from app.mailsink import start_sink
from tests.factories import OrganizationFactory, UserFactory, make_member
from tests.portal.pages import log_in
from tests.support.smtp import free_port


@pytest.fixture
def sink(app, tmp_path):
    directory = str(tmp_path / "sink")
    port = free_port()
    controller = start_sink(directory, port=port)
    saved = app.config["MAIL_SINK_DIR"]
    app.config["MAIL_SINK_DIR"] = directory
    yield port
    controller.stop()
    app.config["MAIL_SINK_DIR"] = saved


def _send(port: int, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = "springfield-notices@inbound.test"
    message["To"] = "resident1@example.com"
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(message)


def test_a_platform_operator_reads_what_the_sink_kept(client, db, sink):
    _send(sink, "Your request was acknowledged – ünïcode", "A crew is on its way.")
    operator = UserFactory(is_superadmin=True)
    log_in(client, operator)
    response = client.get("/admin/mail")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your request was acknowledged – ünïcode" in html
    assert "A crew is on its way." in html
    assert "resident1@example.com" in html
    assert "Dev mail" in client.get("/").get_data(as_text=True)  # linked from the header


def test_residents_and_staff_without_settings_may_not(client, db, sink):
    staff = make_member(OrganizationFactory(), role="staff")
    log_in(client, staff)
    assert client.get("/admin/mail").status_code == 403
    assert "Dev mail" not in client.get("/").get_data(as_text=True)


def test_an_organization_admin_cannot_read_another_organizations_reset_link(client, db, sink):
    """The reported takeover: Shelbyville's admin reads a Springfield resident's reset link in the sink."""
    _send(sink, "Choose a new password", "http://127.0.0.1:8000/reset-password?token=secret-reset-token")
    shelbyville_admin = make_member(OrganizationFactory(slug="shelbyville"), role="admin")
    log_in(client, shelbyville_admin)
    page = client.get("/admin/mail")
    assert page.status_code == 403
    assert "secret-reset-token" not in page.get_data(as_text=True)
    assert "Dev mail" not in client.get("/").get_data(as_text=True)


def test_visitors_are_sent_to_log_in(client, db):
    response = client.get("/admin/mail")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/mail"


def test_there_is_no_mail_sink_page_in_production(app, client, db):
    admin = UserFactory(is_superadmin=True)
    log_in(client, admin)
    app.config["APP_ENV"] = "production"
    try:
        assert client.get("/admin/mail").status_code == 404
    finally:
        app.config["APP_ENV"] = "testing"

"""The invitation seam (issue 14): an admin invites an address, a real worker mails it over SMTP, the
invitee follows the emailed link, logs in, accepts on the page, and shows up on the members page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask import current_app

from tests.factories import PASSWORD, OrganizationFactory, UserFactory, make_member
from tests.portal.pages import csrf_token, log_in
from tests.support.auth import bearer

pytestmark = pytest.mark.e2e


def _drain(worker) -> None:
    for _ in range(2):
        for queue in ("default", "fanout", "email"):
            worker.join(queue, timeout=30_000)


def _accept_link(mail) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    [link] = {found for found in re.findall(r"https?://\S+", mail.text()) if "/invitations/" in found}
    assert link.startswith(base + "/")
    return urlsplit(link).path


def test_an_emailed_invitation_is_accepted_on_its_page(app, client, redis_worker, smtp_server):
    org = OrganizationFactory(slug="shelbyville", name="Shelbyville")
    admin = make_member(org, "admin", name="Alex Admin")
    ivy = UserFactory(email="ivy@example.org", name="Ivy Invitee")
    answer = client.post(f"/api/v1/orgs/{org.slug}/members", json={"email": "ivy@example.org", "role": "staff"},
                         headers=bearer(admin))
    assert answer.status_code == 202, answer.get_json()
    _drain(redis_worker)
    [mail] = smtp_server.to("ivy@example.org")
    assert mail.message["Subject"] == "You are invited to join Shelbyville"
    assert "as staff" in mail.text() and "Register first" in mail.message.get_body(("html",)).get_content()
    path = _accept_link(mail)

    invitee = app.test_client()
    first = invitee.get(path)
    assert first.status_code == 302 and first.headers["Location"].startswith("/login?next=")
    login_page = invitee.get(first.headers["Location"])
    logged_in = invitee.post(first.headers["Location"], data={
        "email": ivy.email, "password": PASSWORD, "next": path,
        "csrf_token": csrf_token(login_page.get_data(as_text=True))})
    assert logged_in.status_code == 302 and logged_in.headers["Location"] == path
    page = invitee.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Join Shelbyville" in text and "staff" in text
    accepted = invitee.post(f"{path}/accept", data={"csrf_token": csrf_token(text)}, follow_redirects=True)
    assert "You are now a member of Shelbyville" in accepted.get_data(as_text=True)

    staff_view = app.test_client()
    log_in(staff_view, admin)
    members_page = staff_view.get(f"/staff/{org.slug}/settings/members").get_data(as_text=True)
    members_part = members_page.split('id="members-heading"')[1].split('id="pending-heading"')[0]
    [row] = [row for row in members_part.split("<tr>") if "Ivy Invitee" in row]
    assert 'value="staff" selected' in row
    assert "No pending invitations." in members_page

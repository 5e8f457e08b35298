"""The privacy pages as people use them: a resident's "Your data" tab, the emailed deletion link,
and the staff audit trail and retention settings."""

from __future__ import annotations

import io
import re
import zipfile

from sqlalchemy import select

from app.accounts.models import User
from app.events.models import Event
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from app.privacy.models import RetentionPolicy
from tests.portal.pages import log_in, page_token, post_form
from tests.requests.city import build_city


def test_a_resident_downloads_their_data_and_a_wrong_password_is_said_next_to_the_field(client, db):
    city = build_city()
    log_in(client, city.resident_a)
    page = client.get("/account/privacy")
    assert page.status_code == 200 and "Download my data" in page.text and "Delete my account" in page.text
    download = client.get("/account/export")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert "profile.json" in zipfile.ZipFile(io.BytesIO(download.data)).namelist()

    refused = post_form(client, "/account/delete", {"password": "not it"}, form_page="/account/privacy")
    assert refused.status_code == 422
    assert re.search(r'id="password-error">The password is wrong\.', refused.text)
    assert db.session.get(User, city.resident_a.id).deleted_at is None


def test_the_emailed_link_confirms_the_deletion(client, db, smtp_server):
    city = build_city()
    log_in(client, city.resident_b)
    asked = post_form(client, "/account/delete/link", form_page="/account/privacy")
    assert asked.status_code == 302
    for event_id in db.session.scalars(select(Event.id).where(Event.kind == "account.deletion_requested")):
        fan_out(event_id)
    send_due_deliveries(30)
    (mail,) = smtp_server.to("bob@example.org")
    assert mail.subject == "Confirm deleting your account"
    link = re.search(r"http\S+/account/delete\?token=(\S+)", mail.text())
    assert link, mail.text()
    landing = client.get(f"/account/delete?token={link.group(1)}")
    assert landing.status_code == 200 and "You followed the link we emailed you" in landing.text
    done = client.post("/account/delete", data={"token": link.group(1),
                                                "csrf_token": page_token(client, "/account/privacy")})
    assert done.status_code == 302
    assert db.session.get(User, city.resident_b.id).deleted_at is not None
    assert client.get("/account/").status_code == 302  # logged out: the login page


def test_admins_read_the_audit_trail_and_set_retention(client, db):
    city = build_city()
    log_in(client, city.staff)
    assert city.resident_a.name in client.get(f"/staff/springfield/requests/{city.request.id}").text
    log_in(client, city.admin)
    trail = client.get("/staff/springfield/audit")
    assert trail.status_code == 200
    assert re.search(r"Sam Staff</td>\s*<td>saw the contact details of</td><td>Ann Resident", trail.text), trail.text
    bad = post_form(client, "/staff/springfield/settings/retention", {
        "raw_inbound_days": "0", "outgoing_body_hours": "72", "spam_days": "30", "delivery_record_days": "365",
        "photos_on_account_deletion": "remove"})
    assert bad.status_code == 422 and 'id="raw_inbound_days-error">From 1 to 3650.' in bad.text
    saved = post_form(client, "/staff/springfield/settings/retention", {
        "raw_inbound_days": "14", "outgoing_body_hours": "24", "spam_days": "7", "delivery_record_days": "90",
        "photos_on_account_deletion": "remove"})
    assert saved.status_code == 302
    row = db.session.get(RetentionPolicy, city.org.id)
    assert (row.raw_inbound_days, row.outgoing_body_hours, row.photos_on_account_deletion) == (14, 24, "remove")
    log_in(client, city.staff)
    assert client.get("/staff/springfield/audit").status_code == 403

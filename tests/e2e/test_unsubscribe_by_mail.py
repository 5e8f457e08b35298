"""List-Unsubscribe's mailto (RFC 2369), as a mail client uses it: a mail to the advertised
address, over the real inbound SMTP listener, stops that subscription as the one-click POST
does, and the email log says so."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage

import pytest

from app.extensions import db
from app.requests.models import Follower
from tests.factories import ServiceRequestFactory, UserFactory, make_member
from tests.support.auth import bearer
from tests.support.smtp import free_port

pytestmark = pytest.mark.e2e


def _drain(worker) -> None:
    for _ in range(2):
        for queue in ("default", "fanout", "email", "inbound"):
            worker.join(queue, timeout=30_000)


def _mailto(mail) -> str:
    [address] = re.findall(r"<mailto:([^>]+)>", mail.message["List-Unsubscribe"])
    return address


def test_mail_to_the_advertised_unsubscribe_address_stops_that_subscription(app, client, redis_worker, smtp_server):
    from app.inbound.smtp import start_listener

    request = ServiceRequestFactory()
    org = request.organization
    staff = make_member(org, "staff")
    admin = make_member(org, "admin")
    follower = UserFactory(email="fern@example.org")
    db.session.add(Follower(request_id=request.id, user_id=follower.id))
    db.session.commit()
    acknowledged = client.post(f"/api/v1/orgs/{org.slug}/requests/{request.id}/acknowledge", headers=bearer(staff))
    assert acknowledged.status_code == 200, acknowledged.get_json()
    _drain(redis_worker)
    [notice] = smtp_server.to(follower.email)
    address = _mailto(notice)
    assert address.startswith("unsubscribe+") and address.endswith("@inbound.test")

    unsubscribe = EmailMessage()
    unsubscribe["From"] = f"Fern <{follower.email}>"
    unsubscribe["To"] = address
    unsubscribe["Subject"] = "unsubscribe"
    unsubscribe["Message-ID"] = "<unsub-1@mail.example.org>"
    unsubscribe.set_content("unsubscribe")
    listener = start_listener(app, host="127.0.0.1", port=free_port())
    try:
        with smtplib.SMTP(listener.hostname, listener.port) as smtp:
            smtp.sendmail(follower.email, [address], unsubscribe.as_bytes())
    finally:
        listener.stop()
    _drain(redis_worker)

    prefs = client.get("/api/v1/me/preferences", headers=bearer(follower)).get_json()
    assert next(g for g in prefs["groups"] if g["group"] == "following")["channels"]["email"] is False
    assert next(g for g in prefs["groups"] if g["group"] == "my_requests")["channels"]["email"] is True
    log = client.get(f"/api/v1/orgs/{org.slug}/email-log?direction=in", headers=bearer(admin)).get_json()
    [entry] = log["items"]
    assert entry["to"] == [address] and entry["status"] == "processed" and entry["reason"] == "unsubscribe"
    assert entry["outcome"].startswith("unsubscribed by mail to its List-Unsubscribe address "
                                       f"(emails about “Requests I follow” to {follower.email})")

    # The next change reaches the reporter by email, and the follower no longer.
    closed = client.post(f"/api/v1/orgs/{org.slug}/requests/{request.id}/close", headers=bearer(staff), json={})
    assert closed.status_code == 200, closed.get_json()
    _drain(redis_worker)
    assert len(smtp_server.to(request.reporter.email)) == 2
    assert len(smtp_server.to(follower.email)) == 1


def test_a_forged_unsubscribe_address_unsubscribes_nobody(app, client, redis_worker, smtp_server):
    from app.inbound.smtp import start_listener

    request = ServiceRequestFactory()
    admin = make_member(request.organization, "admin")
    forged = "unsubscribe+aaaaaaaaaa.bbbbbbbbbbbbbbbbbbbb@inbound.test"
    mail = EmailMessage()
    mail["From"] = request.reporter.email
    mail["To"] = forged
    mail["Subject"] = "unsubscribe"
    mail.set_content("unsubscribe")
    listener = start_listener(app, host="127.0.0.1", port=free_port())
    try:
        with smtplib.SMTP(listener.hostname, listener.port) as smtp:
            smtp.sendmail(request.reporter.email, [forged], mail.as_bytes())
    finally:
        listener.stop()
    _drain(redis_worker)
    prefs = client.get("/api/v1/me/preferences", headers=bearer(request.reporter)).get_json()
    assert all(group["channels"]["email"] for group in prefs["groups"])
    log = client.get(f"/api/v1/orgs/{request.organization.slug}/email-log?direction=in",
                     headers=bearer(admin)).get_json()
    [entry] = log["items"]  # the only organization: the mail is in its log
    assert (entry["status"], entry["reason"]) == ("ignored", "bad_unsubscribe_token")
    assert smtp_server.messages == []

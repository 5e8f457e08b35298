"""Whole flows across areas, as users drive them: HTTP in, a real Redis worker, real SMTP out.

Each test goes through the public API (or the inbound SMTP listener) only, lets a real
Dramatiq worker on real Redis fan out and deliver, and then reads what arrived at a real
SMTP listener: who got which email, and who did not.
"""

from __future__ import annotations

import smtplib
import time
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.inbound.smtp import start_listener
from app.requests.models import ServiceRequest
from app.work.actors import sweep_sla_breaches
from tests.factories import CENTRE, CategoryFactory, OrganizationFactory, UserFactory, make_member
from tests.support.auth import bearer
from tests.support.smtp import free_port

pytestmark = pytest.mark.e2e

LNG, LAT = CENTRE


@pytest.fixture
def city(app, monkeypatch):
    """Springfield with a pothole category, a staff member and three residents."""
    # People who use the app get email only for what they have not seen in the app within this
    # delay; one second keeps that rule in play without making the test wait a minute.
    monkeypatch.setitem(app.config, "EMAIL_FALLBACK_DELAY", 1)
    org = OrganizationFactory(slug="springfield", general_email="springfield@inbound.test",
                              sender_email="springfield-notices@inbound.test")
    category = CategoryFactory(organization=org, code="pothole", name="Pothole", sla_hours=48,
                               escalate_to_email="roads-supervisor@city.example")
    staff = make_member(org, "staff", email="sam@springfield.gov", name="Sam Staff")
    ann, bob, carol = (UserFactory(email=f"{n}@example.org", name=n.title()) for n in ("ann", "bob", "carol"))
    return type("City", (), {"org": org, "category": category, "staff": staff, "ann": ann, "bob": bob,
                             "carol": carol})


def _drain(worker, rounds: int = 3) -> None:
    """Let the worker finish fan-outs and deliveries (deliveries may be scheduled ~1 s later)."""
    for _ in range(rounds):
        for queue in ("default", "fanout", "email", "inbound"):
            worker.join(queue, timeout=30_000)
        time.sleep(1.6)  # a delayed message (the fallback delay) becomes due; not an assertion


def _mail_for(smtp, address: str) -> list[tuple[str, str]]:
    return [(m.subject, m.text()) for m in smtp.to(address)]


def _submit(client, user, lng: float, lat: float, city, text: str) -> dict:
    response = client.post("/api/v1/requests", headers=bearer(user), json={
        "category_id": city.category.id, "lat": lat, "lng": lng, "description": text})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _square(lng: float, lat: float, half: float) -> dict:
    ring = [[lng - half, lat - half], [lng + half, lat - half], [lng + half, lat + half],
            [lng - half, lat + half], [lng - half, lat - half]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_watch_area_alerts_reach_exactly_the_right_people(client, city, redis_worker, smtp_server):
    area = client.post("/api/v1/watch-areas", headers=bearer(city.ann), json={
        "name": "Around my street", "geometry": _square(LNG, LAT, 0.01), "public": False})
    assert area.status_code == 201, area.get_json()

    inside = _submit(client, city.bob, LNG + 0.002, LAT + 0.002, city, "Deep pothole by the school")
    outside = _submit(client, city.bob, LNG + 0.04, LAT, city, "Pothole far from Ann")
    public = client.post(f"/api/v1/requests/{inside['id']}/comments", headers=bearer(city.staff),
                         json={"body": "A crew is booked for Thursday.", "visibility": "public"})
    internal = client.post(f"/api/v1/requests/{inside['id']}/comments", headers=bearer(city.staff),
                           json={"body": "Needs the big patch truck, budget code R-17.",
                                 "visibility": "internal"})
    assert public.status_code == internal.status_code == 201
    _drain(redis_worker)

    ann_mail = _mail_for(smtp_server, "ann@example.org")
    ann_subjects = [subject for subject, _ in ann_mail]
    assert any("Around my street" in s for s in ann_subjects), ann_subjects           # area created
    assert sum(inside["public_id"] in s for s in ann_subjects) == 2, ann_subjects     # new request, comment
    assert not any(outside["public_id"] in s for s in ann_subjects), ann_subjects     # outside: nothing
    assert any("A crew is booked" in body for _, body in ann_mail)
    bob_mail = _mail_for(smtp_server, "bob@example.org")
    assert any("A crew is booked" in body for _, body in bob_mail)                    # reporter, public
    everything = " ".join(subject + body for message in smtp_server.messages
                          for subject, body in [(message.subject, message.text())]
                          if not set(r.lower() for r in message.rcpt_tos) & {"sam@springfield.gov"})
    assert "R-17" not in everything                                                   # internal stays in
    assert _mail_for(smtp_server, "carol@example.org") == []                          # a bystander


def test_sla_breach_alert_reaches_the_escalation_address_once(client, city, redis_worker, smtp_server):
    submitted = _submit(client, city.bob, LNG, LAT, city, "Pothole swallowing bikes")
    _drain(redis_worker, rounds=1)
    request = db.session.get(ServiceRequest, submitted["id"])
    assert request.sla_due_at is not None  # 48 business hours, from the category
    request.sla_due_at = utcnow() - timedelta(minutes=1)  # as if those 48 business hours had passed
    db.session.commit()

    sweep_sla_breaches.send()
    sweep_sla_breaches.send()  # a second scheduler, or the next tick: still one alert
    _drain(redis_worker)

    alerts = _mail_for(smtp_server, "roads-supervisor@city.example")
    assert len(alerts) == 1, alerts
    subject, body = alerts[0]
    assert submitted["public_id"] in subject and "SLA" in subject
    assert "Pothole swallowing bikes" in body or submitted["public_id"] in body


def _reply(original, sender: str, text: str) -> bytes:
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = original.message["Reply-To"]
    reply["Subject"] = "Re: " + original.subject
    reply["Message-ID"] = "<reply-1@mail.example.org>"
    reply["In-Reply-To"] = original.message["Message-ID"]
    reply["References"] = original.message["Message-ID"]
    quoted = "\n".join("> " + line for line in original.text().splitlines())
    reply.set_content(f"{text}\n\nOn Tuesday, Springfield wrote:\n{quoted}\n")
    return reply.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_an_email_reply_becomes_a_comment_and_notifies_followers(app, client, city, redis_worker, smtp_server):
    submitted = _submit(client, city.bob, LNG, LAT, city, "Streetlight out on Elm")
    assert client.post(f"/api/v1/requests/{submitted['id']}/follow", headers=bearer(city.carol)).status_code < 300
    client.post(f"/api/v1/requests/{submitted['id']}/comments", headers=bearer(city.staff),
                json={"body": "Is the pole damaged too?", "visibility": "public"})
    _drain(redis_worker)
    question = [m for m in smtp_server.to("bob@example.org") if "pole damaged" in m.text()]
    assert len(question) == 1
    assert question[0].message["Reply-To"].startswith("reply+")

    listener = start_listener(app, host="127.0.0.1", port=free_port())
    try:
        with smtplib.SMTP(listener.hostname, listener.port) as smtp:
            smtp.sendmail("bob@example.org", [question[0].message["Reply-To"]],
                          _reply(question[0], "Bob <bob@example.org>", "Yes, the pole is leaning badly."))
    finally:
        listener.stop()
    _drain(redis_worker)

    comments = client.get(f"/api/v1/requests/{submitted['id']}/comments", headers=bearer(city.staff)).get_json()
    by_bob = [c for c in comments["items"] if c["body"].startswith("Yes, the pole is leaning")]
    assert len(by_bob) == 1, comments
    assert by_bob[0]["visibility"] == "public"
    assert "pole damaged" not in by_bob[0]["body"]  # the quoted notification was stripped
    stored = db.session.scalar(select(ServiceRequest).where(ServiceRequest.id == submitted["id"]))
    assert stored is not None
    carol_mail = [body for _, body in _mail_for(smtp_server, "carol@example.org")]
    assert any("the pole is leaning badly" in body for body in carol_mail)      # a follower hears of it
    assert not any("the pole is leaning badly" in m.text() for m in smtp_server.to("bob@example.org"))


def test_a_report_posted_through_open311_is_a_request_like_any_other(client, city, redis_worker, smtp_server):
    admin = make_member(city.org, "admin", email="admin@springfield.gov")
    issued = client.post("/api/v1/orgs/springfield/api-keys", headers=bearer(admin), json={"name": "City app"})
    assert issued.status_code == 201, issued.get_json()
    posted = client.post("/open311/v2/requests.json", data={
        "api_key": issued.get_json()["key"], "jurisdiction_id": "springfield", "service_code": "pothole",
        "lat": str(LAT), "long": str(LNG), "description": "Reported from a 311 kiosk",
        "email": "dana@example.org", "first_name": "Dana"})
    assert posted.status_code == 200, posted.get_data(as_text=True)
    public_id = posted.get_json()[0]["service_request_id"]
    _drain(redis_worker)

    # The resident API shows it, and the reporter got the same receipt a web report gets.
    found = client.get("/api/v1/requests", query_string={"q": "311 kiosk"}).get_json()
    assert [item["public_id"] for item in found["items"]] == [public_id]
    receipts = _mail_for(smtp_server, "dana@example.org")
    assert len(receipts) == 1 and public_id in receipts[0][0], receipts

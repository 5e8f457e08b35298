"""In-app notifications through the API, and the email fallback for people using the app (OneDesk's rule)."""

from datetime import timedelta

from sqlalchemy import select, update

from app.accounts.models import User
from app.db_types import utcnow
from app.events.service import record_event
from app.extensions import db
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from app.notify.models import EmailDelivery
from tests.factories import ServiceRequestFactory, make_member
from tests.notify.helpers import delivery_for
from tests.support.auth import bearer


def _acknowledge(request, staff):
    event = record_event("request.acknowledged", request=request, actor=staff)
    db.session.commit()
    fan_out(event.id)
    return event


def test_the_reporter_lists_counts_and_marks_notifications(client, stub_broker):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff", name="Sam Staff")
    headers = bearer(request.reporter)
    _acknowledge(request, staff)
    _acknowledge(request, staff)

    listed = client.get("/api/v1/notifications", headers=headers).get_json()
    assert listed["total"] == 2 and listed["page"] == 1
    newest = listed["items"][0]
    assert newest["event"] == "request.acknowledged" and newest["request_id"] == request.id
    assert newest["request_public_id"] == request.public_id and newest["seen_at"] is None
    assert newest["summary"] == f"Request {request.public_id} was acknowledged"
    assert newest["actor"]["name"] == "Sam Staff" and newest["reason"] == "you reported this request"
    assert client.get("/api/v1/notifications/unread-count", headers=headers).get_json() == {"count": 2}

    seen = client.post(f"/api/v1/notifications/{newest['id']}/seen", headers=headers)
    assert seen.status_code == 200 and seen.get_json()["seen_at"] is not None
    assert client.get("/api/v1/notifications/unread-count", headers=headers).get_json() == {"count": 1}
    unseen = client.get("/api/v1/notifications?unseen=true", headers=headers).get_json()
    assert [n["id"] for n in unseen["items"]] != [newest["id"]] and unseen["total"] == 1

    assert client.post("/api/v1/notifications/seen-all", headers=headers).get_json() == {"marked": 1}
    assert client.get("/api/v1/notifications/unread-count", headers=headers).get_json() == {"count": 0}


def test_nobody_reads_or_marks_someone_elses_notifications(client, stub_broker):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    _acknowledge(request, staff)
    mine = client.get("/api/v1/notifications", headers=bearer(request.reporter)).get_json()["items"][0]
    other = bearer(staff)
    assert client.get("/api/v1/notifications", headers=other).get_json()["total"] == 0
    response = client.post(f"/api/v1/notifications/{mine['id']}/seen", headers=other)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    assert client.get("/api/v1/notifications").status_code == 401


def test_an_authenticated_call_marks_the_user_active(client, stub_broker):
    request = ServiceRequestFactory()
    assert request.reporter.last_seen_at is None
    client.get("/api/v1/notifications/unread-count", headers=bearer(request.reporter))
    db.session.rollback()
    assert db.session.get(User, request.reporter_id).last_seen_at is not None


def test_someone_active_in_the_app_who_sees_it_in_time_gets_no_email(client, stub_broker, smtp_server):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    headers = bearer(request.reporter)
    client.get("/api/v1/notifications/unread-count", headers=headers)  # using the app right now
    event = _acknowledge(request, staff)
    waiting = delivery_for(event.id, request.reporter.email)
    assert waiting.awaits_seen and waiting.status == "pending"
    assert waiting.send_after > utcnow() + timedelta(seconds=30)  # EMAIL_FALLBACK_DELAY, 60 s by default

    note = client.get("/api/v1/notifications", headers=headers).get_json()["items"][0]
    client.post(f"/api/v1/notifications/{note['id']}/seen", headers=headers)
    db.session.execute(update(EmailDelivery).values(send_after=utcnow()))  # the delay has passed
    db.session.commit()
    send_due_deliveries(10)
    assert delivery_for(event.id, request.reporter.email).status == "skipped"
    assert smtp_server.messages == []


def test_someone_active_who_does_not_see_it_is_emailed_after_the_delay(client, stub_broker, smtp_server):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    client.get("/api/v1/notifications/unread-count", headers=bearer(request.reporter))
    event = _acknowledge(request, staff)
    assert send_due_deliveries(10).claimed == 0  # not before the delay
    db.session.execute(update(EmailDelivery).values(send_after=utcnow()))
    db.session.commit()
    send_due_deliveries(10)
    assert [m.rcpt_tos for m in smtp_server.wait_for(1)] == [[request.reporter.email]]
    assert delivery_for(event.id, request.reporter.email).status == "sent"


def test_someone_not_using_the_app_is_emailed_at_once(stub_broker, smtp_server):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    event = _acknowledge(request, staff)
    row = delivery_for(event.id, request.reporter.email)
    assert not row.awaits_seen and row.send_after <= utcnow()
    send_due_deliveries(10)
    assert len(smtp_server.wait_for(1)) == 1
    assert db.session.scalar(select(EmailDelivery.status)) == "sent"

"""The daily digest: one email a day listing what a user on the digest missed."""

from datetime import UTC, datetime

from sqlalchemy import select

from app.events.service import record_event
from app.extensions import db
from app.notify.delivery import send_due_deliveries
from app.notify.digest import make_daily_digests
from app.notify.fanout import fan_out
from app.notify.models import EmailDelivery
from tests.factories import ServiceRequestFactory, make_member
from tests.support.auth import bearer

MORNING = datetime(2030, 3, 4, 13, 0, tzinfo=UTC)  # after DIGEST_HOUR_UTC (12)


def _fire(kind, request, actor, payload=None):
    event = record_event(kind, request=request, actor=actor, payload=payload or {})
    db.session.commit()
    fan_out(event.id)
    return event


def test_a_digest_user_gets_one_email_a_day_listing_what_they_missed(client, stub_broker, smtp_server):
    first = ServiceRequestFactory()
    reporter = first.reporter
    second = ServiceRequestFactory(reporter=reporter, category=first.category)
    staff = make_member(first.organization, "staff")
    headers = bearer(reporter)
    client.put("/api/v1/me/preferences", headers=headers, json={"email_frequency": "daily"})
    _fire("request.acknowledged", first, staff)
    _fire("request.closed", second, staff, {"by_reporter": False})
    _fire("request.reopened", second, staff, {"by_reporter": False})
    assert set(db.session.scalars(select(EmailDelivery.status))) == {"held"}
    send_due_deliveries(10)
    assert smtp_server.messages == []  # nothing goes out one by one
    seen = next(n for n in client.get("/api/v1/notifications", headers=headers).get_json()["items"]
                if n["event"] == "request.reopened")
    client.post(f"/api/v1/notifications/{seen['id']}/seen", headers=headers)

    assert make_daily_digests(MORNING.replace(hour=6)) == 0  # not before the digest hour
    assert make_daily_digests(MORNING) == 1
    assert make_daily_digests(MORNING) == 0  # once a day, however often the job runs
    send_due_deliveries(10)
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == [reporter.email]
    assert mail.subject.endswith("daily digest] 2 updates")
    text = mail.text()
    assert f"A request is acknowledged: request {first.public_id}" in text
    assert f"A request is closed: request {second.public_id}" in text
    assert "reopened" not in text  # seen in the app: not missed
    assert "you chose a daily digest" in text and mail.message["List-Unsubscribe"]
    statuses = dict(db.session.execute(select(EmailDelivery.kind, EmailDelivery.status)).all())
    assert statuses == {"request.acknowledged": "digested", "request.closed": "digested",
                        "request.reopened": "skipped", "digest": "sent"}


def test_account_mail_is_never_held_for_the_digest(client, stub_broker):
    request = ServiceRequestFactory()
    client.put("/api/v1/me/preferences", headers=bearer(request.reporter), json={"email_frequency": "daily"})
    event = record_event("account.password_reset", actor=request.reporter, payload={"user_id": request.reporter_id})
    db.session.commit()
    fan_out(event.id)
    assert db.session.scalar(select(EmailDelivery.status)) == "pending"

"""Delivery receipts: who was told of a comment, who saw it in the app, who was emailed and what SMTP said."""

from __future__ import annotations

from sqlalchemy import select, update

from app.accounts.models import User
from app.db_types import utcnow
from app.extensions import db
from app.notify import inbox
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from app.notify.models import Notification
from app.requests import service
from tests.factories import (
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    make_member,
)
from tests.portal.pages import log_in
from tests.support.auth import bearer


def _latest_event_id():
    from app.events.models import Event

    return db.session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))


def _set_active(user):
    db.session.execute(update(User).where(User.id == user.id).values(last_seen_at=utcnow()))
    db.session.commit()


def _city():
    org = OrganizationFactory()
    staff = make_member(org, "staff", name="Sam Staff")
    reporter = UserFactory(name="Rita Reporter", email="rita@example.org")
    follower = UserFactory(name="Fred Follower", email="fred@example.org")
    bounced = UserFactory(name="Bob Bounce", email="bob@example.org")
    request = ServiceRequestFactory(category=CategoryFactory(organization=org), reporter=reporter)
    service.follow(request.id, follower)
    service.follow(request.id, bounced)
    return org, staff, reporter, follower, bounced, request


def test_a_comments_receipts_show_seen_in_app_emailed_and_bounced(client, stub_broker, smtp_server):
    org, staff, reporter, follower, bounced, request = _city()
    smtp_server.handler.reject["bob@example.org"] = "550 5.1.1 No such user here"
    _set_active(reporter)  # using the app: her email waits for the fallback delay
    comment = service.add_comment(request.id, staff, "The crew comes on Tuesday.", "public")
    fan_out(_latest_event_id())
    send_due_deliveries(10)
    note = db.session.scalar(select(Notification).where(Notification.user_id == reporter.id))
    inbox.mark_seen(reporter.id, note.id)

    answer = client.get(f"/api/v1/requests/{request.id}/comments/{comment.id}/deliveries", headers=bearer(staff))
    assert answer.status_code == 200, answer.json
    by_name = {r["user"]["name"]: r for r in answer.json["recipients"]}
    assert set(by_name) == {"Rita Reporter", "Fred Follower", "Bob Bounce"}
    rita, fred, bob = by_name["Rita Reporter"], by_name["Fred Follower"], by_name["Bob Bounce"]
    assert rita["in_app"]["seen_at"] is not None
    assert rita["email"]["outcome"] == "not_needed" and rita["summary"] == "seen in the app"
    assert fred["in_app"]["seen_at"] is None
    assert fred["email"]["outcome"] == "delivered" and fred["address"] == "fred@example.org"
    assert fred["email"]["smtp_code"] == 250 and "Message accepted" in fred["email"]["smtp_reply"]
    assert fred["summary"].startswith("emailed: delivered")
    assert bob["email"]["outcome"] == "bounced" and bob["email"]["smtp_code"] == 550
    assert "No such user here" in bob["email"]["smtp_reply"]


def test_receipts_are_for_staff_of_the_organization_only(client, stub_broker):
    org, staff, reporter, follower, bounced, request = _city()
    comment = service.add_comment(request.id, staff, "On it.", "public")
    url = f"/api/v1/requests/{request.id}/comments/{comment.id}/deliveries"
    assert client.get(url).status_code == 401
    refused = client.get(url, headers=bearer(reporter))
    assert refused.status_code == 403 and refused.json["error"] == "forbidden"
    outsider = make_member(OrganizationFactory(), "admin")
    assert client.get(url, headers=bearer(outsider)).status_code == 403
    other = ServiceRequestFactory(category=request.category)
    missing = client.get(f"/api/v1/requests/{other.id}/comments/{comment.id}/deliveries", headers=bearer(staff))
    assert missing.status_code == 404 and missing.json["details"] == {"comment_id": comment.id}


def test_a_resident_sees_whether_staff_have_seen_their_comment(client, stub_broker):
    org, staff, reporter, follower, bounced, request = _city()
    service.assign(request.id, staff, staff.id, organization=org)
    service.add_comment(request.id, reporter, "It got deeper overnight.", "public")
    fan_out(_latest_event_id())
    log_in(client, reporter)
    page = client.get(f"/requests/{request.id}").get_data(as_text=True)
    assert "Not seen by staff yet" in page and "Seen by staff" not in page
    note = db.session.scalar(select(Notification).where(Notification.user_id == staff.id))
    inbox.mark_seen(staff.id, note.id)
    page = client.get(f"/requests/{request.id}").get_data(as_text=True)
    assert "Seen by staff" in page and "Not seen by staff yet" not in page

"""The engine's invariants, each with a test (fan-out run directly; mail sent to a real SMTP listener)."""

from sqlalchemy import func, select, update

from app.db_types import utcnow
from app.events.models import Event
from app.events.service import record_event
from app.extensions import db
from app.inbound.models import SuppressedAddress
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from app.notify.matrix import check_matrix
from app.notify.models import EmailDelivery, Notification
from app.notify.suppression import suppress_address
from app.requests.models import Comment, Follower
from tests.factories import (
    CategoryFactory,
    ServiceRequestFactory,
    UserFactory,
    WatchAreaFactory,
    make_member,
)
from tests.notify.helpers import delivery_for, emails, in_app


def _follow(request, *users):
    db.session.add_all(Follower(request_id=request.id, user_id=u.id) for u in users)
    db.session.commit()


def _comment(request, author, visibility="public", body="Patched this morning."):
    comment = Comment(request_id=request.id, author_id=author.id, body=body, visibility=visibility)
    db.session.add(comment)
    db.session.flush()
    return comment


def test_the_matrix_itself_respects_the_invariants():
    check_matrix()  # raises on an internal kind reaching a non-staff audience, unknown names, duplicates


def test_nobody_is_notified_of_their_own_action(stub_broker):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    request.assignee_id = staff.id
    _follow(request, staff)
    event = record_event("request.comment_public", request=request, actor=staff,
                         payload={"comment_id": _comment(request, staff).id})
    db.session.commit()
    fan_out(event.id)
    # Assignee and follower, yet the author hears nothing; the reporter does.
    assert in_app(event.id) == {request.reporter_id}
    assert set(emails(event.id)) == {request.reporter.email.lower()}


def test_the_actors_own_address_in_a_routing_list_is_not_emailed(stub_broker):
    staff_user = UserFactory()
    category = CategoryFactory(routing_emails=[staff_user.email.upper(), "roads@dept.example"])
    request = ServiceRequestFactory(category=category, reporter=staff_user)  # filed by staff on the phone
    event = record_event("request.submitted", request=request, actor=staff_user)
    db.session.commit()
    fan_out(event.id)
    # The reporter's receipt is the one row meant for the actor; the routing copy to them is not sent.
    assert emails(event.id) == {staff_user.email.lower(): "pending", "roads@dept.example": "pending"}
    assert delivery_for(event.id, staff_user.email).audience == "reporter"


def test_internal_comments_reach_staff_only(stub_broker):
    category = CategoryFactory(routing_emails=["roads@dept.example"])
    request = ServiceRequestFactory(category=category)
    org = request.organization
    author, staff_follower, assignee = (make_member(org, "staff") for _ in range(3))
    resident_follower = UserFactory()
    outsider_staff = make_member(CategoryFactory().organization, "staff")  # staff, but of another city
    request.assignee_id = assignee.id
    _follow(request, staff_follower, resident_follower, outsider_staff)
    WatchAreaFactory()  # a resident watching the place
    comment = _comment(request, author, "internal", "Contractor quote is $4,000")
    event = record_event("request.comment_internal", request=request, actor=author,
                         payload={"comment_id": comment.id, "mentioned_user_ids": [request.reporter_id]})
    db.session.commit()
    fan_out(event.id)
    assert in_app(event.id) == {staff_follower.id, assignee.id}
    assert set(emails(event.id)) == {staff_follower.email.lower(), assignee.email.lower()}
    assert db.session.scalar(select(func.bool_and(EmailDelivery.internal))) is True


def test_a_residents_email_never_carries_an_internal_comment(stub_broker, smtp_server):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    note = _comment(request, staff, "internal", "Resident is a known complainer")
    event = record_event("request.closed", request=request, actor=staff,
                         payload={"by_reporter": False, "comment_id": note.id})
    db.session.commit()
    fan_out(event.id)
    send_due_deliveries(10)
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == [request.reporter.email]
    assert "was closed" in mail.text()
    assert "complainer" not in mail.message.as_string()


def test_one_notification_per_event_recipient_and_channel(stub_broker):
    resident = UserFactory(email="both@example.org")
    category = CategoryFactory(routing_emails=["BOTH@example.org"])
    request = ServiceRequestFactory(category=category, reporter=resident)
    WatchAreaFactory(owner=resident)
    _follow(request, resident)
    staff = make_member(request.organization, "staff")
    event = record_event("request.comment_public", request=request, actor=staff,
                         payload={"comment_id": _comment(request, staff).id})
    db.session.commit()
    fan_out(event.id)
    # Reporter, follower and watch-area owner at once: one notice per channel, as the reporter.
    assert in_app(event.id) == {resident.id}
    assert emails(event.id) == {"both@example.org": "pending"}
    assert delivery_for(event.id, "both@example.org").audience == "reporter"

    submitted = record_event("request.submitted", request=request, actor=resident)
    db.session.commit()
    fan_out(submitted.id)  # the user's address is also a routing address: one email, not two
    assert emails(submitted.id) == {"both@example.org": "pending"}


def test_fanning_out_again_adds_nothing(stub_broker):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    _follow(request, UserFactory(), UserFactory())
    event = record_event("request.acknowledged", request=request, actor=staff)
    db.session.commit()
    first = fan_out(event.id)
    assert first.counts == {"inapp": 3, "email": 3, "webhook": 0}
    assert fan_out(event.id) is None  # already dispatched: a redelivered message does nothing
    db.session.execute(update(Event).where(Event.id == event.id).values(dispatched_at=None))
    db.session.commit()
    again = fan_out(event.id)  # even a forced re-run inserts nothing new (unique keys)
    assert again.counts == {"inapp": 0, "email": 0, "webhook": 0}
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 3
    assert db.session.scalar(select(func.count()).select_from(EmailDelivery)) == 3


def test_inactive_accounts_get_nothing(stub_broker):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    gone = UserFactory(active=False)
    _follow(request, gone)
    event = record_event("request.acknowledged", request=request, actor=staff)
    db.session.commit()
    fan_out(event.id)
    assert gone.id not in in_app(event.id)
    assert gone.email.lower() not in emails(event.id)


def test_suppressed_and_bounced_addresses_get_no_email(stub_broker, smtp_server):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    unsubscribed, bounced = UserFactory(), UserFactory(email_bounced_at=utcnow())
    db.session.add(SuppressedAddress(email=unsubscribed.email.upper(), reason="unsubscribed"))
    _follow(request, unsubscribed, bounced)
    event = record_event("request.acknowledged", request=request, actor=staff)
    db.session.commit()
    fan_out(event.id)
    assert emails(event.id) == {request.reporter.email.lower(): "pending",
                                unsubscribed.email.lower(): "suppressed", bounced.email.lower(): "suppressed"}
    send_due_deliveries(10)
    smtp_server.wait_for(1)
    assert [m.rcpt_tos for m in smtp_server.messages] == [[request.reporter.email]]
    # Their accounts still work: the notice is in the app.
    assert {unsubscribed.id, bounced.id} <= in_app(event.id)


def test_suppressing_an_address_stops_what_is_already_waiting(stub_broker):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    event = record_event("request.acknowledged", request=request, actor=staff)
    db.session.commit()
    fan_out(event.id)
    suppress_address(request.reporter.email, "bounce: 550 5.1.1 no such user")
    db.session.commit()
    assert emails(event.id) == {request.reporter.email.lower(): "suppressed"}
    db.session.refresh(request.reporter)
    assert request.reporter.email_bounced_at is not None


def test_the_inbound_notice_never_mails_our_own_inbound_domain(stub_broker):
    org = CategoryFactory().organization  # its general address is at the inbound domain
    triager = make_member(org, "staff")
    event = record_event("inbound.message_received", organization_id=org.id, payload={"inbound_message_id": 7})
    db.session.commit()
    fan_out(event.id)
    assert emails(event.id) == {}  # mailing org@inbound.test would come straight back in: a loop
    assert in_app(event.id) == {triager.id}

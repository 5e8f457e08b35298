"""The fan-out's message carries the event's facts: the claim and the channel statements go out at once.

The claim checks the facts (and that no switch or override applies) against the database; when
they no longer hold it takes nothing, and the fan-out reads the event as a message without facts
(the relay's, or one queued before facts were added) has it read.
"""

from __future__ import annotations

import itertools
import tempfile
from contextlib import ExitStack, contextmanager

from dramatiq import Message
from sqlalchemy import event as sa_event
from sqlalchemy import update

from app.accounts.models import User
from app.events.service import record_event
from app.extensions import db
from app.notify.fanout import fan_out
from app.notify.models import CategoryNotificationRule, OrganizationNotificationSettings
from app.requests.models import Follower, ServiceRequest
from tests.factories import CategoryFactory, ServiceRequestFactory, UserFactory, make_member
from tests.notify.helpers import emails, in_app


def _acknowledged_with_followers():
    """A request.acknowledged event (reporter and two followers notified) and its fan-out message."""
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    followers = [UserFactory(), UserFactory()]
    db.session.add_all(Follower(request_id=request.id, user_id=u.id) for u in followers)
    db.session.commit()
    event = record_event("request.acknowledged", request=request, actor=staff)
    db.session.commit()
    return request, staff, event, [request.reporter, *followers]


def _fanout_messages(broker) -> list[Message]:
    """The messages waiting on the stub broker's fanout queue, taken off it."""
    queue = broker.queues["fanout"]
    taken = []
    while not queue.empty():
        taken.append(Message.decode(queue.get_nowait()))
        queue.task_done()
    return taken


@contextmanager
def _waits_for_the_server():
    """Counts the round trips of each connection checked out meanwhile: the server answering what was sent."""
    traces, counted = [], []

    def trace(dbapi_connection, record, proxy):
        traces.append(files.enter_context(tempfile.TemporaryFile()))  # noqa: SIM115  (the stack closes it)
        dbapi_connection.pgconn.trace(traces[-1].fileno())  # libpq's log of every protocol message

    def untrace(dbapi_connection, record):
        dbapi_connection.pgconn.untrace()  # flushes the log

    with ExitStack() as files:
        sa_event.listen(db.engine, "checkout", trace)
        sa_event.listen(db.engine, "checkin", untrace)
        try:
            yield counted
        finally:
            sa_event.remove(db.engine, "checkout", trace)
            sa_event.remove(db.engine, "checkin", untrace)
            for file in traces:
                file.seek(0)
                senders = [b"F" if b"\tF\t" in line else b"B" for line in file if b"\tF\t" in line or b"\tB\t" in line]
                counted.append(sum(1 for sent, answer in itertools.pairwise(senders) if (sent, answer) == (b"F", b"B")))


def test_a_message_with_the_facts_fans_out_in_one_round_trip(stub_broker):
    _, _, event, people = _acknowledged_with_followers()
    (message,) = _fanout_messages(stub_broker)
    assert message.args[0] == event.id and message.args[1]["kind"] == "request.acknowledged"
    with _waits_for_the_server() as waits:
        plan = fan_out(*message.args)
    assert waits == [1]  # one connection, one wait: the claim, every channel statement and the COMMIT
    assert plan.counts == {"inapp": 3, "email": 3, "webhook": 0}
    assert in_app(event.id) == {u.id for u in people}
    assert fan_out(*message.args) is None  # redelivered: the claim takes nothing, and nothing is added
    assert len(in_app(event.id)) == 3 and len(emails(event.id)) == 3


def test_a_message_without_facts_is_read_as_before(stub_broker):
    _, _, event, people = _acknowledged_with_followers()
    _fanout_messages(stub_broker)
    with _waits_for_the_server() as waits:
        plan = fan_out(event.id)  # what the relay sends, and what messages queued before the facts carry
    assert waits == [2]  # the claim's row first, then the channel statements with the COMMIT
    assert plan.counts == {"inapp": 3, "email": 3, "webhook": 0}
    assert in_app(event.id) == {u.id for u in people}


def test_an_override_added_after_the_event_applies(stub_broker):
    request, _, event, people = _acknowledged_with_followers()
    (message,) = _fanout_messages(stub_broker)
    db.session.add(CategoryNotificationRule(category_id=request.category_id, event_kind="request.acknowledged",
                                            audience="followers", channels=["inapp"]))
    db.session.commit()
    with _waits_for_the_server() as waits:
        plan = fan_out(*message.args)
    assert waits == [1, 2]  # the claim as sent took nothing; then read from the database
    assert plan.counts["inapp"] == 3
    assert set(emails(event.id)) == {request.reporter.email.lower()}  # followers: in the app only


def test_a_kind_switched_off_after_the_event_notifies_nobody(stub_broker):
    request, _, event, _ = _acknowledged_with_followers()
    (message,) = _fanout_messages(stub_broker)
    db.session.add(OrganizationNotificationSettings(organization_id=request.organization_id,
                                                    disabled_kinds=["request.acknowledged"]))
    db.session.commit()
    plan = fan_out(*message.args)
    assert plan.counts == {"inapp": 0, "email": 0, "webhook": 0}
    assert in_app(event.id) == set() and emails(event.id) == {}


def test_facts_out_of_date_are_read_again(stub_broker):
    request, staff, event, people = _acknowledged_with_followers()
    (message,) = _fanout_messages(stub_broker)
    # Since the event: the request moved to another category, the actor changed address.
    routed = CategoryFactory(organization=request.organization, routing_emails=["crew@example.org"])
    db.session.execute(update(ServiceRequest).where(ServiceRequest.id == request.id).values(category_id=routed.id))
    db.session.execute(update(User).where(User.id == staff.id).values(email="moved@example.org"))
    db.session.commit()
    plan = fan_out(*message.args)
    assert plan.ctx.category_id == routed.id and plan.ctx.actor_email == "moved@example.org"
    assert in_app(event.id) == {u.id for u in people}

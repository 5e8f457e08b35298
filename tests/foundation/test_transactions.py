"""One way to own a transaction (app/transactions.py): alone a service commits, inside a unit it joins."""

from __future__ import annotations

import pytest
from dramatiq import Message
from sqlalchemy import func, select

from app.events.models import Event
from app.extensions import db
from app.requests import service
from app.requests.models import Comment
from app.transactions import in_unit_of_work, unit_of_work
from tests.factories import ServiceRequestFactory, make_member


def _fanout(broker) -> list[int]:
    return [Message.decode(raw).args[0] for raw in list(broker.queues["fanout"].queue)]


def _comments() -> int:
    db.session.rollback()  # look from a fresh transaction: only what was committed
    return db.session.scalar(select(func.count()).select_from(Comment))


def test_a_service_alone_commits_once_and_its_event_goes_to_the_fan_out_after(stub_broker):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    comment = service.add_comment(request.id, staff, "On it.")
    assert not in_unit_of_work()
    assert _comments() == 1
    event_id = db.session.scalar(select(Event.id).where(Event.kind == "request.comment_public"))
    assert _fanout(stub_broker) == [event_id] and comment.id


def test_services_inside_a_unit_join_it_commit_at_its_end_and_roll_back_together(stub_broker):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    with unit_of_work():
        service.add_comment(request.id, staff, "First.")
        assert in_unit_of_work()
        service.add_comment(request.id, staff, "Second.", visibility="internal")
        assert _fanout(stub_broker) == []  # nothing sent before the outermost commit
    assert _comments() == 2 and len(_fanout(stub_broker)) == 2

    stub_broker.flush_all()
    with pytest.raises(RuntimeError), unit_of_work():
        service.add_comment(request.id, staff, "Third.")
        raise RuntimeError("the caller's own step failed")
    assert _comments() == 2  # the joined service's comment went with the unit
    assert _fanout(stub_broker) == []  # and so did its event
    assert not in_unit_of_work()

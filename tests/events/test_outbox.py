"""Events are sent to the fan-out only after their transaction commits."""

from dramatiq import Message

from app.events.service import record_event
from app.extensions import db
from tests.factories import ServiceRequestFactory


def _fanout_messages(broker) -> list[int]:
    return [Message.decode(raw).args[0] for raw in list(broker.queues["fanout"].queue)]


def test_committed_event_is_sent_once(stub_broker):
    request = ServiceRequestFactory()
    event = record_event("request.acknowledged", request=request, actor=request.reporter)
    assert _fanout_messages(stub_broker) == []  # not before commit
    db.session.commit()
    assert _fanout_messages(stub_broker) == [event.id]
    db.session.commit()  # a later commit sends nothing again
    assert _fanout_messages(stub_broker) == [event.id]


def test_rolled_back_event_is_never_sent(stub_broker):
    request = ServiceRequestFactory()
    record_event("request.closed", request=request, payload={"by_reporter": False})
    db.session.rollback()
    db.session.commit()
    assert _fanout_messages(stub_broker) == []

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


def test_an_event_recorded_in_a_savepoint_waits_for_the_outer_commit(stub_broker):
    # As an emailed reply's comment is posted (app/inbound/comment_paths.py): a savepoint
    # released inside a transaction commits nothing, so nothing may reach the fan-out yet.
    request = ServiceRequestFactory()
    with db.session.begin_nested():
        event = record_event("request.comment_public", request=request, payload={"comment_id": 1})
    assert _fanout_messages(stub_broker) == []
    db.session.commit()
    assert _fanout_messages(stub_broker) == [event.id]


def test_a_rolled_back_savepoint_keeps_the_outer_transactions_events(stub_broker):
    request = ServiceRequestFactory()
    kept = record_event("request.acknowledged", request=request, actor=request.reporter)
    try:
        with db.session.begin_nested():
            record_event("request.closed", request=request, payload={"by_reporter": False})
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    db.session.commit()
    assert kept.id in _fanout_messages(stub_broker)

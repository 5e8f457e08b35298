"""The outbox relay: an event whose enqueue was lost is fanned out all the same."""

from datetime import timedelta

from sqlalchemy import update

from app.db_types import utcnow
from app.events.models import Event
from app.events.service import record_event
from app.extensions import db
from app.notify.actors import relay_undispatched_events
from app.scheduler import JOBS
from tests.factories import ServiceRequestFactory, make_member
from tests.notify.helpers import in_app


def test_the_relay_fans_out_events_the_queue_never_got(stub_broker, stub_worker):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    event = record_event("request.acknowledged", request=request, actor=staff)
    db.session.commit()
    stub_broker.flush("fanout")  # the message is lost (Redis was down at commit time)
    fresh = record_event("request.closed", request=request, actor=staff, payload={"by_reporter": False})
    db.session.commit()
    stub_broker.flush("fanout")
    db.session.execute(update(Event).where(Event.id == event.id).values(created_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()

    relay_undispatched_events.send()
    stub_broker.join("fanout")
    stub_worker.join()
    assert in_app(event.id) == {request.reporter_id}
    assert in_app(fresh.id) == set()  # younger than EVENT_RELAY_AFTER: its own message may still come
    db.session.rollback()
    assert db.session.get(Event, event.id).dispatched_at is not None


def test_the_scheduler_runs_the_notification_sweeps():
    names = {job.name: job for job in JOBS}
    assert names["notify-relay"].actor_path == "app.notify.actors:relay_undispatched_events"
    assert names["notify-email-sweep"].actor_path == "app.notify.actors:send_due_emails"
    assert names["notify-daily-digest"].actor_path == "app.notify.actors:send_daily_digests"

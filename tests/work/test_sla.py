"""SLA deadlines on requests and breach detection: once per breach, whatever the schedulers do."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dramatiq import Message
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.requests.models import ServiceRequest
from app.work.models import SlaBreach
from app.work.sla import assign_sla_deadline
from app.work.sweeps import detect_sla_breaches
from tests.factories import CategoryFactory, OrganizationFactory, ServiceRequestFactory
from tests.work.concurrency import run_two_sweeps_at_once

CHICAGO = ZoneInfo("America/Chicago")
MONDAY_10AM = datetime(2026, 1, 5, 10, tzinfo=CHICAGO)


def chicago(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


def breach_events() -> list[Event]:
    db.session.expire_all()
    return list(db.session.scalars(select(Event).where(Event.kind == "request.sla_breached").order_by(Event.id)))


def breaches() -> list[SlaBreach]:
    return list(db.session.scalars(select(SlaBreach).order_by(SlaBreach.id)))


def submit(category, now) -> ServiceRequest:
    """What the request service does on submit: a new request gets its deadline."""
    request = ServiceRequestFactory.build(category=category, organization=category.organization)
    assign_sla_deadline(request, now=now)
    db.session.add(request)
    db.session.commit()
    return request


# --- deadlines ----------------------------------------------------------------------------

def test_a_submitted_request_is_due_after_its_category_sla_in_business_hours():
    pothole = CategoryFactory(sla_hours=48)
    request = submit(pothole, MONDAY_10AM)
    db.session.expire_all()
    assert request.sla_due_at == chicago(2026, 1, 13, 10)  # six working days later, weekend skipped


def test_the_organization_settings_decide_the_working_week_and_holidays():
    org = OrganizationFactory(settings={"business_hours": {
        "week": {"mon": [["07:00", "15:00"]], "tue": [["07:00", "15:00"]]},
        "holidays": {"country": "US", "extra": ["2026-01-06"]}}})
    request = submit(CategoryFactory(organization=org, sla_hours=4), chicago(2026, 1, 5, 14))
    assert request.sla_due_at == chicago(2026, 1, 12, 10)  # Tuesday off: 1h Monday, 3h the next Monday


def test_unusable_settings_fall_back_to_the_default_week_instead_of_refusing_the_request():
    org = OrganizationFactory(settings={"business_hours": {"week": {"mon": [["17:00", "09:00"]]}}})
    request = submit(CategoryFactory(organization=org, sla_hours=8), MONDAY_10AM)
    assert request.sla_due_at == chicago(2026, 1, 6, 10)


def test_a_category_without_an_sla_gives_no_deadline():
    request = submit(CategoryFactory(sla_hours=None), MONDAY_10AM)
    assert request.sla_due_at is None


def test_a_category_change_midway_restarts_the_clock_from_the_recategorization():
    org = OrganizationFactory()
    pothole = CategoryFactory(organization=org, sla_hours=48)
    trash = CategoryFactory(organization=org, sla_hours=24)
    request = submit(pothole, MONDAY_10AM)
    assert request.sla_due_at == chicago(2026, 1, 13, 10)

    wednesday_noon = chicago(2026, 1, 7, 12)
    request.category_id = trash.id  # as the request service recategorizes: the id, relationship still loaded
    assign_sla_deadline(request, now=wednesday_noon)
    db.session.commit()
    # 24 business hours from Wednesday noon (counting from Monday would have been Thursday 10:00).
    assert request.sla_due_at == chicago(2026, 1, 12, 12)
    assert detect_sla_breaches(chicago(2026, 1, 8, 11)) == 0
    assert detect_sla_breaches(chicago(2026, 1, 12, 12)) == 1


def test_a_recategorization_through_the_relationship_is_seen_before_any_flush():
    org = OrganizationFactory()
    request = submit(CategoryFactory(organization=org, sla_hours=48), MONDAY_10AM)
    request.category = CategoryFactory(organization=org, sla_hours=8)
    assign_sla_deadline(request, now=MONDAY_10AM)
    assert request.sla_due_at == chicago(2026, 1, 6, 10)


def test_a_reopened_request_gets_a_new_deadline_and_can_breach_again():
    request = submit(CategoryFactory(sla_hours=8), MONDAY_10AM)
    first_due = request.sla_due_at
    assert detect_sla_breaches(first_due + timedelta(minutes=1)) == 1

    request.status, request.closed_at = "closed", chicago(2026, 1, 7, 9)
    db.session.commit()
    assert detect_sla_breaches(chicago(2026, 1, 8, 9)) == 0  # closed: nothing to breach

    reopened_at = chicago(2026, 1, 12, 9)
    request.status, request.closed_at = "open", None
    assign_sla_deadline(request, now=reopened_at)
    db.session.commit()
    assert request.sla_due_at == chicago(2026, 1, 12, 17)
    assert detect_sla_breaches(chicago(2026, 1, 12, 16)) == 0
    assert detect_sla_breaches(chicago(2026, 1, 12, 17)) == 1
    assert detect_sla_breaches(chicago(2026, 1, 13, 9)) == 0
    assert [b.sla_due_at for b in breaches()] == [first_due, request.sla_due_at]
    assert [e.payload["sla_due_at"] for e in breach_events()] == [
        first_due.astimezone(UTC).isoformat(), request.sla_due_at.astimezone(UTC).isoformat()]


# --- breach detection ---------------------------------------------------------------------

def test_only_live_requests_past_their_deadline_breach_and_each_event_names_its_breach(stub_broker):
    due = MONDAY_10AM
    late_open = ServiceRequestFactory(sla_due_at=due)
    late_acknowledged = ServiceRequestFactory(sla_due_at=due, status="acknowledged")
    ServiceRequestFactory(sla_due_at=due, status="closed")
    ServiceRequestFactory(sla_due_at=due, status="archived")
    ServiceRequestFactory(sla_due_at=due + timedelta(seconds=1))
    ServiceRequestFactory(sla_due_at=None)

    assert detect_sla_breaches(due) == 2

    events = breach_events()
    assert {e.request_id for e in events} == {late_open.id, late_acknowledged.id}
    rows = {b.request_id: b for b in breaches()}
    for event in events:
        breach = rows[event.request_id]
        assert event.organization_id == breach.organization_id
        assert event.payload == {"sla_due_at": due.astimezone(UTC).isoformat(), "breach_id": breach.id}
        assert breach.detected_at == due
    # Committed, so handed to the fan-out.
    sent = sorted(Message.decode(m).args[0] for m in stub_broker.queues["fanout"].queue)
    assert sent == sorted(e.id for e in events)


def test_a_breach_remembers_the_category_whose_sla_was_missed():
    request = ServiceRequestFactory(sla_due_at=MONDAY_10AM)
    detect_sla_breaches(MONDAY_10AM)
    assert breaches()[0].category_id == request.category_id


def test_sweeping_again_records_nothing_again():
    ServiceRequestFactory(sla_due_at=MONDAY_10AM)
    assert detect_sla_breaches(MONDAY_10AM + timedelta(minutes=1)) == 1
    assert detect_sla_breaches(MONDAY_10AM + timedelta(minutes=2)) == 0
    assert detect_sla_breaches(MONDAY_10AM + timedelta(days=30)) == 0
    assert len(breach_events()) == 1


def test_a_large_catch_up_is_committed_in_batches_and_misses_nothing():
    for minutes in range(7):
        ServiceRequestFactory(sla_due_at=MONDAY_10AM + timedelta(minutes=minutes))
    assert detect_sla_breaches(MONDAY_10AM + timedelta(hours=1), batch_size=2) == 7
    assert len(breaches()) == len(breach_events()) == 7


def test_a_scheduler_down_for_an_hour_alerts_each_breach_once_when_it_is_back():
    # Deadlines every five minutes for an hour; the scheduler sweeps each minute, dies after
    # ten minutes, and is back an hour later.
    requests = [ServiceRequestFactory(sla_due_at=MONDAY_10AM + timedelta(minutes=m)) for m in range(0, 65, 5)]
    recorded_per_sweep = {}
    for minute in [*range(-2, 11), *range(70, 73)]:
        now = MONDAY_10AM + timedelta(minutes=minute)
        recorded_per_sweep[minute] = detect_sla_breaches(now)

    assert recorded_per_sweep[0] == recorded_per_sweep[5] == recorded_per_sweep[10] == 1
    assert recorded_per_sweep[70] == 10  # everything due while it was down, at once
    assert sum(recorded_per_sweep.values()) == len(requests) == 13
    events = breach_events()
    assert sorted(e.request_id for e in events) == sorted(r.id for r in requests)


def test_two_schedulers_sweeping_at_once_record_one_breach_and_one_event():
    request = ServiceRequestFactory(sla_due_at=MONDAY_10AM)
    now = MONDAY_10AM + timedelta(minutes=1)
    results = run_two_sweeps_at_once(detect_sla_breaches, now, lock_row=("service_requests", request.id))
    assert sorted(results) == [0, 1]
    assert len(breaches()) == 1
    assert [e.request_id for e in breach_events()] == [request.id]

"""Overdue work orders and archiving, once each; the sweeps as the scheduler sends them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.requests.models import ServiceRequest
from app.scheduler import JOBS, run_due_jobs
from app.work import actors
from app.work.models import SlaBreach, WorkOrderOverdueAlert
from app.work.service import update_work_order
from app.work.sweeps import alert_overdue_work_orders, archive_closed_requests
from tests.factories import (
    OrganizationFactory,
    ServiceRequestFactory,
    WorkOrderFactory,
    make_member,
)
from tests.work.concurrency import run_two_sweeps_at_once

CHICAGO = ZoneInfo("America/Chicago")
DUE = datetime(2026, 1, 5, 15, tzinfo=CHICAGO)


def events(kind: str) -> list[Event]:
    db.session.expire_all()
    return list(db.session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


def assigned_order(**fields):
    org = fields.pop("organization", None) or OrganizationFactory()
    crew = make_member(org)
    return WorkOrderFactory(organization=org, assignee_id=crew.id, due_at=DUE, **fields), crew


# --- overdue work orders ------------------------------------------------------------------

def test_an_overdue_work_order_alerts_its_assignee_once():
    order, crew = assigned_order()
    assert alert_overdue_work_orders(DUE - timedelta(seconds=1)) == 0
    assert alert_overdue_work_orders(DUE) == 1
    assert alert_overdue_work_orders(DUE + timedelta(minutes=1)) == 0
    assert alert_overdue_work_orders(DUE + timedelta(days=3)) == 0

    [event] = events("work_order.overdue")
    assert event.payload == {"work_order_id": order.id, "due_at": "2026-01-05T21:00:00+00:00"}
    assert event.organization_id == order.organization_id
    alert = db.session.scalar(select(WorkOrderOverdueAlert))
    assert (alert.work_order_id, alert.assignee_id, alert.detected_at) == (order.id, crew.id, DUE)


def test_a_work_order_for_a_request_puts_its_alert_on_the_request_timeline():
    request = ServiceRequestFactory()
    order, _ = assigned_order(organization=request.organization, request=request)
    alert_overdue_work_orders(DUE)
    assert [e.request_id for e in events("work_order.overdue")] == [request.id]


def test_a_new_due_time_can_be_overdue_again():
    order, crew = assigned_order()
    alert_overdue_work_orders(DUE)
    later = DUE + timedelta(days=1)
    update_work_order(order.organization, order.id, crew, {"due_at": later})
    assert alert_overdue_work_orders(later - timedelta(minutes=1)) == 0
    assert alert_overdue_work_orders(later) == 1
    assert len(events("work_order.overdue")) == 2


def test_finished_work_orders_are_not_overdue_and_unassigned_ones_wait_for_an_assignee():
    assigned_order(status="done")
    assigned_order(status="cancelled")
    org = OrganizationFactory()
    unassigned = WorkOrderFactory(organization=org, due_at=DUE)
    assert alert_overdue_work_orders(DUE + timedelta(hours=1)) == 0

    crew = make_member(org)
    update_work_order(org, unassigned.id, crew, {"assignee_id": crew.id})
    assert alert_overdue_work_orders(DUE + timedelta(hours=2)) == 1
    assert db.session.scalar(select(WorkOrderOverdueAlert.assignee_id)) == crew.id


def test_two_schedulers_alert_an_overdue_work_order_once():
    order, _ = assigned_order()
    results = run_two_sweeps_at_once(alert_overdue_work_orders, DUE, lock_row=("work_orders", order.id))
    assert sorted(results) == [0, 1]
    assert len(events("work_order.overdue")) == 1


# --- archiving ----------------------------------------------------------------------------

def test_requests_closed_for_seven_days_are_archived_once():
    now = DUE
    old = ServiceRequestFactory(status="closed", closed_at=now - timedelta(days=7))
    recent = ServiceRequestFactory(status="closed", closed_at=now - timedelta(days=6, hours=23))
    still_open = ServiceRequestFactory(status="open")

    assert archive_closed_requests(now) == 1
    assert archive_closed_requests(now + timedelta(minutes=5)) == 0

    db.session.expire_all()
    statuses = dict(db.session.execute(select(ServiceRequest.id, ServiceRequest.status)).all())
    assert statuses == {old.id: "archived", recent.id: "closed", still_open.id: "open"}
    assert db.session.get(ServiceRequest, old.id).updated_at == now
    assert [e.request_id for e in events("request.archived")] == [old.id]

    assert archive_closed_requests(now + timedelta(days=1)) == 1
    assert [e.request_id for e in events("request.archived")] == [old.id, recent.id]


def test_archiving_catches_up_in_batches():
    for days in range(8, 13):
        ServiceRequestFactory(status="closed", closed_at=DUE - timedelta(days=days))
    assert archive_closed_requests(DUE, batch_size=2) == 5
    assert len(events("request.archived")) == 5


# --- as the scheduler runs them -----------------------------------------------------------

def test_the_scheduler_sends_every_work_sweep_to_the_default_queue_on_its_first_tick(stub_broker):
    work_jobs = {job.name: job for job in JOBS if job.actor_path.startswith("app.work.actors:")}
    assert {name: job.every_seconds for name, job in work_jobs.items()} == {
        "sla-breaches": 60, "overdue-work-orders": 60, "archive-closed-requests": 3600}
    # A restarted scheduler remembers nothing, so it sends every job at once: safe, since the
    # sweeps only ever record what is due and not yet recorded.
    assert set(run_due_jobs(0.0, {}, tuple(work_jobs.values()))) == set(work_jobs)
    assert stub_broker.queues["default"].qsize() == 3


def test_the_sweep_actors_run_on_a_worker(stub_broker, stub_worker):
    late = ServiceRequestFactory(sla_due_at=datetime(2020, 1, 6, 10, tzinfo=CHICAGO))
    ServiceRequestFactory(status="closed", closed_at=datetime(2020, 1, 6, tzinfo=CHICAGO))
    order, _ = assigned_order()
    for actor in (actors.sweep_sla_breaches, actors.sweep_overdue_work_orders, actors.archive_closed_requests):
        actor.send()
    stub_broker.join("default")
    stub_worker.join()

    db.session.expire_all()
    assert db.session.scalar(select(SlaBreach.request_id)) == late.id
    assert db.session.scalar(select(WorkOrderOverdueAlert.work_order_id)) == order.id
    assert len(events("request.archived")) == 1

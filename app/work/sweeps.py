"""The scheduler's sweeps: SLA breaches, overdue work orders, archiving closed requests.

Each sweep is set-based: "everything due up to `now` and not yet recorded". The record
(a breach row, an alert row, the archived status) and its Event are written in one
transaction, and a unique key decides which of two concurrent sweeps writes it: the
loser's INSERT ... ON CONFLICT DO NOTHING returns no row, so it records no event. A sweep
that runs late, or twice, or beside another, therefore neither skips nor repeats anything.
Each function commits its own batches.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import DateTime, exists, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import selectinload

from app.db_types import isoformat_utc
from app.events.service import record_event
from app.extensions import db
from app.requests.models import RequestStatus, ServiceRequest
from app.transactions import unit_of_work
from app.work.models import SlaBreach, WorkOrder, WorkOrderOverdueAlert, WorkOrderStatus

# Requests still waiting on the organization; only these can breach their SLA.
LIVE_REQUEST_STATUSES = (RequestStatus.OPEN.value, RequestStatus.ACKNOWLEDGED.value)
UNFINISHED_WORK_ORDER_STATUSES = (WorkOrderStatus.OPEN.value, WorkOrderStatus.IN_PROGRESS.value)
ARCHIVE_AFTER = timedelta(days=7)
# Rows per transaction: keeps a catch-up after downtime from holding one huge transaction.
BATCH_SIZE = 500


def _at(now: datetime):
    return literal(now, DateTime(timezone=True))


def _in_batches(record_batch, now: datetime, batch_size: int) -> int:
    """Run `record_batch` and commit until a batch comes back short; return the rows recorded."""
    total = 0
    while True:
        with unit_of_work():
            recorded = record_batch(now, batch_size)
        total += recorded
        if recorded < batch_size:
            return total


def _requests_by_id(ids) -> dict[int, ServiceRequest]:
    # populate_existing: a row this session already holds may predate the UPDATE just run.
    statement = select(ServiceRequest).where(ServiceRequest.id.in_(ids)).execution_options(populate_existing=True)
    return {r.id: r for r in db.session.scalars(statement)}


def detect_sla_breaches(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Record each live request past its SLA deadline once, with a request.sla_breached event."""
    return _in_batches(_record_sla_breaches, now, batch_size)


def _record_sla_breaches(now: datetime, batch_size: int) -> int:
    request = ServiceRequest
    already_recorded = exists().where(SlaBreach.request_id == request.id, SlaBreach.sla_due_at == request.sla_due_at)
    due = (
        select(request.id, request.organization_id, request.category_id, request.sla_due_at, _at(now))
        .where(request.status.in_(LIVE_REQUEST_STATUSES), request.sla_due_at <= now, ~already_recorded)
        .order_by(request.sla_due_at, request.id)
        .limit(batch_size)
    )
    inserted = db.session.execute(
        insert(SlaBreach)
        .from_select(["request_id", "organization_id", "category_id", "sla_due_at", "detected_at"], due)
        .on_conflict_do_nothing(index_elements=["request_id", "sla_due_at"])
        .returning(SlaBreach.id, SlaBreach.request_id, SlaBreach.sla_due_at)
    ).all()
    requests = _requests_by_id([row.request_id for row in inserted])
    for row in inserted:
        record_event("request.sla_breached", request=requests[row.request_id],
                     payload={"sla_due_at": isoformat_utc(row.sla_due_at), "breach_id": row.id})
    return len(inserted)


def alert_overdue_work_orders(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Alert the assignee of each unfinished work order past its due time, once per due time."""
    return _in_batches(_record_overdue_work_orders, now, batch_size)


def _record_overdue_work_orders(now: datetime, batch_size: int) -> int:
    order = WorkOrder
    already_alerted = exists().where(WorkOrderOverdueAlert.work_order_id == order.id,
                                     WorkOrderOverdueAlert.due_at == order.due_at)
    # Unassigned work orders wait: once someone is assigned, that person gets the alert.
    due = (
        select(order.id, order.due_at, order.assignee_id, _at(now))
        .where(order.status.in_(UNFINISHED_WORK_ORDER_STATUSES), order.due_at <= now,
               order.assignee_id.is_not(None), ~already_alerted)
        .order_by(order.due_at, order.id)
        .limit(batch_size)
    )
    inserted = db.session.execute(
        insert(WorkOrderOverdueAlert)
        .from_select(["work_order_id", "due_at", "assignee_id", "detected_at"], due)
        .on_conflict_do_nothing(index_elements=["work_order_id", "due_at"])
        .returning(WorkOrderOverdueAlert.work_order_id, WorkOrderOverdueAlert.due_at)
    ).all()
    orders = {o.id: o for o in db.session.scalars(
        select(WorkOrder).options(selectinload(WorkOrder.request))
        .where(WorkOrder.id.in_([row.work_order_id for row in inserted])))}
    for row in inserted:
        order = orders[row.work_order_id]
        record_event("work_order.overdue", request=order.request, organization_id=order.organization_id,
                     payload={"work_order_id": order.id, "due_at": isoformat_utc(row.due_at)})
    return len(inserted)


def archive_closed_requests(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Archive requests closed for `ARCHIVE_AFTER`, each once, with a request.archived event."""
    return _in_batches(_archive_batch, now, batch_size)


def _archive_batch(now: datetime, batch_size: int) -> int:
    request = ServiceRequest
    closed = RequestStatus.CLOSED.value
    # SKIP LOCKED: two archivers split the rows between them instead of queueing on each other.
    due = (
        select(request.id)
        .where(request.status == closed, request.closed_at <= now - ARCHIVE_AFTER)
        .order_by(request.closed_at, request.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    archived_ids = db.session.scalars(
        update(request)
        .where(request.id.in_(due.scalar_subquery()), request.status == closed)
        .values(status=RequestStatus.ARCHIVED.value, updated_at=now)
        .returning(request.id)
        .execution_options(synchronize_session=False)
    ).all()
    requests = _requests_by_id(archived_ids)
    for request_id in archived_ids:
        record_event("request.archived", request=requests[request_id])
    return len(archived_ids)

"""Work orders: what crews do, with or without a request. Each function owns its transaction."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Membership, Organization, User
from app.db_types import isoformat_utc
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.service import record_event
from app.extensions import db
from app.requests.models import ServiceRequest
from app.transactions import unit_of_work
from app.work.models import WorkOrder, WorkOrderStatus

S = WorkOrderStatus
# Which statuses a work order may move to from each status.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.DONE, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.OPEN, S.DONE, S.CANCELLED}),
    S.DONE: frozenset({S.IN_PROGRESS}),  # the fix did not hold: back to work
    S.CANCELLED: frozenset({S.OPEN}),  # cancelled by mistake
}
EDITABLE_FIELDS = ("title", "notes", "status", "assignee_id", "due_at")
# Changes recorded as a plain work_order.updated {fields}; the others have their own event.
DESCRIPTIVE_FIELDS = ("title", "notes")


def work_orders_query(org: Organization, *, status: str | None = None, assignee_id: int | None = None,
                      request_id: int | None = None):
    """The organization's work orders, filtered, soonest due first (undated last)."""
    statement = select(WorkOrder).where(WorkOrder.organization_id == org.id)
    if status is not None:
        statement = statement.where(WorkOrder.status == status)
    if assignee_id is not None:
        statement = statement.where(WorkOrder.assignee_id == assignee_id)
    if request_id is not None:
        statement = statement.where(WorkOrder.request_id == request_id)
    return statement.order_by(WorkOrder.due_at.asc().nulls_last(), WorkOrder.id)


def overdue_work_orders_query(org: Organization, now: datetime):
    """The organization's unfinished work orders past their due time, most overdue first (the overdue sweep's rule)."""
    return (select(WorkOrder)
            .where(WorkOrder.organization_id == org.id,
                   WorkOrder.status.in_((S.OPEN.value, S.IN_PROGRESS.value)), WorkOrder.due_at < now)
            .order_by(WorkOrder.due_at, WorkOrder.id))


def get_work_order(org: Organization, work_order_id: int) -> WorkOrder:
    """One of the organization's work orders, or 404 (another organization's included)."""
    order = db.session.get(WorkOrder, work_order_id)
    if order is None or order.organization_id != org.id:
        raise NotFound(_("No work order %(work_order_id)s in %(slug)s.", work_order_id=work_order_id, slug=repr(org.slug)), {"work_order_id": work_order_id})
    return order


@unit_of_work()
def create_work_order(org: Organization, actor: User, *, title: str, notes: str = "",
                      request_id: int | None = None, assignee_id: int | None = None,
                      due_at: datetime | None = None) -> WorkOrder:
    """Create a work order, for a request of the organization or on its own."""
    request = _request_of(org, request_id) if request_id is not None else None
    if assignee_id is not None:
        _require_member(org, assignee_id)
    order = WorkOrder(organization_id=org.id, request_id=request_id, title=title, notes=notes,
                      assignee_id=assignee_id, due_at=due_at, created_by_id=actor.id,
                      status=S.OPEN.value)
    order.request = request
    db.session.add(order)
    db.session.flush()
    _record(order, "work_order.created", actor)
    if assignee_id is not None:
        _record(order, "work_order.assigned", actor, assignee_id=assignee_id)
    return order


@unit_of_work()
def update_work_order(org: Organization, work_order_id: int, actor: User, changes: dict) -> WorkOrder:
    """Apply a partial update (title, notes, status, assignee_id, due_at), one event per kind of change."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"work orders have no editable fields {sorted(unknown)}")
    order = get_work_order(org, work_order_id)
    changed = {name: value for name, value in changes.items() if value != getattr(order, name)}
    if "status" in changed:
        _check_transition(order.status, changed["status"])
    if changed.get("assignee_id") is not None:
        _require_member(org, changed["assignee_id"])

    previous = {name: getattr(order, name) for name in changed}
    for name, value in changed.items():
        setattr(order, name, value)

    updated = [name for name in DESCRIPTIVE_FIELDS if name in changed]
    if "assignee_id" in changed and order.assignee_id is None:
        updated.append("assignee_id")
    if updated:
        _record(order, "work_order.updated", actor, fields=updated)
    if "status" in changed:
        _record(order, "work_order.status_changed", actor, status=order.status, previous_status=previous["status"])
    if "assignee_id" in changed and order.assignee_id is not None:
        _record(order, "work_order.assigned", actor, assignee_id=order.assignee_id)
    if "due_at" in changed:
        _record(order, "work_order.due_changed", actor, due_at=isoformat_utc(order.due_at),
                previous_due_at=isoformat_utc(previous["due_at"]))
    return order


def _check_transition(current: str, target: str) -> None:
    allowed = TRANSITIONS[S(current)]
    if target not in allowed:
        raise Conflict(_("A work order that is %(current)s cannot become %(target)s.", current=current, target=target),
                       {"status": current, "allowed": sorted(allowed)})


def _request_of(org: Organization, request_id: int) -> ServiceRequest:
    request = db.session.get(ServiceRequest, request_id)
    if request is None or request.organization_id != org.id:
        raise ValidationFailed(_("The request is not one of this organization's."),
                               {"request_id": [_("No request %(request_id)s in %(slug)s.", request_id=request_id, slug=repr(org.slug))]})
    return request


def _require_member(org: Organization, user_id: int) -> None:
    member = db.session.scalar(select(Membership.id).where(
        Membership.organization_id == org.id, Membership.user_id == user_id))
    if member is None:
        raise ValidationFailed(_("Work orders can only be assigned to members of the organization."),
                               {"assignee_id": [_("User %(user_id)s is not a member of %(slug)s.", user_id=user_id, slug=repr(org.slug))]})


def _record(order: WorkOrder, kind: str, actor: User, **payload) -> None:
    record_event(kind, request=order.request, organization_id=order.organization_id, actor=actor,
                 payload={"work_order_id": order.id, **payload})

"""Work orders: the crews' list, creating one (alone or for a request), and updating it."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.portal.labels import WORK_ORDER_STATUS_LABELS
from app.portal.refusals import attempt
from app.portal.staff.blueprint import bp
from app.portal.staff.common import (
    local_to_utc,
    member_choices,
    render_staff,
    staff_page,
    utc_to_local,
)
from app.portal.staff.forms import WorkOrderForm, WorkOrderUpdateForm
from app.requests.models import ServiceRequest
from app.work import service as work
from app.work.models import WorkOrderStatus

VIEW, MANAGE = "view_requests", "manage_work_orders"
def request_by_reference(org, reference: str | None) -> int | None:
    """The request a typed reference (its public id, or its number) names in this organization."""
    reference = (reference or "").strip()
    if not reference:
        return None
    condition = ServiceRequest.public_id == reference
    if reference.isdigit():
        condition = condition | (ServiceRequest.id == int(reference))
    return db.session.scalar(select(ServiceRequest.id).where(condition, ServiceRequest.organization_id == org.id))


def _list_page(organization, user, form, status_code=200):
    status = request.args.get("status") or None
    if status not in WORK_ORDER_STATUS_LABELS:
        status = None
    orders = db.session.scalars(work.work_orders_query(organization, status=status)).all()
    overdue = {order.id for order in db.session.scalars(work.overdue_work_orders_query(organization, utcnow()))}
    return render_staff("staff/work_orders.html", organization, user, status_code, orders=orders,
                        form=form, status=status, status_labels=WORK_ORDER_STATUS_LABELS, overdue=overdue)


@bp.get("/<org>/work-orders")
def work_orders(org: str):
    organization, user = staff_page(org, VIEW)
    form = WorkOrderForm(request=request.args.get("request", ""))
    form.assignee_id.choices = member_choices(organization)
    return _list_page(organization, user, form)


@bp.post("/<org>/work-orders")
def create_work_order(org: str):
    organization, user = staff_page(org, MANAGE)
    form = WorkOrderForm()
    form.assignee_id.choices = member_choices(organization)
    if form.validate_on_submit():
        request_id = request_by_reference(organization, form.request.data)
        if form.request.data and request_id is None:
            form.request.errors = [f"{organization.name} has no request {form.request.data.strip()}."]
            return _list_page(organization, user, form, 422)
        created = attempt(lambda: work.create_work_order(
            organization, user, title=form.title.data.strip(), notes=form.notes.data or "",
            request_id=request_id, assignee_id=form.assignee_id.data,
            due_at=local_to_utc(form.due_at.data, organization)), form)
        if created:
            flash(_("Work order %(id)s created.", id=created.value.id))
            return redirect(url_for("staff.work_order", org=org, work_order_id=created.value.id))
    return _list_page(organization, user, form, 422)


def _update_form(organization, order, formdata=None) -> WorkOrderUpdateForm:
    form = WorkOrderUpdateForm(formdata=formdata, obj=order)
    if formdata is None:
        form.due_at.data = utc_to_local(order.due_at, organization)
    form.assignee_id.choices = member_choices(organization)
    reachable = [order.status, *sorted(work.TRANSITIONS[WorkOrderStatus(order.status)])]
    form.status.choices = [(status, WORK_ORDER_STATUS_LABELS[status]) for status in reachable]
    return form


@bp.get("/<org>/work-orders/<int:work_order_id>")
def work_order(org: str, work_order_id: int):
    organization, user = staff_page(org, VIEW)
    order = work.get_work_order(organization, work_order_id)
    return render_staff("staff/work_order.html", organization, user, order=order,
                        form=_update_form(organization, order), status_labels=WORK_ORDER_STATUS_LABELS)


@bp.post("/<org>/work-orders/<int:work_order_id>")
def update_work_order(org: str, work_order_id: int):
    organization, user = staff_page(org, MANAGE)
    order = work.get_work_order(organization, work_order_id)
    form = _update_form(organization, order, formdata=request.form)
    if form.validate_on_submit():
        changes = {"title": form.title.data.strip(), "notes": form.notes.data or "", "status": form.status.data,
                   "assignee_id": form.assignee_id.data, "due_at": local_to_utc(form.due_at.data, organization)}
        if attempt(lambda: work.update_work_order(organization, work_order_id, user, changes), form):
            flash(_("Work order saved."))
            return redirect(url_for("staff.work_order", org=org, work_order_id=work_order_id))
    return render_staff("staff/work_order.html", organization, user, 422, order=order, form=form,
                        status_labels=WORK_ORDER_STATUS_LABELS)

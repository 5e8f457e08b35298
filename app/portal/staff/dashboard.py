"""The staff dashboard: what needs doing now, with the Inbound Message Watcher."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db_types import utcnow
from app.extensions import db
from app.inbound import triage
from app.portal.access import viewer_permissions
from app.portal.staff.blueprint import bp
from app.portal.staff.common import render_staff, staff_page
from app.requests import queries
from app.work import service as work
from app.work.models import WorkOrderStatus

DASHBOARD_ITEMS = 5


@bp.get("/<org>/")
def dashboard(org: str):
    organization, user = staff_page(org, "view_requests")
    permissions = viewer_permissions(user, organization)
    watcher = None
    if "view_inbound_messages" in permissions:
        watcher = {"counts": triage.queue_counts(organization),
                   "latest": db.session.scalars(triage.messages_query(organization, unread=True)
                                                .limit(DASHBOARD_ITEMS)).all()}
    queue = queries.queue_counts(organization, user, {
        "open": {"status": ["open"]}, "acknowledged": {"status": ["acknowledged"]},
        "mine": {"status": ["open", "acknowledged"], "assigned_to": user.id}, "breached": {"sla": "breached"}})
    overdue = work.overdue_work_orders_query(organization, utcnow())
    overdue_work = {"count": db.session.scalar(select(func.count()).select_from(overdue.subquery())),
                    "latest": db.session.scalars(overdue.limit(DASHBOARD_ITEMS)).all()}
    my_work = db.session.scalars(
        work.work_orders_query(organization, status=WorkOrderStatus.OPEN.value, assignee_id=user.id)
        .limit(DASHBOARD_ITEMS)).all()
    return render_staff("staff/dashboard.html", organization, user, watcher=watcher, queue=queue, my_work=my_work,
                        overdue_work=overdue_work)

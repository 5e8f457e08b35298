"""The staff dashboard: what needs doing now."""

from __future__ import annotations

from app.extensions import db
from app.portal.staff import bp
from app.portal.staff.common import render_staff, staff_page
from app.work import service as work
from app.work.models import WorkOrderStatus

DASHBOARD_ITEMS = 8


@bp.get("/<org>/")
def dashboard(org: str):
    organization, user = staff_page(org, "view_requests")
    my_work = db.session.scalars(
        work.work_orders_query(organization, status=WorkOrderStatus.OPEN.value, assignee_id=user.id)
        .limit(DASHBOARD_ITEMS)).all()
    return render_staff("staff/dashboard.html", organization, user, my_work=my_work)

"""/api/v1/orgs/{org}/work-orders: the staff's work orders (manage_work_orders; view_requests to read)."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.auth import require_org_permission
from app.pagination import page_schema, paginate
from app.work import service
from app.work.schemas import (
    WorkOrderCreateSchema,
    WorkOrderListArgs,
    WorkOrderSchema,
    WorkOrderUpdateSchema,
)

URL_PREFIX = "/orgs/<org>/work-orders"
blp = Blueprint("work_orders", __name__, description="Staff: work orders for crews")

VIEW, MANAGE = "view_requests", "manage_work_orders"


@blp.get("")
@blp.arguments(WorkOrderListArgs, location="query")
@blp.response(200, page_schema(WorkOrderSchema))
def list_work_orders(args, org):
    """The organization's work orders, soonest due first; filter by status, assignee, request."""
    organization, _ = require_org_permission(org, VIEW)
    page, per_page = args.pop("page"), args.pop("per_page")
    return paginate(service.work_orders_query(organization, **args), page, per_page)


@blp.post("")
@blp.arguments(WorkOrderCreateSchema)
@blp.response(201, WorkOrderSchema)
def create_work_order(body, org):
    """Create a work order, on its own or for one of the organization's requests."""
    organization, user = require_org_permission(org, MANAGE)
    return service.create_work_order(organization, user, **body)


@blp.get("/<int:work_order_id>")
@blp.response(200, WorkOrderSchema)
def get_work_order(org, work_order_id):
    """One work order."""
    organization, _ = require_org_permission(org, VIEW)
    return service.get_work_order(organization, work_order_id)


@blp.patch("/<int:work_order_id>")
@blp.arguments(WorkOrderUpdateSchema)
@blp.response(200, WorkOrderSchema)
def update_work_order(body, org, work_order_id):
    """Change title, notes, status, assignee or due time; each change is an event."""
    organization, user = require_org_permission(org, MANAGE)
    return service.update_work_order(organization, work_order_id, user, body)

"""/api/v1/orgs/{org}/requests: the staff queue and the staff workflow actions.

`{org}` is the organization's slug; a request of another organization is 404 here. Who may
act is decided by app/requests/policy.py (permission `edit_requests` in the organization).
"""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.auth import current_user, organization_or_404
from app.api.paths import BIGINT_ID
from app.api.responses import errors
from app.pagination import page_schema
from app.requests import duplicates, queries, service
from app.requests.duplicate_schemas import MergeSchema
from app.requests.schemas import (
    AssignSchema,
    CloseSchema,
    DueDateSchema,
    NoBodySchema,
    RecategorizeSchema,
    ReopenSchema,
    RequestFiltersSchema,
    RequestSchema,
)

URL_PREFIX = "/orgs"
blp = Blueprint("staff_requests", __name__, description="Staff: the request queue and workflow actions")

ACTION_ERRORS = (401, 403, 404, 409)


def _act(slug: str, request_id: int, action, *args):
    """Run one service action on the organization's request and show the result to the actor."""
    user, org = current_user(), organization_or_404(slug)
    return queries.request_view(action(request_id, user, *args, organization=org), user)


@blp.get("/<org>/requests")
@blp.arguments(RequestFiltersSchema, location="query")
@blp.response(200, page_schema(RequestSchema, "StaffRequestPageSchema"))
@errors(blp, 401, 403, 404)
def queue(filters, org):
    """The organization's requests with staff fields (permission `view_requests`)."""
    filters.pop("mine")
    organization, user = organization_or_404(org), current_user()
    page = queries.staff_queue(organization, user, filters)
    queries.note_contact_views(organization.id, user, page["items"])  # the list carries contact details
    return page


@blp.post(f"/<org>/requests/<{BIGINT_ID}:request_id>/acknowledge")
@blp.arguments(NoBodySchema, required=False)
@blp.response(200, RequestSchema)
@errors(blp, *ACTION_ERRORS)
def acknowledge(_body, org, request_id):
    """Open -> Acknowledged."""
    return _act(org, request_id, service.acknowledge)


@blp.post(f"/<org>/requests/<{BIGINT_ID}:request_id>/assign")
@blp.arguments(AssignSchema)
@blp.response(200, RequestSchema)
@errors(blp, *ACTION_ERRORS)
def assign(body, org, request_id):
    """Assign to a member who may edit requests (null unassigns)."""
    return _act(org, request_id, service.assign, body["assignee_id"])


@blp.post(f"/<org>/requests/<{BIGINT_ID}:request_id>/recategorize")
@blp.arguments(RecategorizeSchema)
@blp.response(200, RequestSchema)
@errors(blp, *ACTION_ERRORS)
def recategorize(body, org, request_id):
    """Move to another active category of the organization; the SLA restarts."""
    return _act(org, request_id, service.recategorize, body["category_id"])


@blp.post(f"/<org>/requests/<{BIGINT_ID}:request_id>/close")
@blp.arguments(CloseSchema, required=False)
@blp.response(200, RequestSchema)
@errors(blp, *ACTION_ERRORS)
def close(body, org, request_id):
    """Close, optionally with a public comment to the reporter and followers."""
    return _act(org, request_id, service.close, body.get("comment"))


@blp.post(f"/<org>/requests/<{BIGINT_ID}:request_id>/reopen")
@blp.arguments(ReopenSchema, required=False)
@blp.response(200, RequestSchema)
@errors(blp, *ACTION_ERRORS)
def reopen(body, org, request_id):
    """Closed -> Open, optionally with a public comment saying why; the SLA restarts."""
    return _act(org, request_id, service.reopen, body.get("comment"))


@blp.patch(f"/<org>/requests/<{BIGINT_ID}:request_id>")
@blp.arguments(DueDateSchema)
@blp.response(200, RequestSchema)
@errors(blp, *ACTION_ERRORS)
def set_due_date(body, org, request_id):
    """Set or clear the due date."""
    return _act(org, request_id, service.set_due_date, body["due_at"])


@blp.post(f"/<org>/requests/<{BIGINT_ID}:request_id>/merge")
@blp.arguments(MergeSchema)
@blp.response(200, RequestSchema)
@errors(blp, *ACTION_ERRORS, 422)
def merge(body, org, request_id):
    """Merge this duplicate into `into_id`: followers and supporters move, this one closes pointing there,
    and its reporter is told."""
    return _act(org, request_id, duplicates.merge, body["into_id"])

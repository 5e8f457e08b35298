"""/api/v1/orgs/{org}: the audit trail (organization admins) and the retention settings."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.auth import current_user, org_permission_required, organization_or_404
from app.api.paths import BIGINT_ID
from app.api.responses import errors
from app.pagination import page_schema, paginate
from app.privacy import audit, retention
from app.privacy.schemas import (
    AnonymitySchema,
    AuditArgs,
    AuditEntrySchema,
    RetentionSchema,
    RetentionUpdateSchema,
)
from app.requests import queries, service
from app.requests.schemas import RequestSchema

URL_PREFIX = "/orgs"
blp = Blueprint("org_privacy", __name__, description="Privacy: audit trail, retention, anonymous reporters")


@blp.get("/<org>/audit-log")
@org_permission_required("manage_members")
@blp.arguments(AuditArgs, location="query")
@blp.response(200, page_schema(AuditEntrySchema))
@errors(blp, 401, 403)
def audit_log(args, org, actor):
    """Staff views of residents' contact details, and residents' exports and deletions, newest first."""
    return paginate(audit.organization_trail(org.id, action=args.get("action")), args["page"], args["per_page"])


@blp.get("/<org>/retention")
@org_permission_required("manage_settings")
@blp.response(200, RetentionSchema)
@errors(blp, 401, 403)
def get_retention(org, actor):
    """How long the organization keeps raw inbound mail, outgoing bodies, spam and delivery records."""
    return retention.policy_for(org.id)


@blp.put("/<org>/retention")
@org_permission_required("manage_settings")
@blp.arguments(RetentionUpdateSchema)
@blp.response(200, RetentionSchema)
@errors(blp, 401, 403, 422)
def put_retention(body, org, actor):
    """Change some retention periods; the scheduler's sweep applies them within the hour."""
    return retention.set_policy(org.id, actor.id, body)


@blp.post(f"/<org>/requests/<{BIGINT_ID}:request_id>/anonymous")
@blp.arguments(AnonymitySchema)
@blp.response(200, RequestSchema)
@errors(blp, 401, 403, 404, 409, 422)
def set_anonymous(body, org, request_id):
    """Hide (or show again) the reporter's name from the public; staff still see who reported."""
    user, organization = current_user(), organization_or_404(org)
    changed = service.set_anonymous(request_id, user, body["anonymous"], organization=organization)
    return queries.request_view(changed, user)

"""/api/v1/orgs/{org}/webhooks: outbound webhooks of an organization, and each one's delivery log."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from app.api.auth import require_org_permission
from app.api.inputs import InputSchema
from app.api.pagination import PaginationArgs, page_schema, paginate
from app.notify.webhooks import service
from app.notify.webhooks.models import WebhookStatus

URL_PREFIX = "/orgs/<org>/webhooks"
PERMISSION = "manage_settings"
blp = Blueprint("webhooks", __name__, description="Outbound webhooks (Standard Webhooks signatures)")


class WebhookInputSchema(InputSchema):
    url = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000), metadata={
        "description": "An https address on a public host (WEBHOOK_ALLOWED_HOSTS lifts that for named hosts)."})
    event_kinds = ma.fields.List(ma.fields.String(), required=True, validate=ma.validate.Length(min=1, max=100))
    description = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))
    enabled = ma.fields.Boolean(load_default=True)


class WebhookPatchSchema(InputSchema):
    url = ma.fields.String(validate=ma.validate.Length(min=1, max=2000))
    event_kinds = ma.fields.List(ma.fields.String(), validate=ma.validate.Length(min=1, max=100))
    description = ma.fields.String(validate=ma.validate.Length(max=500))
    enabled = ma.fields.Boolean(metadata={"description": "A disabled endpoint gets nothing; its pending retries stop."})
    rotate_secret = ma.fields.Boolean(metadata={"description": "Issue a new signing secret."})


class WebhookSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    url = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    event_kinds = ma.fields.List(ma.fields.String(), required=True)
    enabled = ma.fields.Boolean(required=True)
    created_by_id = ma.fields.Integer(required=True, allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


class WebhookWithSecretSchema(WebhookSchema):
    secret = ma.fields.String(required=True, metadata={
        "description": "The Standard Webhooks signing secret (whsec_...) the receiver verifies with."})


class WebhookAttemptSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    attempted_at = ma.fields.DateTime(required=True)
    status_code = ma.fields.Integer(required=True, allow_none=True)
    error = ma.fields.String(required=True, allow_none=True)
    duration_ms = ma.fields.Integer(required=True)
    response_excerpt = ma.fields.String(required=True, allow_none=True)


class WebhookDeliverySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    webhook_id = ma.fields.Function(lambda d: f"msg_{d.id}", required=True,
                                    metadata={"description": "The webhook-id header the receiver got."})
    event_id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf([s.value for s in WebhookStatus]))
    attempts = ma.fields.Integer(required=True)
    next_attempt_at = ma.fields.DateTime(required=True)
    last_status_code = ma.fields.Integer(required=True, allow_none=True)
    last_error = ma.fields.String(required=True, allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    delivered_at = ma.fields.DateTime(required=True, allow_none=True)
    attempt_log = ma.fields.List(ma.fields.Nested(WebhookAttemptSchema), required=True)


class DeliveryArgs(PaginationArgs):
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in WebhookStatus]))


@blp.get("")
@blp.arguments(PaginationArgs, location="query")
@blp.response(200, page_schema(WebhookSchema))
def list_webhooks(paging, org):
    """Every endpoint of the organization."""
    organization, _ = require_org_permission(org, PERMISSION)
    return paginate(service.organization_endpoints(organization), paging["page"], paging["per_page"])


@blp.post("")
@blp.arguments(WebhookInputSchema)
@blp.response(201, WebhookWithSecretSchema)
def create_webhook(body, org):
    """Register an endpoint; the answer holds its signing secret. Private addresses are refused (422)."""
    organization, user = require_org_permission(org, PERMISSION)
    endpoint = service.create_endpoint(organization, user, **body)
    return endpoint


@blp.get("/<int:webhook_id>")
@blp.response(200, WebhookWithSecretSchema)
def get_webhook(org, webhook_id):
    """One endpoint, with its signing secret."""
    organization, _ = require_org_permission(org, PERMISSION)
    return service.get_endpoint(organization, webhook_id)


@blp.patch("/<int:webhook_id>")
@blp.arguments(WebhookPatchSchema)
@blp.response(200, WebhookWithSecretSchema)
def update_webhook(body, org, webhook_id):
    """Change an endpoint: its address (checked again), kinds, description, enabled, or its secret."""
    organization, _ = require_org_permission(org, PERMISSION)
    endpoint = service.update_endpoint(organization, webhook_id, body)
    return endpoint


@blp.delete("/<int:webhook_id>")
@blp.response(204)
def delete_webhook(org, webhook_id):
    """Remove an endpoint and its delivery log."""
    organization, _ = require_org_permission(org, PERMISSION)
    service.delete_endpoint(organization, webhook_id)


@blp.get("/<int:webhook_id>/deliveries")
@blp.arguments(DeliveryArgs, location="query")
@blp.response(200, page_schema(WebhookDeliverySchema))
def list_deliveries(args, org, webhook_id):
    """The endpoint's deliveries, newest first, each with every attempt and what the receiver answered."""
    organization, _ = require_org_permission(org, PERMISSION)
    statement = service.endpoint_deliveries(organization, webhook_id, args.get("status"))
    return paginate(statement, args["page"], args["per_page"])
